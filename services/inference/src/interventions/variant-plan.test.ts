import { float32Tensor } from '@locscope/proto';
import { TextSpan, type Intervention, type Variant } from '@locscope/proto/v1/inference';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { containsPosition } from './positions.ts';
import type { SequenceLayout } from './sequence-layout.ts';
import type { ModelDims } from './intervention.ts';
import { compileVariants, firstAffectedPosition } from './variant-plan.ts';

// InternVL-like: 2 tiles of 2×2 + a 2×2 thumbnail = 12 visual tokens at [5, 17), prompt ends at 22, target [22, 26).
const layout: SequenceLayout = {
  length: 26,
  imageStart: 5,
  visualTokens: 12,
  views: [
    { name: 'tile_r0_c0', rows: 2, cols: 2, offset: 0 },
    { name: 'tile_r0_c1', rows: 2, cols: 2, offset: 4 },
    { name: 'thumbnail', rows: 2, cols: 2, offset: 8 },
  ],
  promptEnd: 22,
};
const dims: ModelDims = { layers: 4, heads: 3, headDim: 2, hidden: 6 };
const limits = { maxVariants: 8 };
const variant = (...interventions: Intervention[]): Variant => ({ name: 'v', interventions });
const compile = (...interventions: Intervention[]) => compileVariants([variant(...interventions)], layout, dims, limits)[0];

describe('compileVariants', () => {
  it('yields one clean variant when none is given', () => {
    expect(compileVariants([], layout, dims, limits)).toEqual([{ name: 'clean', embeddingEdits: [], knockouts: [], ablations: [], patches: [] }]);
  });

  it('maps visual coordinates through the view layout', () => {
    const plan = compile({
      kind: { $case: 'replace', value: { positions: { flat: [1], coordinates: [{ view: 2, row: 1, col: 0 }] }, value: { $case: 'zero', value: true } } },
    });
    expect(plan.embeddingEdits).toEqual([{ kind: 'replace', visual: [1, 10], value: { kind: 'zero' } }]);
  });

  it('resolves text spans; AFTER_IMAGE stays open for decoding', () => {
    const plan = compile({
      kind: {
        $case: 'knockout',
        value: { layers: [2, 0, 2], queries: { span: TextSpan.TEXT_SPAN_AFTER_IMAGE, explicit: [] }, keys: { span: 0, visual: { flat: [0, 4], coordinates: [] }, explicit: [] } },
      },
    });
    const k = plan.knockouts[0];
    expect(k.layers).toEqual([0, 2]);
    expect(k.queries.indices[0]).toBe(17);
    expect(k.queries.indices.at(-1)).toBe(25);
    expect(containsPosition(k.queries, 40)).toBe(true);
    expect(k.keys).toEqual({ indices: [5, 9] });
    expect(firstAffectedPosition(plan, layout)).toBe(17);
  });

  it('splits inline patch values per head and defaults positions to all', () => {
    const values = Float32Array.from({ length: 2 * 26 * 2 }, (_, i) => i);
    const plan = compile({
      kind: {
        $case: 'patch',
        value: { heads: [{ layer: 1, head: 2 }, { layer: 3, head: 0 }], source: { $case: 'values', value: float32Tensor(values, [2, 26, 2]) } },
      },
    });
    expect(plan.patches).toHaveLength(2);
    const second = plan.patches[1].source;
    expect(second.kind === 'values' && second.values[0]).toBe(52);
    expect(firstAffectedPosition(plan, layout)).toBe(0);
  });

  it('names the field of every out-of-range value', () => {
    const cases: [Intervention, RegExp][] = [
      [{ kind: { $case: 'ablate', value: { heads: [{ layer: 4, head: 0 }] } } }, /variants\[0\]\.interventions\[0\]\.ablate\.heads\[0\]\.layer: layer 4 outside \[0, 4\)/],
      [{ kind: { $case: 'ablate', value: { heads: [{ layer: 0, head: 3 }] } } }, /ablate\.heads\[0\]\.head: head 3/],
      [{ kind: { $case: 'ablate', value: { heads: [] } } }, /ablate\.heads: at least one/],
      [{ kind: { $case: 'move', value: { dst: [0, 12], src: [1, 2] } } }, /move\.dst\[1\]: visual index 12 outside \[0, 12\)/],
      [{ kind: { $case: 'move', value: { dst: [0], src: [1, 2] } } }, /move\.src: dst has 1 entries, src 2/],
      [{ kind: { $case: 'replace', value: { positions: { flat: [], coordinates: [{ view: 3, row: 0, col: 0 }] }, value: { $case: 'zero', value: true } } } }, /coordinates\[0\]\.view: view 3/],
      [{ kind: { $case: 'replace', value: { positions: { flat: [0], coordinates: [] }, value: { $case: 'vector', value: float32Tensor(new Float32Array(5), [5]) } } } }, /replace\.vector: expected shape \[6\]/],
      [{ kind: { $case: 'knockout', value: { layers: [1], queries: { span: 0, explicit: [26] }, keys: { span: TextSpan.TEXT_SPAN_ALL, explicit: [] } } } }, /knockout\.queries\.explicit\[0\]: position 26 outside \[0, 26\)/],
      [{ kind: { $case: 'patch', value: { heads: [{ layer: 0, head: 0 }] } } }, /patch: patch source is not set/],
      [{}, /interventions\[0\]: intervention kind is not set/],
    ];
    for (const [intervention, message] of cases) expect(() => compile(intervention)).toThrowError(message);
    expect(() => compileVariants(Array(9).fill(variant()), layout, dims, limits)).toThrowError(/^variants: 9 variants exceed the limit of 8/);
  });

  it('never lets a variant change positions before its first affected position (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 11 }), fc.integer({ min: 0, max: 25 }), (visual, explicit) => {
        const plan = compile(
          { kind: { $case: 'replace', value: { positions: { flat: [visual], coordinates: [] }, value: { $case: 'zero', value: true } } } },
          { kind: { $case: 'ablate', value: { heads: [{ layer: 0, head: 0 }], positions: { span: 0, explicit: [explicit] } } } },
        );
        expect(firstAffectedPosition(plan, layout)).toBe(Math.min(5 + visual, explicit));
      }),
    );
  });
});

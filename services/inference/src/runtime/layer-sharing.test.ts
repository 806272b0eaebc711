// Planning shared layer prefixes: variants grouped by their first hooked layer, clean variants
// apart, and no plan when sharing would not save layer passes.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { Intervention } from '../interventions/intervention.ts';
import { planLayerSharing } from './layer-sharing.ts';

const ablate = (layer: number): Intervention => ({ ablations: [{ layer, head: 0 }] });

describe('planLayerSharing', () => {
  test('groups variants by the first layer any of their interventions touches, rounded down to a group start', () => {
    const variants: Intervention[] = [
      ablate(3),
      {},
      { knockouts: [{ layers: [5, 2], keyPositions: [0], queriesFrom: 1 }] },
      { patches: [{ layer: 7, head: 1, positions: [0], values: new Float32Array(4) }], ablations: [{ layer: 3, head: 2 }] },
      ablate(2),
      ablate(7),
    ];
    // 8 layers: groups may start at 0, 2, 4, 6.
    expect(planLayerSharing(variants, 8)).toEqual({
      cleanRows: [1],
      groups: [
        { fromLayer: 2, rows: [0, 2, 3, 4] },
        { fromLayer: 6, rows: [5] },
      ],
    });
    expect(planLayerSharing([ablate(29), ablate(31), {}], 32)?.groups).toEqual([{ fromLayer: 24, rows: [0, 1] }]);
  });

  test('gives no plan when the clean pass would cost more than it saves', () => {
    expect(planLayerSharing([ablate(0), ablate(0)], 8)).toBeNull();
    expect(planLayerSharing([ablate(5)], 8)).toBeNull();
    expect(planLayerSharing([ablate(1), ablate(0)], 8)).toBeNull();
    expect(planLayerSharing([ablate(5), ablate(5), ablate(0)], 8)).toBeNull(); // from 4: 8 + 4 + 4 + 8 passes = 24, as many as plain
    expect(planLayerSharing([ablate(6), ablate(6), ablate(0)], 8)).toEqual({ cleanRows: [], groups: [{ fromLayer: 0, rows: [2] }, { fromLayer: 6, rows: [0, 1] }] });
  });

  test('every row is planned once, and a plan costs fewer layer passes than the plain batch', () => {
    const variant = fc.oneof(fc.constant<Intervention>({}), fc.integer({ min: 0, max: 7 }).map(ablate));
    fc.assert(
      fc.property(fc.array(variant, { minLength: 1, maxLength: 12 }), (variants) => {
        const plan = planLayerSharing(variants, 8);
        if (!plan) return;
        const rows = [...plan.cleanRows, ...plan.groups.flatMap((g) => g.rows)].sort((a, b) => a - b);
        expect(rows).toEqual(variants.map((_, i) => i));
        const passes = 8 + plan.groups.reduce((sum, g) => sum + g.rows.length * (8 - g.fromLayer), 0);
        expect(passes).toBeLessThan(8 * variants.length);
        expect(plan.groups.every((g) => g.fromLayer % 2 === 0)).toBe(true);
      }),
    );
  });
});

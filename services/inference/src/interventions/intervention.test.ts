// The contract's range rule and the validation of hand-built interventions, without a model.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkIndex, convertedInterventions, firstHookedLayer, validateInterventions, type Intervention, type ModelDims } from './intervention.ts';

const dims: ModelDims = { layers: 4, heads: 3, headDim: 2, hidden: 6 };

describe('checkIndex', () => {
  it('accepts exactly the integers in [0, size), naming the field otherwise', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: -5, max: 15 }), fc.double({ noNaN: false })), fc.integer({ min: 0, max: 10 }), (value, size) => {
        const ok = Number.isInteger(value) && value >= 0 && value < size;
        if (ok) expect(() => checkIndex(value, size, 'layer', 'x.layer')).not.toThrow();
        else expect(() => checkIndex(value, size, 'layer', 'x.layer')).toThrowError(new RegExp(`^x\\.layer: layer .* outside \\[0, ${size}\\)$`));
      }),
    );
  });
});

describe('validateInterventions', () => {
  it('names the field of every out-of-range or mis-sized value', () => {
    const cases: [Intervention, string][] = [
      [{ knockouts: [{ layers: [4], keyPositions: [0] }] }, 'variants[1].knockouts[0].layers[0]'],
      [{ knockouts: [{ layers: [0], keyPositions: [10] }] }, 'variants[1].knockouts[0].key_positions[0]'],
      [{ knockouts: [{ layers: [0], keyPositions: [0], queriesFrom: -1 }] }, 'variants[1].knockouts[0].queries_from'],
      [{ ablations: [{ layer: 0, head: 3 }] }, 'variants[1].ablations[0].head'],
      [{ ablations: [{ layer: 0, head: 0, scale: 0.5, positions: [1] }] }, 'variants[1].ablations[0].scale'],
      [{ patches: [{ layer: 0, head: 0, positions: [1, 2], values: new Float32Array(3) }] }, 'variants[1].patches[0].values'],
    ];
    for (const [variant, field] of cases) {
      expect(() => validateInterventions([{}, variant], dims, 10)).toThrowError(expect.objectContaining({ field }));
    }
    expect(() => validateInterventions([{}, { patches: [{ layer: 3, head: 2, positions: [9], values: new Float32Array(2) }] }], dims, 10)).not.toThrow();
  });

  it('checks a list once: a checked list passes for the same dimensions and at most its positions, and is checked again otherwise', () => {
    const ablation: Intervention = { ablations: [{ layer: 3, head: 0, positions: [7] }] };
    const once = validateInterventions([ablation], dims, 8);
    expect(Object.isFrozen(once)).toBe(true);
    expect(validateInterventions(once, dims, 12)).toBe(once);
    expect(() => validateInterventions(once, dims, 7)).toThrowError(expect.objectContaining({ field: 'variants[0].ablations[0].positions[0]' }));
    expect(() => validateInterventions(once, { ...dims, layers: 3 }, 8)).toThrowError(expect.objectContaining({ field: 'variants[0].ablations[0].layer' }));
    // A converted request was checked while it was converted (variant-plan.ts): the runtime takes it as is.
    const converted = convertedInterventions([ablation], dims, 8);
    expect(validateInterventions(converted, dims, 8)).toBe(converted);
  });

  it('finds the first hooked layer of a variant', () => {
    expect(firstHookedLayer({})).toBe(Infinity);
    expect(firstHookedLayer({ knockouts: [{ layers: [3, 2], keyPositions: [] }], ablations: [{ layer: 1, head: 0 }] })).toBe(1);
  });
});

// RoPE frequencies: the default table against the formula transformers uses (and, through the
// parity tests, against its rope_cos/rope_sin), the scaled variants against their definitions.
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { ropeInverseFrequencies } from './rope.ts';
import { UnsupportedModelFeatureError } from './errors.ts';

describe('ropeInverseFrequencies', () => {
  test('default: 1/θ^(2i/d), float32', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }).map((h) => h * 2), fc.double({ min: 100, max: 1e7, noNaN: true }), (dim, theta) => {
        const inv = ropeInverseFrequencies(dim, theta, null);
        expect(inv.length).toBe(dim / 2);
        inv.forEach((v, i) => expect(v).toBeCloseTo(1 / Math.pow(theta, (2 * i) / dim), 6));
      }),
    );
  });

  test('linear scaling divides every frequency by the factor', () => {
    const plain = ropeInverseFrequencies(64, 10000, null);
    const scaled = ropeInverseFrequencies(64, 10000, { rope_type: 'linear', factor: 4 });
    scaled.forEach((v, i) => expect(v).toBeCloseTo(plain[i] / 4, 9));
  });

  test('llama3 scaling keeps high frequencies, divides low ones by the factor, interpolates between', () => {
    const scaling = { rope_type: 'llama3', factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8192 };
    const plain = ropeInverseFrequencies(128, 500000, null);
    const scaled = ropeInverseFrequencies(128, 500000, scaling);
    plain.forEach((f, i) => {
      const wavelen = (2 * Math.PI) / f;
      if (wavelen < 8192 / 4) expect(scaled[i]).toBe(f);
      else if (wavelen > 8192) expect(scaled[i]).toBeCloseTo(f / 8, 9);
      else {
        expect(scaled[i]).toBeLessThanOrEqual(f);
        expect(scaled[i]).toBeGreaterThanOrEqual(f / 8);
      }
    });
  });

  test('an unsupported scaling type or a missing parameter names the config field', () => {
    expect(() => ropeInverseFrequencies(64, 10000, { rope_type: 'yarn', factor: 2 })).toThrow(UnsupportedModelFeatureError);
    expect(() => ropeInverseFrequencies(64, 10000, { rope_type: 'yarn', factor: 2 })).toThrow(/text_config\.rope_scaling\.rope_type/);
    expect(() => ropeInverseFrequencies(64, 10000, { rope_type: 'linear' })).toThrow(/text_config\.rope_scaling\.factor/);
  });
});

import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@locscope/server-kit';
import { syntheticPositionCode } from './synthetic-code.ts';
import { trainPositionProbe } from './train-probe.ts';

const shape = { dim: 48, gridRows: 8, gridCols: 6 };
const base = { ...shape, images: 120, imagesPerBatch: 7, noise: 1.0, seed: 3 };
const training = { epochs: 4, batchSize: 64, learningRate: 0.01, seed: 1 };

describe('trainPositionProbe', () => {
  it('decodes a linearly decodable position code with ≥ 0.99 held-out accuracy', async () => {
    const result = await trainPositionProbe(syntheticPositionCode(base), shape, training);
    expect(result.rowAccuracy).toBeGreaterThanOrEqual(0.99);
    expect(result.colAccuracy).toBeGreaterThanOrEqual(0.99);
    expect(result.accuracy).toBeGreaterThanOrEqual(0.99);
    expect(result.heldOutTokens + result.trainTokens).toBe(120 * 48);
    // Held-out split is by image (groups): every position is evaluated as often as images were held out.
    expect(new Set(result.positionCounts).size).toBe(1);
    expect(result.epochLoss[result.epochLoss.length - 1]).toBeLessThan(result.epochLoss[0]);
    expect(Math.min(...result.positionAccuracy)).toBeGreaterThan(0.9);
  });

  it('stays at chance on shuffled labels', async () => {
    const result = await trainPositionProbe(syntheticPositionCode({ ...base, shuffleLabels: true }), shape, training);
    // Chance is 1/8 for rows and 1/6 for columns; held-out size ~1150 tokens gives σ ≈ 0.01.
    expect(result.rowAccuracy).toBeLessThan(1 / 8 + 0.05);
    expect(result.colAccuracy).toBeLessThan(1 / 6 + 0.05);
    expect(result.accuracy).toBeLessThan(0.06);
  });

  it('is reproducible for a seed', async () => {
    const source = syntheticPositionCode({ ...base, images: 20 });
    const a = await trainPositionProbe(source, shape, { ...training, epochs: 1 });
    const b = await trainPositionProbe(source, shape, { ...training, epochs: 1 });
    expect(Array.from(a.probe.weights)).toEqual(Array.from(b.probe.weights));
  });

  it('rejects probes with a single class and malformed batches, naming the field', async () => {
    const source = syntheticPositionCode({ ...base, images: 4 });
    await expect(trainPositionProbe(source, { ...shape, gridRows: 1 })).rejects.toThrow(/^grid_rows: /);
    const oneRow = () => [{ features: new Float32Array(4 * 48), rows: new Int32Array(4), cols: Int32Array.from([0, 1, 2, 3]) }];
    await expect(trainPositionProbe(oneRow, shape, { heldOutFraction: 0.5 })).rejects.toThrow(/^rows: .*single row class/);
    const short = () => [{ features: new Float32Array(10), rows: new Int32Array(4), cols: new Int32Array(4) }];
    await expect(trainPositionProbe(short, shape)).rejects.toThrow(InvalidArgumentError);
    await expect(trainPositionProbe(short, shape)).rejects.toThrow(/^batches\[0\]\.features: /);
    const outside = () => [{ features: new Float32Array(48), rows: Int32Array.from([8]), cols: new Int32Array(1) }];
    await expect(trainPositionProbe(outside, shape)).rejects.toThrow(/^batches\[0\]\.rows\[0\]: row 8 outside/);
  });
});

import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { ProbeFeatureFile } from './feature-file.ts';
import type { ProbeBatch } from './probe-data.ts';
import { syntheticPositionCode } from './synthetic-code.ts';
import { trainPositionProbe } from './train-probe.ts';

describe('ProbeFeatureFile', () => {
  const shape = { dim: 24, gridRows: 5, gridCols: 4 };

  it('replays appended batches exactly, in chunks of any size', async () => {
    const batches = [...(syntheticPositionCode({ ...shape, images: 9, imagesPerBatch: 2, noise: 0.3, seed: 5 })() as Iterable<any>)];
    const file = await ProbeFeatureFile.create(shape);
    try {
      for (const [i, batch] of batches.entries()) await file.append(batch, `batches[${i}]`);
      expect(file.tokenCount).toBe(9 * 20);
      const replayed: ProbeBatch[] = [];
      for await (const batch of file.source(7)()) replayed.push(batch);
      const concat = (key: 'features' | 'rows' | 'cols' | 'groups') => replayed.flatMap((b) => Array.from(b[key] as ArrayLike<number>));
      expect(concat('features')).toEqual(batches.flatMap((b) => Array.from(b.features as Float32Array)));
      expect(concat('rows')).toEqual(batches.flatMap((b) => Array.from(b.rows as Int32Array)));
      expect(concat('cols')).toEqual(batches.flatMap((b) => Array.from(b.cols as Int32Array)));
      expect(concat('groups')).toEqual(batches.flatMap((b) => Array.from(b.groups as Int32Array)));
      expect(replayed[0].rows).toHaveLength(7);
    } finally {
      await file.remove();
    }
    expect(existsSync(file.directory)).toBe(false);
  });

  it('trains the same probe as the in-memory source', async () => {
    const source = syntheticPositionCode({ ...shape, images: 30, imagesPerBatch: 30, noise: 0.5, seed: 6 });
    const file = await ProbeFeatureFile.create(shape);
    try {
      for (const batch of source() as Iterable<any>) await file.append(batch);
      const options = { epochs: 2, batchSize: 32, learningRate: 0.01 };
      // Same batching as the in-memory source (one batch of 600 tokens): shuffling is per batch.
      const fromFile = await trainPositionProbe(file.source(600), shape, options);
      const fromMemory = await trainPositionProbe(source, shape, options);
      expect(fromFile.accuracy).toBeGreaterThanOrEqual(0.99);
      expect(Array.from(fromFile.probe.weights)).toEqual(Array.from(fromMemory.probe.weights));
    } finally {
      await file.remove();
    }
  });

  it('rejects batches of the wrong shape naming the field', async () => {
    const file = await ProbeFeatureFile.create(shape);
    try {
      await expect(file.append({ features: new Float32Array(5), rows: new Int32Array(1), cols: new Int32Array(1) }, 'data')).rejects.toThrow(/^data\.features: /);
    } finally {
      await file.remove();
    }
  });
});

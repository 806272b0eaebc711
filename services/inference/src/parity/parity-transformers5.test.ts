// Parity on checkpoint/reference pairs that transformers 5 wrote (test-fixtures/transformers-5):
// shapes the shared fixtures do not have (GQA 3:1 and 5:1, head_dim ≠ hidden/heads, CLS kept, two
// views, tied embeddings), bf16/fp16 and sharded weights, and transformers 5's saved names and
// config fields. Every tensor must match, in float64 (as `locscope parity` runs small models) and
// in float32 (as deployed) within 1e-4, and in float16 (their default precision) within the derived tolerance.
import { describe, expect, test } from 'vitest';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCheckpoint } from '../checkpoint/index.ts';
import { Model } from '../runtime/model.ts';
import { Reference } from './reference.ts';
import { DEFAULT_ATOL, runParity } from './run-parity.ts';
import { float16Tolerance } from './float16-tolerance.ts';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../test-fixtures/transformers-5');

describe.each(['llava-gqa-bf16-sharded', 'llava-full-select-f16', 'internvl-gqa5-tied-f16'])('%s', (name) => {
  test.each(['float64', 'float32'] as const)('every reference tensor within atol in %s', async (precision) => {
    const dir = join(FIXTURES, name);
    const model = new Model(loadCheckpoint(dir), { precision, intraOpNumThreads: 1 });
    try {
      const reference = Reference.open(dir);
      const report = await runParity(model, reference, DEFAULT_ATOL);
      const failed = report.lines.filter((l) => !l.ok).map((l) => `${l.name}: ${l.problem ?? l.maxAbsDiff}`);
      expect(failed).toEqual([]);
      // Every intervention group was run and compared, not skipped.
      for (const group of ['ablate.logits', 'knockout.logits', 'patch_all.logits', 'patch_last.logits', 'logits']) {
        expect(report.lines.find((l) => l.name === group)?.maxAbsDiff).toBeLessThanOrEqual(DEFAULT_ATOL);
      }
      expect(report.maxAbsDiff).toBeGreaterThan(0);
    } finally {
      await model.dispose();
    }
  });

  test('every reference tensor within its derived tolerance in float16, the default for these half-precision checkpoints', async () => {
    const dir = join(FIXTURES, name);
    const model = new Model(loadCheckpoint(dir), { intraOpNumThreads: 1 });
    try {
      expect(model.precision).toBe('float16');
      const report = await runParity(model, Reference.open(dir), (output, expected) => float16Tolerance(output, expected, model.checkpoint.config));
      expect(report.lines.filter((l) => !l.ok)).toEqual([]);
      expect(report.greedy.agree + report.greedy.ties).toBe(report.greedy.positions);
    } finally {
      await model.dispose();
    }
  });
});

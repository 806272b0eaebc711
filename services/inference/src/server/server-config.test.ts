// The inference server's one config parse: flags win over env, env over the models file's per-model
// entries, those over named defaults; each bad value is refused naming its flag or field; and the
// launcher hands the parsed limits and load options to the running server.
import { credentials, status, type ServiceError } from '@grpc/grpc-js';
import { InferenceClient } from '@locscope/proto/v1/inference';
import { createLogger, parseFlags, SERVICE_FLAGS } from '@locscope/server-kit';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HF_PARITY_DIR, scratchDir } from '../checkpoint/test-support.ts';
import { DEFAULT_INFERENCE_PORT, inferenceLauncher } from '../launcher.ts';
import { DEFAULT_ACTIVATION_BUDGET_BYTES } from '../runtime/model.ts';
import { DEFAULT_LIMITS } from './limits.ts';
import { DEFAULT_STORED_RUNS } from './stored-runs.ts';
import { INFERENCE_FLAGS, loadOptionsFor, readInferenceServerConfig } from './server-config.ts';
import { unaryCaller, writeTinyLlava } from './test-support.ts';

const scratch = scratchDir('server-config');
afterAll(() => scratch.cleanup());

const modelsFile = (name: string, text: string) => {
  const path = join(scratch.dir, name);
  writeFileSync(path, text);
  return path;
};
const read = (argv: string[], env: NodeJS.ProcessEnv = {}) =>
  readInferenceServerConfig(parseFlags({ name: 'serve', summary: '', flags: { ...SERVICE_FLAGS, ...INFERENCE_FLAGS } }, argv).values, env, DEFAULT_INFERENCE_PORT);

describe('readInferenceServerConfig', () => {
  const file = modelsFile(
    'models.yaml',
    'models:\n  - {name: a, dir: ckpt/a, executionProvider: cuda, precision: float32}\n  - {name: b, dir: /abs/b, preload: true}\n',
  );

  it('uses the named defaults when nothing is given', () => {
    const config = read(['--models', file]);
    expect(config).toMatchObject({
      port: DEFAULT_INFERENCE_PORT,
      threads: undefined,
      cacheDir: undefined,
      activationBudgetBytes: DEFAULT_ACTIVATION_BUDGET_BYTES,
      limits: DEFAULT_LIMITS,
      storedRuns: DEFAULT_STORED_RUNS,
    });
    expect(config.models[1]).toEqual({ name: 'b', dir: '/abs/b', preload: true, executionProvider: 'cpu', precision: 'auto' });
  });

  it('takes flags over env over the models file entries over defaults', () => {
    // Entry a sets its own provider and precision; b has none.
    const fromFile = read(['--models', file]);
    expect(fromFile.models.map((m) => [m.executionProvider, m.precision])).toEqual([['cuda', 'float32'], ['cpu', 'auto']]);
    const env = { LOCSCOPE_MODELS: '/nope.yaml', LOCSCOPE_EXECUTION_PROVIDER: 'cpu', LOCSCOPE_PRECISION: 'float32', LOCSCOPE_THREADS: '3', LOCSCOPE_MAX_VARIANTS: '5', LOCSCOPE_CACHE_DIR: '/env-cache' };
    const fromEnv = read(['--models', file], env);
    expect(fromEnv.models.map((m) => [m.executionProvider, m.precision])).toEqual([['cpu', 'float32'], ['cpu', 'float32']]);
    expect(fromEnv).toMatchObject({ threads: 3, cacheDir: '/env-cache', limits: { ...DEFAULT_LIMITS, maxVariants: 5 } });
    expect(read(['--models', file], { LOCSCOPE_ACTIVATION_BUDGET_BYTES: '1000' }).activationBudgetBytes).toBe(1000);
    expect(read(['--models', file, '--activation-budget-bytes', '2000'], { LOCSCOPE_ACTIVATION_BUDGET_BYTES: '1000' }).activationBudgetBytes).toBe(2000);
    expect(read(['--models', file], { LOCSCOPE_STORED_RUN_TTL_MS: '5000' }).storedRuns).toEqual({ ...DEFAULT_STORED_RUNS, ttlMs: 5000 });
    expect(read(['--models', file, '--max-stored-run-bytes', '4096'], { LOCSCOPE_MAX_STORED_RUN_BYTES: '1' }).storedRuns).toEqual({ ...DEFAULT_STORED_RUNS, maxBytes: 4096 });
    const fromFlags = read(['--models', file, '--threads', '2', '--max-variants', '7', '--max-queue', '9', '--max-sequence', '4096', '--max-ig-steps', '16', '--cache-dir', '/flag-cache'], env);
    expect(fromFlags).toMatchObject({
      threads: 2,
      cacheDir: '/flag-cache',
      limits: { ...DEFAULT_LIMITS, maxVariants: 7, maxQueued: 9, maxSequenceTokens: 4096, maxAttributionSteps: 16 },
    });
  });

  it('refuses each bad value naming its flag or the models file field', () => {
    expect(() => read(['--models', file, '--execution-provider', 'tpu'])).toThrowError(/^execution-provider: expected one of cpu, cuda, got "tpu"/);
    expect(() => read(['--models', file], { LOCSCOPE_PRECISION: 'bfloat16' })).toThrowError(/^precision: expected one of auto, float32, float16/);
    expect(() => read(['--models', file, '--threads', '0'])).toThrowError(/^threads: expected an integer in \[1, 1024\], got "0"/);
    expect(() => read(['--models', file, '--max-variants', '1.5'])).toThrowError(/^max-variants: /);
    expect(() => read(['--models', file], { LOCSCOPE_MAX_IG_STEPS: '-1' })).toThrowError(/^max-ig-steps: /);
    expect(() => read(['--models', file, '--activation-budget-bytes', '0'])).toThrowError(/^activation-budget-bytes: expected an integer in \[1, 1099511627776\], got "0"/);
    expect(() => read(['--models', file, '--cache-dir', ' '])).toThrowError(/^cache-dir: must name a folder/);
    expect(() => read(['--models', file, '--stored-run-ttl-ms', '0'])).toThrowError(/^stored-run-ttl-ms: expected an integer in \[1, /);
    const badEntry = modelsFile('bad.yaml', 'models:\n  - {name: a, dir: x, precision: half}\n');
    expect(() => read(['--models', badEntry])).toThrowError(/bad\.yaml: models\[0\]\.precision: expected one of auto, float32, float16, got "half"/);
  });

  it('turns a served model into loadModel options', () => {
    const config = read(['--models', file, '--threads', '2', '--cache-dir', '/c']);
    expect(loadOptionsFor(config, config.models[0])).toEqual({
      activationBudgetBytes: DEFAULT_ACTIVATION_BUDGET_BYTES,
      executionProvider: 'cuda',
      precision: 'float32',
      intraOpNumThreads: 2,
      cacheDir: '/c/weights',
    });
    expect(loadOptionsFor({ threads: undefined, cacheDir: undefined, activationBudgetBytes: 4096 }, config.models[1])).toEqual({ activationBudgetBytes: 4096, executionProvider: 'cpu' });
    const half = read(['--models', file, '--precision', 'float16']);
    expect(half.models.map((m) => loadOptionsFor(half, m).precision)).toEqual(['float16', 'float16']);
  });
});

describe('inferenceLauncher', () => {
  it('starts a server that enforces the configured limits and stored-run budget', async () => {
    const dir = join(scratch.dir, 'tiny');
    writeTinyLlava(dir);
    const file = modelsFile('tiny.yaml', `models:\n  - {name: tiny, dir: ${dir}, preload: true}\n`);
    const config = read(['--models', file, '--port', '0', '--max-variants', '1', '--max-stored-run-bytes', '4', '--threads', '1', '--cache-dir', join(scratch.dir, 'cache')]);
    const server = await inferenceLauncher.start(config, createLogger({ level: 'silent' }));
    const client = new InferenceClient(server.address, credentials.createInsecure());
    try {
      const unary = unaryCaller(() => client);
      const image = { source: { $case: 'encoded' as const, value: readFileSync(join(HF_PARITY_DIR, 'preprocess/landscape_640x427.png')) } };
      const variants = [{ name: 'a', interventions: [] }, { name: 'b', interventions: [] }];
      const error = (await unary(client.score, { model: 'tiny', image, prompt: 'Where', target: 'cat', variants, maskMode: 0, mask: [] }).catch((e: unknown) => e)) as ServiceError;
      expect(error.code).toBe(status.INVALID_ARGUMENT);
      expect(error.details).toBe('variants: 2 variants exceed the limit of 1');
      const spec = { layers: [0], hiddenStates: true, headOutputs: false, attentionProbs: false, visionStates: false };
      const stored = await new Promise<ServiceError>((resolve) =>
        client.capture({ model: 'tiny', image, prompt: 'Where', target: 'cat', variants: [], spec, storeAs: 'src' }).on('error', resolve).resume(),
      );
      expect(stored.code).toBe(status.RESOURCE_EXHAUSTED);
      expect(stored.details).toMatch(/^store_as: a run of \d+ bytes exceeds the stored-run budget of 4 \(max-stored-run-bytes\)$/);
    } finally {
      client.close();
      await server.shutdown();
    }
  });
});

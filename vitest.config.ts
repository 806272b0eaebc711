import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'services/*/src/**/*.test.ts', 'test/**/*.test.ts', 'tools/**/*.test.ts'],
    // 2-core CI: forks keep native addons (onnxruntime, sharp) isolated per file.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Prepared model weights go to a cache of the test runs, not the user's ~/.cache.
    env: { LOCSCOPE_CACHE_DIR: join(tmpdir(), 'locscope-test-cache') },
  },
});

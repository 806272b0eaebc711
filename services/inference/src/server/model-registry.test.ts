import { status } from '@grpc/grpc-js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelRegistry, readModelsFile } from './model-registry.ts';

const file = (text: string) => {
  const dir = mkdtempSync(join(tmpdir(), 'models-'));
  const path = join(dir, 'models.yaml');
  writeFileSync(path, text);
  return { dir, path };
};

describe('readModelsFile', () => {
  it('resolves directories relative to the file', () => {
    const { dir, path } = file('models:\n  - name: llava-7b\n    dir: ckpt/llava\n    preload: true\n');
    expect(readModelsFile(path)).toEqual([{ name: 'llava-7b', dir: join(dir, 'ckpt/llava'), preload: true }]);
  });

  it('names the entry and field of a bad config', () => {
    expect(() => readModelsFile(file('models:\n  - name: a\n').path)).toThrowError(/models\[0\]\.dir: dir is required/);
    expect(() => readModelsFile(file('models:\n  - {name: a, dir: x}\n  - {name: a, dir: y}\n').path)).toThrowError(/models\[1\]\.name: duplicate/);
    expect(() => readModelsFile(file('nothing: 1\n').path)).toThrowError(/needs a "models" list/);
  });
});

describe('ModelRegistry', () => {
  it('loads once, shares concurrent loads, and reports readiness', async () => {
    let loads = 0;
    const registry = new ModelRegistry([{ name: 'm', dir: '/x', preload: true }], async (e) => {
      loads++;
      return e.dir;
    });
    expect(registry.isLoaded('m')).toBe(false);
    expect(await Promise.all([registry.get('m'), registry.get('m')])).toEqual(['/x', '/x']);
    expect(loads).toBe(1);
    expect(registry.isLoaded('m')).toBe(true);
  });

  it('answers NOT_FOUND for unknown names and UNAVAILABLE for failed loads (retryable)', async () => {
    let fail = true;
    const registry = new ModelRegistry([{ name: 'm', dir: '/x', preload: false }], async () => {
      if (fail) throw new Error('truncated safetensors');
      return 1;
    });
    await expect(registry.get('other', 'model')).rejects.toMatchObject({ code: status.NOT_FOUND, message: expect.stringMatching(/^model: unknown model "other"/) });
    await expect(registry.get('m')).rejects.toMatchObject({ code: status.UNAVAILABLE });
    fail = false;
    expect(await registry.get('m')).toBe(1);
  });
});

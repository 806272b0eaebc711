import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '@locscope/server-kit';
import { describe, expect, it, vi } from 'vitest';
import { scenesCommand } from './scenes.ts';

describe('locscope scenes', () => {
  it('rejects missing or malformed flags with a usage error naming the flag', async () => {
    await expect(scenesCommand.run(['--count', '2', '--out', '/tmp/x'])).rejects.toThrow(/--seed is required/);
    await expect(scenesCommand.run(['--seed', '1', '--count', '0', '--out', '/tmp/x'])).rejects.toThrow(/--count must be an integer ≥ 1/);
    await expect(scenesCommand.run(['--seed', '1.5', '--count', '2', '--out', '/tmp/x'])).rejects.toBeInstanceOf(UsageError);
    await expect(scenesCommand.run(['--seed', '1', '--count', '2'])).rejects.toThrow(/--out is required/);
    await expect(scenesCommand.run(['--bogus'])).rejects.toBeInstanceOf(UsageError);
  });

  it('writes N images and the annotations', async () => {
    const out = await mkdtemp(join(tmpdir(), 'scenes-cli-'));
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(await scenesCommand.run(['--seed', '4', '--count', '2', '--out', out])).toBe(0);
      expect((await readdir(join(out, 'images'))).sort()).toEqual(['000000.png', '000001.png']);
      expect(await readdir(out)).toContain('annotations.json');
    } finally {
      write.mockRestore();
      await rm(out, { recursive: true, force: true });
    }
  });
});

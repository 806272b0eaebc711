// `locscope serve`: a service started by the CLI answers grpc.health.v1 and stops on SIGTERM.
import { checkHealth, listServicesByReflection } from '@locscope/server-kit/testing';
import { describe, expect, it } from 'vitest';
import { finished, spawnLocscope } from './support/orchestrator.ts';

describe('locscope serve', () => {
  it('starts the masks service, serves health and reflection, drains on SIGTERM', async () => {
    const child = spawnLocscope(['serve', 'masks', '--port', '0']);
    const exit = finished(child);
    const address = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        const match = /^masks (\S+)\n/m.exec(out);
        if (match) resolve(match[1]);
      });
      child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
    });
    expect(await checkHealth(address, 'locscope.v1.Masks')).toBe('SERVING');
    expect(await listServicesByReflection(address)).toContain('locscope.v1.Masks');
    child.kill('SIGTERM');
    expect((await exit).code).toBe(0);
  });

  it('rejects an unknown service with a usage error', async () => {
    const result = await finished(spawnLocscope(['serve', 'nope']));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^locscope serve: expected a service name \(masks, inference, inpainting, metrics, orchestrator\) or "all", got "nope"/);
  });
});

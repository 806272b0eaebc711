// `locscope serve`: a service started by the CLI answers grpc.health.v1 and stops on SIGTERM.
import { checkHealth, freePort, listServicesByReflection } from '@locscope/server-kit/testing';
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

  it('serves health alone on LOCSCOPE_HEALTH_PORT, as the Kubernetes probes use it', async () => {
    const healthPort = await freePort();
    const child = spawnLocscope(['serve', 'masks', '--port', '0'], { env: { LOCSCOPE_HEALTH_PORT: String(healthPort) } });
    const exit = finished(child);
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (c: Buffer) => /^masks /m.test(c.toString()) && resolve());
      child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
    });
    expect(await checkHealth(`127.0.0.1:${healthPort}`, 'locscope.v1.Masks')).toBe('SERVING');
    await expect(listServicesByReflection(`127.0.0.1:${healthPort}`)).rejects.toThrow();
    child.kill('SIGTERM');
    expect((await exit).code).toBe(0);
  });

  it('rejects an unknown service with a usage error', async () => {
    const result = await finished(spawnLocscope(['serve', 'nope']));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^locscope serve: expected a service name \(masks, inference, inpainting, metrics, orchestrator\) or "all", got "nope"/);
  });

  it('refuses to listen beyond loopback without TLS and callers, saying what to configure', async () => {
    const result = await finished(spawnLocscope(['serve', 'masks', '--host', '0.0.0.0', '--port', '0']));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^locscope serve: host: listening on 0\.0\.0\.0 \(beyond loopback\) needs --tls-cert\/--tls-key and --auth-tokens; give --insecure/);
    expect(result.stdout).toBe('');
  });
});

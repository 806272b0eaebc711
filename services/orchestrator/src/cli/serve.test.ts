// `serve all --port P`'s order against the README's contract (issue 13 item 5: it assigned P.. in
// the launchers' order, masks first): the services in the order of their documented default ports.
import { describe, expect, it } from 'vitest';
import { DEFAULT_ORCHESTRATOR_PORT } from '../api/options.ts';
import { isServiceName, launcher, SERVICE_NAMES } from '../services/launchers.ts';
import { ALL_IN_PORT_ORDER } from './serve.ts';

describe('serve all', () => {
  it('starts every service in default-port order: inference 50051, masks 50052, metrics 50053, inpainting 50054, orchestrator 50055', async () => {
    const ports = await Promise.all(
      ALL_IN_PORT_ORDER.map(async (name) => `${name} ${isServiceName(name) ? (await launcher(name)).defaultPort : DEFAULT_ORCHESTRATOR_PORT}`),
    );
    expect(ports).toEqual(['inference 50051', 'masks 50052', 'metrics 50053', 'inpainting 50054', 'orchestrator 50055']);
    expect([...ALL_IN_PORT_ORDER].sort()).toEqual([...SERVICE_NAMES, 'orchestrator'].sort());
  });
});

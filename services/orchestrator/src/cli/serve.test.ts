// `serve all --port P`'s order against the README's contract (issue 13 item 5: it assigned P.. in
// the launchers' order, masks first): the services in the order of their documented default ports.
import { describe, expect, it } from 'vitest';
import { launcher, SERVICE_NAMES } from '../services/launchers.ts';
import { ALL_IN_PORT_ORDER } from './serve.ts';

describe('serve all', () => {
  it('starts every service in default-port order: inference 50051, masks 50052, metrics 50053, inpainting 50054', async () => {
    const ports = await Promise.all(ALL_IN_PORT_ORDER.map(async (name) => `${name} ${(await launcher(name)).defaultPort}`));
    expect(ports).toEqual(['inference 50051', 'masks 50052', 'metrics 50053', 'inpainting 50054']);
    expect([...ALL_IN_PORT_ORDER].sort()).toEqual([...SERVICE_NAMES].sort());
  });
});

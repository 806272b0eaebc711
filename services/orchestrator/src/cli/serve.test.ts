// `serve`'s ports against the README's contract (issue 13 item 5: `serve all --port P` assigned
// P.. in the launchers' order, masks first, not the documented one).
import { describe, expect, it } from 'vitest';
import { servePlan } from './serve.ts';

describe('servePlan', () => {
  it('gives `all --port P` the ports P, P+1, P+2, P+3 in the README order: inference, masks, metrics, inpainting', () => {
    expect(servePlan('all', 7000)).toEqual([
      { name: 'inference', port: 7000 },
      { name: 'masks', port: 7001 },
      { name: 'metrics', port: 7002 },
      { name: 'inpainting', port: 7003 },
    ]);
  });

  it('uses the documented default ports without --port, and any free port with --port 0', () => {
    expect(servePlan('all', -1).map(({ name, port }) => `${name} ${port}`)).toEqual(['inference 50051', 'masks 50052', 'metrics 50053', 'inpainting 50054']);
    expect(servePlan('metrics', 0)).toEqual([{ name: 'metrics', port: 0 }]);
    expect(servePlan('masks', 9000)).toEqual([{ name: 'masks', port: 9000 }]);
  });
});

// The masks server's limits as serve flags: `--help` lists each with its named default, flags win
// over env over defaults, a bad value names its flag, and a limit given on the command line is the
// one the running server prices requests against.
import { credentials, status, type ServiceError } from '@grpc/grpc-js';
import { ModelFamily } from '@locscope/proto/v1/model_family';
import { MasksClient, type ProjectRequest } from '@locscope/proto/v1/masks';
import { commandHelp, createLogger, parseFlags, SERVICE_FLAGS, type RunningServer } from '@locscope/server-kit';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_MASKS_PORT, masksLauncher } from '../launcher.ts';
import { DEFAULT_MASKS_LIMITS } from './limits.ts';

const spec = { name: 'serve masks', summary: '', flags: { ...SERVICE_FLAGS, ...masksLauncher.flags } };
const read = (argv: string[], env: NodeJS.ProcessEnv = {}) => masksLauncher.readConfig(parseFlags(spec, argv).values, env, DEFAULT_MASKS_PORT);

let server: RunningServer | undefined;
afterAll(() => server?.shutdown());

describe('masks server config', () => {
  it('lists every cost limit in --help with its default and env var', () => {
    const help = commandHelp(spec).replace(/\s+/g, ' ');
    expect(help).toContain(`--max-outline-points <N> lattice points of the polygon outlines of one Project/Containerize request (default: ${DEFAULT_MASKS_LIMITS.maxOutlinePoints}; env: LOCSCOPE_MAX_OUTLINE_POINTS)`);
    expect(help).toContain(`(default: ${DEFAULT_MASKS_LIMITS.maxCellVisits}; env: LOCSCOPE_MAX_CELL_VISITS)`);
    expect(help).toContain(`(default: ${DEFAULT_MASKS_LIMITS.maxResponseBytes}; env: LOCSCOPE_MAX_RESPONSE_BYTES)`);
  });

  it('takes flags over env over the named defaults, and names the flag of a bad value', () => {
    expect(read([]).limits).toEqual(DEFAULT_MASKS_LIMITS);
    expect(read([], { LOCSCOPE_MAX_CELL_VISITS: '1000' }).limits).toEqual({ ...DEFAULT_MASKS_LIMITS, maxCellVisits: 1000 });
    expect(read(['--max-cell-visits', '2000', '--max-response-bytes', '4096'], { LOCSCOPE_MAX_CELL_VISITS: '1000' }).limits).toEqual({
      ...DEFAULT_MASKS_LIMITS,
      maxCellVisits: 2000,
      maxResponseBytes: 4096,
    });
    expect(() => read(['--max-outline-points', '0'])).toThrowError(/^max-outline-points: expected an integer in \[1, /);
    expect(() => read([], { LOCSCOPE_MAX_RESPONSE_BYTES: 'lots' })).toThrowError(/^max-response-bytes: .*got "lots"/);
  });

  it('prices requests against the limits it was started with', { timeout: 60_000 }, async () => {
    server = await masksLauncher.start({ ...read(['--port', '0', '--max-outline-points', '100']), shutdownGraceMs: 1000 }, createLogger({ level: 'silent' }));
    const client = new MasksClient(server.address, credentials.createInsecure());
    // A 100-pixel square traces 4 × (5 · 100) + 4 = 2004 outline points: over this server's 100.
    const request: ProjectRequest = {
      grid: { family: ModelFamily.MODEL_FAMILY_LLAVA, width: 336, height: 336, minTiles: 0, maxTiles: 0, llavaGridSize: 0, internvlViewGridSize: 0 },
      segmentation: { kind: { $case: 'polygons', value: { polygons: [{ xy: [10, 10, 110, 10, 110, 110, 10, 110] }] } } },
      paddings: [0],
    };
    const error = await new Promise<ServiceError | null>((resolve) => client.project(request, (e) => resolve(e)));
    client.close();
    expect(error?.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(error?.details).toMatch(/^segmentation\.polygons: .*exceeds the server's limit of 100 \(max-outline-points\)/);
  });
});

// Reflection as standard tools use it: `buf curl` (a devDependency, not our code) lists every
// service of `serve all` from its reflection answers, Health included, and calls methods whose
// request schema it learned only that way.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finished, REPO_ROOT, spawnLocscope } from './support/orchestrator.ts';

const run = promisify(execFile);
const BUF = join(REPO_ROOT, 'node_modules/.bin/buf');

function bufCurl(args: string[]): Promise<string> {
  return run(BUF, ['curl', '--protocol', 'grpc', '--http2-prior-knowledge', ...args], { timeout: 30_000 }).then((r) => r.stdout);
}

const EXPECTED: Record<string, string[]> = {
  masks: ['locscope.v1.Masks/Preprocess', 'locscope.v1.Masks/FilterDataset'],
  inference: ['locscope.v1.Inference/Score', 'inference.GRPCInferenceService/ModelInfer', 'inference.GRPCInferenceService/ServerLive'],
  inpainting: ['locscope.v1.Inpainting/Remove'],
  metrics: ['locscope.v1.Metrics/ParseAnswers'],
  orchestrator: [
    'locscope.v1.Orchestrator/SubmitRun',
    'locscope.v1.Orchestrator/GetRun',
    'locscope.v1.Orchestrator/ListRuns',
    'locscope.v1.Orchestrator/WatchRun',
    'locscope.v1.Orchestrator/CancelRun',
    'locscope.v1.Orchestrator/GetReport',
  ],
};

let child: ReturnType<typeof spawnLocscope>;
let exit: ReturnType<typeof finished>;
const addresses: Record<string, string> = {};
let out: string;

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'locscope-reflection-'));
  child = spawnLocscope(['serve', 'all', '--port', '0', '--out', out]);
  exit = finished(child);
  await new Promise<void>((resolve, reject) => {
    let stdout = '';
    child.stdout!.on('data', (c: Buffer) => {
      stdout += c.toString();
      for (const match of stdout.matchAll(/^(\w+) (\S+)$/gm)) addresses[match[1]] = match[2];
      if (Object.keys(addresses).length === 5) resolve();
    });
    child.once('exit', (code) => reject(new Error(`serve all exited with ${code}`)));
  });
}, 120_000);

afterAll(async () => {
  child.kill('SIGTERM');
  await exit;
  await rm(out, { recursive: true, force: true });
});

describe('reflection', () => {
  it('lets buf curl list every service of serve all, Health included', async () => {
    for (const [name, methods] of Object.entries(EXPECTED)) {
      const listed = (await bufCurl(['--list-methods', `http://${addresses[name]}`])).trim().split('\n');
      expect(listed, name).toEqual(expect.arrayContaining(['grpc.health.v1.Health/Check', 'grpc.health.v1.Health/Watch', ...methods]));
    }
  });

  it('lets buf curl call Health and a locscope method through the reflected schema', async () => {
    const health = await bufCurl(['-d', '{"service":"locscope.v1.Orchestrator"}', `http://${addresses.orchestrator}/grpc.health.v1.Health/Check`]);
    expect(JSON.parse(health)).toEqual({ status: 'SERVING' });
    const runs = await bufCurl(['-d', '{}', `http://${addresses.orchestrator}/locscope.v1.Orchestrator/ListRuns`]);
    expect(JSON.parse(runs)).toEqual({});
  });
});

// The Python client as a notebook user runs it: `pip install ./clients/python` into a venv with no
// package index (Debian's python3-grpcio, protobuf and numpy underneath), then the example script
// against a live `serve all`: it submits a baseline run, watches it to the end, reads the report
// and scores one prompt under two interventions. Its numbers must equal what the TypeScript
// generated client gets for the same Score request.
import { credentials, Metadata } from '@grpc/grpc-js';
import { decodeFloat32 } from '@locscope/proto';
import { InferenceClient, type ScoreRequest, type ScoreResponse } from '@locscope/proto/v1/inference';
import { RunStatus } from '@locscope/proto/v1/orchestrator';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finished, REPO_ROOT, spawnLocscope } from './support/orchestrator.ts';

const run = promisify(execFile);
const IMAGE = join(REPO_ROOT, 'data/scenes/eval/images/000000.png');

let root: string;
let child: ReturnType<typeof spawnLocscope>;
let exit: ReturnType<typeof finished>;
const addresses: Record<string, string> = {};

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'locscope-python-'));
  child = spawnLocscope(['serve', 'all', '--port', '0', '--out', join(root, 'runs')]);
  exit = finished(child);
  const listening = new Promise<void>((resolve, reject) => {
    let stdout = '';
    child.stdout!.on('data', (c: Buffer) => {
      stdout += c.toString();
      for (const match of stdout.matchAll(/^(\w+) (\S+)$/gm)) addresses[match[1]] = match[2];
      if (Object.keys(addresses).length === 5) resolve();
    });
    child.once('exit', (code) => reject(new Error(`serve all exited with ${code}`)));
  });
  // --no-index: nothing may come from a package index; the venv sees Debian's packages.
  await run('/usr/bin/python3', ['-m', 'venv', '--system-site-packages', join(root, 'venv')]);
  await run(join(root, 'venv/bin/pip'), ['install', '--no-index', '--quiet', join(REPO_ROOT, 'clients/python')], { timeout: 120_000 });
  await listening;
}, 180_000);

afterAll(async () => {
  child.kill('SIGTERM');
  await exit;
  await rm(root, { recursive: true, force: true });
});

interface Summary {
  run_id: string;
  status: number;
  samples: number;
  tables: string[];
  scores: Record<string, number[]>;
}

function tsScore(request: Partial<ScoreRequest>): Promise<ScoreResponse> {
  const client = new InferenceClient(addresses.inference, credentials.createInsecure());
  return new Promise<ScoreResponse>((resolve, reject) =>
    client.score({ model: '', prompt: '', target: '', variants: [], maskMode: 0, mask: [], ...request } as ScoreRequest, new Metadata(), (e, r) =>
      e ? reject(e) : resolve(r),
    ),
  ).finally(() => client.close());
}

describe('Python client', () => {
  it('runs the example: a baseline run watched to done, its report, and Score with two interventions', async () => {
    const { stdout } = await run(
      join(root, 'venv/bin/python'),
      [join(REPO_ROOT, 'examples/python/notebook.py'), '--orchestrator', addresses.orchestrator, '--inference', addresses.inference, '--image', IMAGE, '--run-id', 'py1'],
      { timeout: 240_000, cwd: root },
    );
    const summary = JSON.parse(stdout.trim().split('\n').pop()!) as Summary;
    expect(summary).toMatchObject({ run_id: 'py1', status: RunStatus.RUN_STATUS_DONE, samples: 4, tables: ['baseline'] });
    expect(Object.keys(summary.scores).sort()).toEqual(['ablate-64', 'clean', 'knockout-0-1']);

    const visual = Array.from({ length: 64 }, (_, i) => i);
    const reference = await tsScore({
      model: 'demo-llava',
      image: { source: { $case: 'encoded', value: await readFile(IMAGE) } },
      prompt: 'What is in the image?',
      target: 'a square',
      variants: [
        { name: 'clean', interventions: [] },
        { name: 'ablate-64', interventions: [{ kind: { $case: 'replace', value: { positions: { flat: visual, coordinates: [] }, value: { $case: 'zero', value: true } } } }] },
        {
          name: 'knockout-0-1',
          interventions: [{ kind: { $case: 'knockout', value: { layers: [0, 1], queries: { span: 3, explicit: [] }, keys: { span: 0, visual: { flat: visual, coordinates: [] }, explicit: [] } } } }],
        },
      ],
    });
    for (const score of reference.scores) {
      expect(summary.scores[score.variant], score.variant).toEqual(Array.from(decodeFloat32(score.tokenLogProbs, 'token_log_probs')));
    }
    // The interventions change what the model predicts.
    expect(summary.scores['ablate-64']).not.toEqual(summary.scores.clean);
    expect(summary.scores['knockout-0-1']).not.toEqual(summary.scores.clean);
  });
});

// Both clients as another team uses them, against a live `serve all`. Python: `pip install
// ./clients/python` into a venv with no package index (Debian's python3-grpcio, protobuf and numpy
// underneath). TypeScript: `npm pack` of @locscope/client installed into a folder outside the
// monorepo. Each runs its example: submit a baseline run, watch it to the end, read the report,
// score one prompt under two interventions; the numbers must equal what the monorepo's generated
// client gets for the same Score request. The Python Open Inference Protocol example's forward,
// generation and mask tensors must equal Score and Generate likewise.
import { credentials, Metadata } from '@grpc/grpc-js';
import { decodeFloat32 } from '@locscope/proto';
import { InferenceClient, type GenerateResponse, type ScoreRequest, type ScoreResponse } from '@locscope/proto/v1/inference';
import { RunStatus } from '@locscope/proto/v1/orchestrator';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
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
  await installTsClient();
  await listening;
}, 240_000);

/** npm pack (which builds dist/) → unpacked into <root>/node-project/node_modules, next to its two dependencies. */
async function installTsClient(): Promise<void> {
  const packDir = join(root, 'pack');
  await mkdir(packDir);
  await run('npm', ['pack', '--ignore-scripts=false', '--pack-destination', packDir, '-w', 'packages/client'], { cwd: REPO_ROOT, timeout: 180_000 });
  const [tarball] = await readdir(packDir);
  const modules = join(root, 'node-project/node_modules');
  await mkdir(join(modules, '@locscope/client'), { recursive: true });
  await run('tar', ['-xzf', join(packDir, tarball), '-C', join(modules, '@locscope/client'), '--strip-components', '1']);
  for (const dependency of ['@grpc/grpc-js', '@bufbuild/protobuf']) {
    await mkdir(join(modules, dirname(dependency)), { recursive: true });
    await symlink(join(REPO_ROOT, 'node_modules', dependency), join(modules, dependency));
  }
}

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

async function tsGenerate(maxNewTokens: number): Promise<GenerateResponse> {
  const image = await readFile(IMAGE);
  const client = new InferenceClient(addresses.inference, credentials.createInsecure());
  return new Promise<GenerateResponse>((resolve, reject) =>
    client.generate(
      { model: 'demo-llava', image: { source: { $case: 'encoded', value: image } }, prompt: 'What is in the image?', variants: [], maxNewTokens, stop: [] },
      new Metadata(),
      (e, r) => (e ? reject(e) : resolve(r)),
    ),
  ).finally(() => client.close());
}

/** The example's summary; both examples print the same one. */
async function example(command: string, script: string, runId: string): Promise<Summary> {
  const args = [script, '--orchestrator', addresses.orchestrator, '--inference', addresses.inference, '--image', IMAGE, '--run-id', runId];
  const { stdout } = await run(command, args, { timeout: 240_000, cwd: root });
  const summary = JSON.parse(stdout.trim().split('\n').pop()!) as Summary;
  expect(summary).toMatchObject({ run_id: runId, status: RunStatus.RUN_STATUS_DONE, samples: 4, tables: ['baseline'] });
  expect(Object.keys(summary.scores).sort()).toEqual(['ablate-64', 'clean', 'knockout-0-1']);
  await expectReferenceScores(summary);
  return summary;
}

/** Score through the monorepo's generated client, with the interventions spelled out by hand. */
async function expectReferenceScores(summary: Summary): Promise<void> {
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
}

describe('clients', () => {
  it('Python: the example submits, watches, reads the report and scores two interventions', async () => {
    await example(join(root, 'venv/bin/python'), join(REPO_ROOT, 'examples/python/notebook.py'), 'py1');
  });

  it('Python: the Open Inference Protocol example equals Score and Generate', async () => {
    const { stdout } = await run(join(root, 'venv/bin/python'), [join(REPO_ROOT, 'examples/python/open_inference.py'), '--inference', addresses.inference, '--image', IMAGE], {
      timeout: 120_000,
      cwd: root,
    });
    const summary = JSON.parse(stdout.trim().split('\n').pop()!);
    const N = summary.visual_tokens;
    const visual = Array.from({ length: N }, (_, i) => i);
    const reference = await tsScore({
      model: 'demo-llava',
      image: { source: { $case: 'encoded', value: await readFile(IMAGE) } },
      prompt: 'What is in the image?',
      target: 'a square',
      variants: [
        { name: 'clean', interventions: [] },
        { name: 'ablate', interventions: [{ kind: { $case: 'replace', value: { positions: { flat: visual, coordinates: [] }, value: { $case: 'zero', value: true } } } }] },
        {
          name: 'knockout',
          interventions: [{ kind: { $case: 'knockout', value: { layers: [0, 1], queries: { span: 3, explicit: [] }, keys: { span: 0, visual: { flat: visual, coordinates: [] }, explicit: [] } } } }],
        },
      ],
    });
    expect(summary.variants).toEqual(['row0', 'row1', 'row2']);
    expect(summary.target_token_ids).toEqual(reference.targetTokenIds);
    expect(summary.token_log_probs).toEqual(reference.scores.map((s) => Array.from(decodeFloat32(s.tokenLogProbs, 'token_log_probs'))));
    // log_softmax of the plain forward's logits at the first answer token is Score's first log-prob.
    const logits: number[] = summary.next_token_logits;
    const max = Math.max(...logits);
    const logSoftmax = logits[reference.targetTokenIds[0]] - max - Math.log(logits.reduce((sum, v) => sum + Math.exp(v - max), 0));
    expect(logSoftmax).toBeCloseTo(summary.token_log_probs[0][0], 4);
    const [generation] = (await tsGenerate(8)).generations;
    expect([summary.text, summary.token_ids.filter((id: number) => id !== -1)]).toEqual([generation.text, generation.tokenIds]);
  });

  it('the demo-model baseline run submitted by the example equals the CLI run, byte for byte', async () => {
    // The CLI gets the shipped baseline config with the example's override (samples: 4) written in.
    const configs = join(root, 'cli-configs');
    await mkdir(configs);
    const shipped = await readFile(join(REPO_ROOT, 'services/orchestrator/configs/baseline.yaml'), 'utf8');
    expect(shipped).toMatch(/^ {4}samples: 64$/m);
    await writeFile(join(configs, 'baseline.yaml'), shipped.replace(/^ {4}samples: 64$/m, '    samples: 4'));
    const cli = await finished(spawnLocscope(['run', '--experiments', 'baseline', '--run-id', 'py1', '--out', join(root, 'cli'), '--configs', configs]));
    expect(cli.code, cli.stderr).toBe(0);
    for (const file of ['aggregates/baseline.json', 'report/tables.json']) {
      expect(await readFile(join(root, 'runs/py1', file), 'utf8'), file).toBe(await readFile(join(root, 'cli/py1', file), 'utf8'));
    }
  }, 240_000);

  it('TypeScript: the packed @locscope/client works outside the monorepo without server-kit', async () => {
    const manifest = JSON.parse(await readFile(join(root, 'node-project/node_modules/@locscope/client/package.json'), 'utf8'));
    expect(Object.keys(manifest.dependencies).sort()).toEqual(['@bufbuild/protobuf', '@grpc/grpc-js']);
    // The example runs from the outside folder, where only the packed client and its dependencies resolve.
    const script = join(root, 'node-project/notebook.mjs');
    await run('cp', [join(REPO_ROOT, 'examples/node/notebook.mjs'), script]);
    await example(process.execPath, script, 'ts1');
  });
});

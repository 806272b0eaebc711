// What a notebook does with locscope, as a Node script using the published @locscope/client:
// submit a run, watch it, read its report, and score one prompt under two interventions.
//
//   node examples/node/notebook.mjs --orchestrator HOST:PORT --inference HOST:PORT \
//     --image data/scenes/eval/images/000000.png
//
// (`locscope serve all` prints both addresses.) The last line of stdout is a JSON summary, the
// same as examples/python/notebook.py prints.
import {
  ablateVisualTokens,
  connect,
  decodeTensor,
  InferenceClient,
  knockOutLayers,
  OrchestratorClient,
  unary,
  variant,
} from '@locscope/client';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    orchestrator: { type: 'string' },
    inference: { type: 'string' },
    image: { type: 'string' },
    'run-id': { type: 'string', default: '' },
    samples: { type: 'string', default: '4' },
    model: { type: 'string', default: 'demo-llava' },
  },
});
const orchestrator = connect(OrchestratorClient, args.orchestrator);
const inference = connect(InferenceClient, args.inference);

// 1. A baseline run with fewer samples than the profile's, then its events until it is done.
const submitted = await unary(orchestrator, orchestrator.submitRun, {
  runId: args['run-id'],
  experiments: ['baseline'],
  profile: '',
  configOverrides: { baseline: { samples: Number(args.samples) } },
});
const runId = submitted.run.runId;
let samples = 0;
let final;
for await (const event of orchestrator.watchRun({ runId, afterSequence: 0 })) {
  if (event.event?.$case === 'sample') samples++;
  if (event.event?.$case === 'done') final = event.event.value;
}
const chunks = [];
for await (const chunk of orchestrator.getReport({ runId, paths: ['tables.json'], listOnly: false })) chunks.push(chunk.data);
const tables = JSON.parse(Buffer.concat(chunks).toString('utf8'));

// 2. Score a target under the clean run and two interventions: the first 64 visual tokens zeroed,
//    and text positions after the image blocked from all visual tokens in layers 0–1.
const first64 = Array.from({ length: 64 }, (_, i) => i);
const response = await unary(inference, inference.score, {
  model: args.model,
  image: { source: { $case: 'encoded', value: await readFile(args.image) } },
  prompt: 'What is in the image?',
  target: 'a square',
  variants: [variant('clean'), variant('ablate-64', ablateVisualTokens(first64)), variant('knockout-0-1', knockOutLayers([0, 1], first64))],
  maskMode: 0,
  mask: [],
});
orchestrator.close();
inference.close();

const scores = Object.fromEntries(response.scores.map((s) => [s.variant, Array.from(decodeTensor(s.tokenLogProbs).data)]));
console.log(JSON.stringify({ run_id: runId, status: final.status, samples, tables: Object.keys(tables).sort(), scores }));

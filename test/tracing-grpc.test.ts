// One trace per sample across the orchestrator and a real gRPC hop: an embedded run whose
// experiment calls the masks service (started in-process by the orchestrator on a loopback port).
import { orderStages, parseConfig, registerExperiment, runEmbedded, ServiceConnections, type Experiment } from '@locscope/orchestrator';
import { BoxSpace, MasksClient, type ConvertBoxRequest, type ConvertBoxResponse } from '@locscope/proto/v1/masks';
import { ModelFamily } from '@locscope/proto/v1/model_family';
import { createLogger, setupTelemetry } from '@locscope/server-kit';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { afterAll, describe, expect, it } from 'vitest';

const telemetry = setupTelemetry({ serviceName: 'tracing-test', inMemory: true });
const logger = createLogger({ level: 'silent' });

type Box = [number, number, number, number];

/** InternVL answer-space boxes (0–1000 of the image) to pixels of a 640×480 image, over gRPC. */
const boxExperiment: Experiment<Record<string, never>, { box: Box }, { pixels: Box }> = {
  id: 'box-convert',
  version: 1,
  params: z.object({}).strict(),
  dependsOn: [],
  async plan() {
    const boxes: Box[] = [[0, 0, 1000, 1000], [500, 500, 1000, 1000], [250, 0, 750, 500]];
    return boxes.map((box, i) => ({ sample: `b${i}`, input: { box } }));
  },
  async runSample(job, { clients }) {
    const masks = await clients.client('masks', MasksClient);
    const [x0, y0, x1, y1] = job.input.box;
    const request: ConvertBoxRequest = { family: ModelFamily.MODEL_FAMILY_INTERNVL, width: 640, height: 480, box: { x0, y0, x1, y1 }, from: BoxSpace.BOX_SPACE_MODEL, to: BoxSpace.BOX_SPACE_PIXELS };
    const response = await new Promise<ConvertBoxResponse>((resolve, reject) =>
      masks.convertBox(request, (error, r) => (error ? reject(error) : resolve(r))),
    );
    const b = response.box!;
    return [{ variant: 'pixels', seed: 0, value: { pixels: [b.x0, b.y0, b.x1, b.y1] } }];
  },
  aggregate(records) {
    return { experiment: 'box-convert', title: 'Box conversion', summary: records.map((r) => r.value.pixels), tables: [], figures: [], notes: [] };
  },
};
registerExperiment(boxExperiment);

const clients = new ServiceConnections({ addresses: {}, logger });
let root: string | undefined;
afterAll(async () => {
  await clients.close();
  if (root) await rm(root, { recursive: true, force: true });
});

describe('tracing', () => {
  it('puts each sample and its gRPC calls in one trace of its own', async () => {
    root = await mkdtemp(join(tmpdir(), 'locscope-trace-'));
    const config = parseConfig('experiment: box-convert\nversion: 1\ndescription: d\n', 'box-convert.yaml', 'paper');
    const outcome = await runEmbedded({
      runId: 't1',
      outDir: root,
      profile: 'paper',
      stages: orderStages(['box-convert'], new Map([['box-convert', config]])),
      clients,
      loadDataset: () => Promise.reject(new Error('no dataset')),
      logger,
    });
    expect(outcome.state.status).toBe('done');
    expect(outcome.aggregates[0].summary).toEqual([[0, 0, 640, 480], [320, 240, 640, 480], [160, 0, 480, 240]]);

    const spans = telemetry.memory!.getFinishedSpans();
    const traces = new Set<string>();
    for (const sample of ['b0', 'b1', 'b2']) {
      const root = spans.find((s) => s.name === `sample box-convert/${sample}`)!;
      expect(root, sample).toBeDefined();
      expect(root.parentSpanContext?.spanId).toBeUndefined();
      const server = spans.filter((s) => s.name === 'locscope.v1.Masks/ConvertBox' && s.spanContext().traceId === root.spanContext().traceId);
      expect(server, sample).toHaveLength(1);
      expect(server[0].parentSpanContext?.spanId).toBe(root.spanContext().spanId);
      traces.add(root.spanContext().traceId);
    }
    expect(traces.size).toBe(3);
  });
});

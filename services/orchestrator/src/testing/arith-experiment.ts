// A test-only experiment with real but simple per-sample work: deterministic arithmetic on the
// sample number plus a delay, so runs can be interrupted mid-way. It exercises planning,
// execution (embedded and NATS), records, aggregation and the report like a study experiment,
// without the model services. Registered only by tests and `--plugin` (see ./arith-plugin.ts).
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { Experiment } from '../experiment.ts';

export const arithParams = z
  .object({
    count: z.number().int().positive().default(12),
    seeds: z.array(z.number().int().nonnegative()).min(1).default([0, 1]),
    delayMs: z.number().int().nonnegative().default(0),
    /** Sample numbers whose work throws (failure handling). */
    failOn: z.array(z.number().int()).default([]),
  })
  .strict();
type ArithParams = z.infer<typeof arithParams>;

interface ArithValue {
  [key: string]: number | string;
  n: number;
  product: number;
  digest: string;
}

/** The per-sample computation, exported so tests can state expected records independently of the runner. */
export function arithValue(n: number, seed: number): ArithValue {
  return {
    n,
    product: n * (seed + 2),
    digest: createHash('sha256').update(`${n}:${seed}`).digest('hex').slice(0, 16),
  };
}

export const arithExperiment: Experiment<ArithParams, { n: number }, ArithValue> = {
  id: 'arith',
  version: 1,
  params: arithParams,
  dependsOn: [],
  async plan({ config }) {
    return Array.from({ length: config.params.count }, (_, n) => ({ sample: `s${String(n).padStart(4, '0')}`, input: { n } }));
  },
  async runSample(job, { signal }) {
    const { n } = job.input;
    if (job.config.params.delayMs > 0) await sleep(job.config.params.delayMs, undefined, { signal });
    if (job.config.params.failOn.includes(n)) throw new Error(`sample ${n} is configured to fail`);
    return job.config.params.seeds.map((seed) => ({ variant: 'product', seed, value: arithValue(n, seed) }));
  },
  aggregate(records, config) {
    const seeds = config.params.seeds;
    const bySeed = seeds.map((seed) => records.filter((r) => r.seed === seed));
    const side = Math.ceil(Math.sqrt(config.params.count));
    const grid: (number | null)[][] = Array.from({ length: side }, () => Array<number | null>(side).fill(null));
    for (const r of records.filter((r) => r.seed === seeds[0])) grid[Math.floor(r.value.n / side)][r.value.n % side] = r.value.product;
    return {
      experiment: 'arith',
      title: 'Arithmetic (test experiment)',
      summary: {
        samples: new Set(records.map((r) => r.sample)).size,
        sumBySeed: Object.fromEntries(seeds.map((seed, i) => [String(seed), bySeed[i].reduce((s, r) => s + r.value.product, 0)])),
        digests: records.map((r) => r.value.digest).join(''),
      },
      tables: [
        {
          id: 'sums',
          title: 'Sum of products per seed',
          columns: ['seed', 'samples', 'sum'],
          rows: seeds.map((seed, i) => [seed, bySeed[i].length, bySeed[i].reduce((s, r) => s + r.value.product, 0)]),
        },
      ],
      figures: [
        {
          kind: 'heatmap',
          id: 'grid',
          title: 'Product per sample (first seed)',
          xLabel: 'n mod side',
          yLabel: 'n div side',
          xTicks: Array.from({ length: side }, (_, i) => String(i)),
          yTicks: Array.from({ length: side }, (_, i) => String(i)),
          values: grid,
        },
        {
          kind: 'lines',
          id: 'products',
          title: 'Product by sample number',
          xLabel: 'n',
          yLabel: 'product',
          series: seeds.map((seed, i) => ({ name: `seed ${seed}`, points: bySeed[i].map((r) => [r.value.n, r.value.product] as [number, number]) })),
        },
      ],
      notes: [],
    };
  },
};

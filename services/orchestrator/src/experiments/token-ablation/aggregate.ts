// Tab. 1 from token-ablation records: per condition and model, the share of visual tokens removed
// (InternVL: global and local views apart), both tasks' accuracy and the change against the
// unablated run; random selections are averaged per seed first (std in a second table); and the
// accuracy-vs-k curves of IG against random tokens.
import type { ResolvedConfig } from '../../config/resolve.ts';
import type { SampleRecord } from '../../experiment.ts';
import type { Aggregate, Cell, LineSeries } from '../../report/model.ts';
import { conditionScore, deltaPoints, mean, modelsPresent, percent, percentWithStd, sampleCount } from '../common/summary.ts';
import type { TokenAblationParams } from './params.ts';
import { paddingCondition, type AblationValue } from './record.ts';
import { objectsNote } from '../common/objects.ts';

function conditionsOf(params: TokenAblationParams): { name: string; label: string }[] {
  return [
    { name: 'clean', label: 'Baseline' },
    ...params.paddings.map((p) => ({ name: paddingCondition(p), label: p === 0 ? 'Object' : `Object ${p > 0 ? '+' : '−'}${Math.abs(p)} padding` })),
    ...params.integratedGradients.ks.map((k) => ({ name: `ig-${k}`, label: `Integrated Gradients k=${k}` })),
    ...params.random.ks.map((k) => ({ name: `random-${k}`, label: `Random k=${k} (${params.random.seeds.length} seeds)` })),
    { name: 'register', label: 'Register' },
  ];
}

/** Mean share of removed tokens in %, "(global, local)" when the model has local tiles. */
function tokenShare(records: SampleRecord<AblationValue>[]): Cell {
  if (records.length === 0) return null;
  const share = (pick: (v: AblationValue) => [number, number]) =>
    percent(mean(records.map((r) => pick(r.value)).map(([removed, of]) => (of > 0 ? removed / of : 0))));
  const hasLocal = records.some((r) => r.value.tokens.local > 0);
  if (!hasLocal) return share((v) => [v.removed.total, v.tokens.total]);
  return `(${share((v) => [v.removed.global, v.tokens.global])!.toFixed(0)}, ${share((v) => [v.removed.local, v.tokens.local])!.toFixed(0)})`;
}

export function aggregateTokenAblation(records: SampleRecord<AblationValue>[], config: ResolvedConfig<TokenAblationParams>): Aggregate {
  const params = config.params;
  const models = modelsPresent(config.models, records);
  const conditions = conditionsOf(params);
  const tasks = params.tasks;
  const columns = ['ablation', ...models.flatMap((m) => [`${m} token (%)`, ...tasks.flatMap((t) => [`${m} ${t} (%)`, `${m} Δ${t}`])])];
  const summary: Record<string, Record<string, Record<string, { mean: number; std: number } | null>>> = {};
  const rows: Cell[][] = [];
  const stdRows: Cell[][] = [];
  for (const c of conditions) {
    const row: Cell[] = [c.label];
    const stdRow: Cell[] = [c.label];
    for (const model of models) {
      summary[model] ??= {};
      row.push(tokenShare(records.filter((r) => r.value.model === model && r.value.condition === c.name)));
      for (const task of tasks) {
        const stats = conditionScore(records, model, task, c.name);
        const base = conditionScore(records, model, task, 'clean');
        (summary[model][task] ??= {})[c.name] = stats && { mean: stats.mean, std: stats.std };
        row.push(percent(stats?.mean ?? null), deltaPoints(stats?.mean ?? null, base?.mean ?? null));
        stdRow.push(percentWithStd(stats));
      }
    }
    rows.push(row);
    stdRows.push(stdRow);
  }
  const curves: LineSeries[] = models.flatMap((model) =>
    tasks.flatMap((task) =>
      (['ig', 'random'] as const).map((kind) => ({
        name: `${model} ${task} ${kind === 'ig' ? 'IG' : 'random'}`,
        points: (kind === 'ig' ? params.integratedGradients.ks : params.random.ks)
          .map((k) => [k, percent(conditionScore(records, model, task, `${kind}-${k}`)?.mean ?? null)] as const)
          .filter((p): p is readonly [number, number] => p[1] !== null)
          .map(([k, v]) => [k, v] as [number, number]),
      })),
    ),
  );
  return {
    experiment: 'token-ablation',
    title: 'Visual token ablation (paper Tab. 1)',
    summary: { accuracy: summary, objects: Object.fromEntries(models.map((m) => [m, sampleCount(records.filter((r) => r.value.model === m))])) },
    tables: [
      { id: 'tab1', title: 'Accuracy after replacing visual tokens with the mean embedding (%, Δ in points against the baseline)', columns, rows },
      {
        id: 'tab1-std',
        title: 'Mean ± std over seeds (%)',
        columns: ['ablation', ...models.flatMap((m) => tasks.map((t) => `${m} ${t}`))],
        rows: stdRows,
      },
    ],
    figures: [
      { kind: 'lines', id: 'ig-vs-random', title: 'Accuracy vs tokens removed: top-k IG vs random k', xLabel: 'k tokens removed', yLabel: 'accuracy (%)', series: curves, yRange: [0, 100] },
    ],
    notes: [
      objectsNote(records, params.objects),
      `Removed tokens are replaced with ${params.replacement === 'mean' ? 'the mean visual embedding over the run’s first evaluation images (paper: ImageNet val)' : 'zeros'}.`,
      'Token (%) is the mean share of the image’s visual tokens removed; for models with local tiles it is (global view, local tiles).',
    ],
  };
}

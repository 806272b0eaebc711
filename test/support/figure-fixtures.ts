// Aggregates with the shapes of the study's figures (Fig. 1–5, Tab. 1, Fig. 10), for report rendering tests.
import type { Aggregate } from '@locscope/orchestrator';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
// Deterministic pseudo-data with the shapes of the study's figures (values need not be real).
const wave = (i: number, j: number) => Math.sin(i * 0.7 + j * 1.3) * Math.cos(j * 0.4);
// Names as long as the study's (model ids, tasks, the token-ablation conditions).
const MODELS = ['qwen2-vl-7b-instruct', 'llava-onevision-qwen2-7b'];
const TASKS = ['localization', 'classification'];
const TOKEN_CONDITIONS = ['Baseline', 'Object', 'Object +1 padding', 'Integrated Gradients k=8', 'Random k=8 (3 seeds)', 'Register'];

/** One aggregate per figure family of the paper (Fig. 1–5, Tab. 1, Fig. 10) and the tables around them. */
export const aggregates: Aggregate[] = [
  {
    experiment: 'containerization',
    title: 'Containerization (Fig. 1) <escaped & checked>',
    summary: {},
    tables: [{ id: 'matrix', title: 'Accuracy by padding × scaling', columns: ['padding', 's=0', 's=1', 's=2'], rows: range(3).map((p) => [p, 0.5 - 0.1 * p, 0.3 + 0.1 * p, null]) }],
    figures: [
      {
        kind: 'heatmap',
        id: 'matrix',
        title: 'Padding × GT scaling (mean ± std over seeds)',
        xLabel: 'GT scaling',
        yLabel: 'padding',
        xTicks: ['0', '1', '2'],
        yTicks: ['0', '1', '2'],
        values: range(3).map((p) => range(3).map((s) => (p === s ? 0.6 : 0.2 + 0.05 * (p + s)))),
        labels: range(3).map((p) => range(3).map((s) => `${(p === s ? 0.6 : 0.2).toFixed(2)} ± 0.03`)),
        range: [0, 1],
      },
    ],
    notes: ['2 of 24 samples failed and are not in these results'],
  },
  {
    experiment: 'position-probe',
    title: 'Position probes (Fig. 2)',
    summary: {},
    tables: [],
    figures: [
      { kind: 'lines', id: 'per-layer', title: 'Probe accuracy per layer', xLabel: 'layer', yLabel: 'accuracy', xTicks: [...range(24).map(String), 'P', ...range(32).map(String)], series: [{ name: 'row', points: range(57).map((i) => [i, 0.5 + 0.4 * Math.sin(i / 9)]) }, { name: 'column', points: range(57).map((i) => [i, 0.4 + 0.3 * Math.cos(i / 7)]) }], yRange: [0, 1] },
      { kind: 'heatmap', id: 'per-position', title: 'Per-position accuracy at the best LM layer', xLabel: 'column', yLabel: 'row', xTicks: range(24).map(String), yTicks: range(24).map(String), values: range(24).map((r) => range(24).map((c) => ((r === 0 || r === 23) && (c === 0 || c === 23) ? 1 : 0.3 + 0.2 * Math.abs(wave(r, c))))), range: [0, 1] },
    ],
    notes: [],
  },
  {
    experiment: 'knockout',
    title: 'Attention knockout (Fig. 3)',
    summary: {},
    tables: [],
    figures: [
      { kind: 'lines', id: 'groups', title: `${MODELS[0]}: accuracy with attention to the object blocked (4-layer groups)`, xLabel: 'layers', yLabel: 'accuracy (%)', xTicks: ['0-3', '4-7', '8-11', '12-15', '16-19', '20-23', '24-27', '28-31', 'all'], series: [{ name: 'localization', points: range(9).map((i) => [i, 20 + 3 * i]), errors: range(9).map(() => 2) }, { name: 'classification', points: range(9).map((i) => [i, 40 + 2 * i]) }], references: [{ name: 'localization baseline', y: 35.3 }, { name: 'classification baseline', y: 58.1 }] },
    ],
    notes: [],
  },
  {
    experiment: 'token-ablation',
    title: 'Visual token ablation (Tab. 1)',
    summary: {},
    // As wide as the study's Tab. 1: a column pair (%, Δ) per condition and task.
    tables: [{ id: 'tab1', title: 'Accuracy after replacing visual tokens with the mean embedding (%, Δ in points against the baseline)', columns: ['model', ...TOKEN_CONDITIONS.flatMap((c) => TASKS.flatMap((t) => [`${c} ${t} (%)`, `Δ${t}`]))], rows: MODELS.map((m, i) => [m, ...TOKEN_CONDITIONS.flatMap((_, c) => TASKS.flatMap((_, t) => [40 + i + c + t + 0.123, -c - t - 0.5]))]) }],
    figures: [
      { kind: 'lines', id: 'ig-vs-random', title: 'Accuracy vs tokens removed: top-k IG vs random k', xLabel: 'k tokens removed', yLabel: 'accuracy (%)', series: MODELS.flatMap((m, i) => TASKS.flatMap((t, j) => (['IG', 'random'] as const).map((kind) => ({ name: `${m} ${t} ${kind}`, points: [1, 2, 4, 8, 16, 32].map((k) => [k, 80 - (kind === 'IG' ? 12 : 3) * Math.log2(k) - 5 * i - 3 * j] as [number, number]) })))), yRange: [0, 100] },
    ],
    notes: [],
  },
  {
    experiment: 'views',
    title: 'Global vs local view ablation (Tab. 3, Fig. 10)',
    summary: {},
    tables: [],
    figures: TASKS.map((task) => ({ kind: 'heatmap' as const, id: `views-size-${task}`, title: `${MODELS[0]}: ${task} change (points) by object size when one view's object tokens are removed`, xLabel: 'object size', yLabel: 'ablation', xTicks: ['small (n=12)', 'medium (n=30)', 'large (n=9)'], yTicks: ['global view', 'local views', 'both views'], values: range(3).map((r) => range(3).map((c) => (r === 2 && c === 2 ? null : -10 * r + 4 * c - 3))), diverging: true })),
    notes: [],
  },
  {
    experiment: 'cma',
    title: 'Causal mediation (Fig. 4)',
    summary: {},
    tables: [{ id: 'overlap', title: 'Top-k overlap', columns: ['k', 'shared heads'], rows: [[10, 2], [50, 20]] }],
    figures: ['localization', 'classification'].map((task) => ({ kind: 'heatmap' as const, id: `mf-${task}`, title: `MF per head (${task})`, xLabel: 'head', yLabel: 'layer', xTicks: range(32).map(String), yTicks: range(32).map(String), values: range(32).map((l) => range(32).map((h) => (l > 10 && l < 17 && h % 7 === 0 ? 0.8 : 0.05 * wave(l, h)))), diverging: true })),
    notes: [],
  },
  {
    experiment: 'head-ablation',
    title: 'Cumulative head ablation (Fig. 5)',
    summary: {},
    tables: [],
    figures: [
      { kind: 'lines', id: 'cumulative', title: 'Localization under cumulative head ablation', xLabel: 'fraction of heads removed', yLabel: 'localization accuracy', series: ['localization-critical', 'classification-critical', 'low-importance'].map((name, k) => ({ name, points: [0, 0.01, 0.02, 0.05, 0.1, 0.2].map((f) => [f, Math.max(0, 0.35 - f * (3 - k) * 1.2)] as [number, number]) })) },
    ],
    notes: [],
  },
];


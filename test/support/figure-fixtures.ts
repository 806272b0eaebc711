// Aggregates with the shapes of the study's figures (Fig. 1–5), for report rendering tests.
import type { Aggregate } from '@locscope/orchestrator';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
// Deterministic pseudo-data with the shapes of the study's figures (values need not be real).
const wave = (i: number, j: number) => Math.sin(i * 0.7 + j * 1.3) * Math.cos(j * 0.4);

/** One aggregate per figure family of the paper: Fig. 1–5 and the tables around them. */
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
      { kind: 'lines', id: 'groups', title: 'Accuracy after knockout by layer group', xLabel: 'layers', yLabel: 'accuracy (%)', xTicks: ['0-3', '4-7', '8-11', '12-15', '16-19', '20-23', '24-27', '28-31', 'all'], series: [{ name: 'localization', points: range(9).map((i) => [i, 20 + 3 * i]), errors: range(9).map(() => 2) }, { name: 'classification', points: range(9).map((i) => [i, 40 + 2 * i]) }], references: [{ name: 'localization baseline', y: 35.3 }, { name: 'classification baseline', y: 58.1 }] },
    ],
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


// Fig. 2 from position-probe records: held-out position accuracy per layer (vision layers, the
// projection P, LM layers) and the per-position accuracy map at each model's best LM layer.
import type { ResolvedConfig } from '../../config/resolve.ts';
import type { SampleRecord } from '../../experiment.ts';
import type { Aggregate, Cell, Figure } from '../../report/model.ts';
import { modelsPresent, percent } from '../common/summary.ts';
import type { PositionProbeParams } from './params.ts';
import type { ProbeValue } from './record.ts';

const ORDER = { vision: 0, projection: 1, language: 2 } as const;

function tick(v: ProbeValue): string {
  return v.component === 'projection' ? 'P' : v.component === 'vision' ? `V${v.layer}` : `L${v.layer}`;
}

export function aggregatePositionProbe(records: SampleRecord<ProbeValue>[], config: ResolvedConfig<PositionProbeParams>): Aggregate {
  const models = modelsPresent(config.models, records);
  const figures: Figure[] = [];
  const rows: Cell[][] = [];
  const best: Record<string, { layer: number; accuracy: number } | null> = {};
  for (const model of models) {
    const layers = records
      .filter((r) => r.value.model === model)
      .map((r) => r.value)
      .sort((a, b) => ORDER[a.component] - ORDER[b.component] || a.layer - b.layer);
    for (const v of layers) rows.push([model, tick(v), percent(v.rowAccuracy), percent(v.colAccuracy), percent(v.accuracy)]);
    figures.push({
      kind: 'lines',
      id: `probe-${model}`,
      title: `${model}: held-out position accuracy per layer (V = vision, P = projection, L = LM)`,
      xLabel: 'layer',
      yLabel: 'accuracy (%)',
      xTicks: layers.map(tick),
      series: (['rowAccuracy', 'colAccuracy', 'accuracy'] as const).map((field) => ({
        name: field === 'accuracy' ? 'row and column' : field === 'rowAccuracy' ? 'row' : 'column',
        points: layers.map((v, i) => [i, percent(v[field])!] as [number, number]),
      })),
      yRange: [0, 100],
    });
    const lm = layers.filter((v) => v.component === 'language');
    const top = lm.reduce<ProbeValue | null>((a, v) => (a === null || v.accuracy > a.accuracy ? v : a), null);
    best[model] = top && { layer: top.layer, accuracy: top.accuracy };
    if (top) {
      figures.push({
        kind: 'heatmap',
        id: `probe-positions-${model}`,
        title: `${model}: per-position accuracy at LM layer ${top.layer} (best)`,
        xLabel: 'column',
        yLabel: 'row',
        xTicks: top.positionAccuracy[0].map((_, c) => String(c)),
        yTicks: top.positionAccuracy.map((_, r) => String(r)),
        values: top.positionAccuracy.map((row) => row.map((v) => percent(v))),
        range: [0, 100],
      });
    }
  }
  return {
    experiment: 'position-probe',
    title: 'Linear position probes per layer (paper Fig. 2)',
    summary: { bestLanguageLayer: best },
    tables: [{ id: 'probe', title: 'Held-out accuracy (%) of the linear row/column probes', columns: ['model', 'layer', 'row', 'column', 'both'], rows }],
    figures,
    notes: [
      `Probes trained for ${config.params.epochs} epochs on ${config.params.trainImages} images, evaluated on ${config.params.evalImages} held-out images of the run's dataset (paper: 50,000 / 10,000 ImageNet images).`,
    ],
  };
}

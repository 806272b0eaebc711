// Heatmap: MF per (layer, head), the containerization matrix, per-position probe accuracy, the
// views ablation by object size. Empty (null) cells are grey; every row and column keeps its label.
import type { TopLevelSpec } from 'vega-lite';
import type { HeatmapFigure } from '../model.ts';
import type { FigurePresentation } from '../presentation.ts';
import { categoryEncoding, tickExpr } from './category-axis.ts';
import { dataSource, type FigureData, type FigureSpec } from './figure-data.ts';
import { DRAWN_EM_PER_CHAR, ESTIMATED_EM_PER_CHAR, LABEL_FONT_SIZE, specFrame } from './theme.ts';

/** Cells shrink for big matrices (a 40×40 head map) and grow for small ones (3×3). */
const MAX_PLOT = 480;
const MAX_CELL = 64;
const MIN_CELL = 10;
/** Cell labels (e.g. "41.2 ± 3.0") are drawn only when a cell has room for them. */
const MIN_LABELLED_CELL = 28;
/** Titles wrap to the plot's width, but never narrower than this. */
const MIN_TITLE_WIDTH = 360;
const EMPTY_CELL = '#eeeeee';
/** Pixels kept free around a cell label. */
const CELL_LABEL_MARGIN = 4;

export function heatmapSpec(figure: HeatmapFigure, presentation: FigurePresentation, dataUrl: string): FigureSpec {
  const rows = figure.values.length;
  const cols = Math.max(0, ...figure.values.map((r) => r.length));
  const cell = Math.max(MIN_CELL, Math.min(MAX_CELL, Math.floor(MAX_PLOT / Math.max(rows, cols, 1))));
  const [lo, hi] = colorDomain(figure);
  const data: FigureData = figure.values.flatMap((row, r) =>
    row.map((value, c) => ({
      // Positions by index (see category-axis.ts); the ticks beside them for readers of the file.
      r,
      c,
      row: figure.yTicks[r] ?? String(r),
      column: figure.xTicks[c] ?? String(c),
      value: value !== null && Number.isFinite(value) ? value : null,
      label: figure.labels?.[r]?.[c] || null,
    })),
  );
  const cells = dataSource(dataUrl);
  const xTicks = Array.from({ length: cols }, (_, c) => figure.xTicks[c] ?? String(c));
  const yTicks = Array.from({ length: rows }, (_, r) => figure.yTicks[r] ?? String(r));
  const x = categoryEncoding('c', xTicks, figure.xLabel, { ...columnLabels(xTicks, cell), labelOverlap: false, grid: false });
  const y = categoryEncoding('r', yTicks, figure.yLabel, { labelOverlap: false, grid: false });
  const scale = figure.diverging ? { scheme: 'redblue', reverse: true, domain: [lo, hi], domainMid: 0 } : { scheme: 'viridis', domain: [lo, hi] };
  const cellLabels = figure.labels && cell >= MIN_LABELLED_CELL;
  const spec = {
    ...specFrame(figure.title, Math.max(MIN_TITLE_WIDTH, cols * cell)),
    width: { step: cell },
    height: { step: cell },
    layer: [
      { data: cells, mark: { type: 'rect', color: EMPTY_CELL }, encoding: { x, y } },
      {
        data: cells,
        transform: [{ filter: 'isValid(datum.value)' }],
        mark: 'rect',
        encoding: {
          x,
          y,
          color: { field: 'value', type: 'quantitative', scale, legend: { title: presentation.colorLabel, gradientLength: Math.max(rows * cell, 80), direction: 'vertical' } },
          tooltip: [{ field: 'row', title: figure.yLabel }, { field: 'column', title: figure.xLabel }, { field: 'value', format: '.4~g' }],
        },
      },
      ...(cellLabels
        ? [
            {
              data: cells,
              transform: [{ filter: 'isValid(datum.value) && isValid(datum.label)' }],
              mark: { type: 'text', fontSize: labelSize(figure, cell) },
              encoding: { x, y, text: { field: 'label' }, color: { condition: { test: darkCellTest(figure, lo, hi), value: '#ffffff' }, value: '#000000' } },
            },
          ]
        : []),
    ],
  } as TopLevelSpec;
  return { spec, data };
}

/** The colour domain: the given range, else the data's, centred on 0 for a diverging map. */
function colorDomain(figure: HeatmapFigure): [number, number] {
  if (figure.range) return figure.range;
  const finite = figure.values.flat().filter((v): v is number => v !== null && Number.isFinite(v));
  if (finite.length === 0) return [0, 1];
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  if (figure.diverging) {
    const m = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
    return [-m, m];
  }
  return lo === hi ? [lo - 1, hi + 1] : [lo, hi];
}

/** Column labels wider than a cell break at spaces ("medium" over "(n=30)") or, when a word is
 * still too wide, turn vertical, so that no label is dropped for overlapping its neighbour. */
function columnLabels(ticks: string[], cell: number): { labelAngle: number; labelExpr?: string } {
  const fits = (text: string) => text.length * ESTIMATED_EM_PER_CHAR * LABEL_FONT_SIZE <= cell;
  if (ticks.every(fits)) return { labelAngle: 0 };
  if (ticks.every((t) => t.split(' ').every(fits))) return { labelAngle: 0, labelExpr: `split(${tickExpr(ticks)}, ' ')` };
  return { labelAngle: -90 };
}

/** Cell text fits its cell (by the width the browser draws, not vega's estimate: cell labels take
 * no layout space): the font shrinks for long labels, up to just above the tick size. */
function labelSize(figure: HeatmapFigure, cell: number): number {
  const longest = Math.max(1, ...(figure.labels ?? []).flat().map((l) => l.length));
  return Math.min(LABEL_FONT_SIZE + 1, Math.floor((cell - CELL_LABEL_MARGIN) / (longest * DRAWN_EM_PER_CHAR)));
}

/** Where white text reads better than black: the dark ends of the colour map. */
function darkCellTest(figure: HeatmapFigure, lo: number, hi: number): string {
  const t = `((datum.value - ${lo}) / ${hi - lo || 1})`;
  return figure.diverging ? `abs(${t} - 0.5) > 0.35` : `${t} < 0.6`;
}

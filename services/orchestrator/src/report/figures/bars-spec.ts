// Grouped bars: one group per category (knockout's layer groups and "all"), one bar per series,
// ± error bars where the series has them, and the reference rules across the plot.
import type { TopLevelSpec } from 'vega-lite';
import type { LinesFigure } from '../model.ts';
import { categoryEncoding } from './category-axis.ts';
import { dataSource, type FigureSpec } from './figure-data.ts';
import { PLOT_HEIGHT, PLOT_WIDTH, RESOLVE, SERIES_ROWS, referenceLayers, seriesColor, seriesData, yEncoding } from './series.ts';
import { specFrame } from './theme.ts';

export function barsSpec(figure: LinesFigure, dataUrl: string): FigureSpec {
  const points = dataSource(dataUrl);
  const names = figure.series.map((s) => s.name);
  const x = categoryEncoding('x', figure.xTicks ?? [], figure.xLabel, { labelAngle: 0, grid: false }, 'nominal');
  const xOffset = { field: 'series', type: 'nominal', sort: names, scale: { domain: names } };
  const y = yEncoding(figure);
  const errors = figure.series.some((s) => s.errors)
    ? [
        {
          data: points,
          transform: [SERIES_ROWS, { filter: 'isValid(datum.lower)' }],
          mark: { type: 'rule', color: '#000000' },
          encoding: { x, xOffset, y: { field: 'lower', type: 'quantitative' }, y2: { field: 'upper' } },
        },
      ]
    : [];
  const spec = {
    ...specFrame(figure.title, PLOT_WIDTH),
    width: PLOT_WIDTH,
    height: PLOT_HEIGHT,
    layer: [
      {
        data: points,
        transform: [SERIES_ROWS],
        mark: 'bar',
        encoding: { x, xOffset, y, color: seriesColor(figure), tooltip: [{ field: 'series' }, { field: 'tick', title: figure.xLabel }, { field: 'y', title: figure.yLabel, format: '.4~g' }] },
      },
      ...errors,
      ...referenceLayers(figure, dataUrl),
    ],
    resolve: RESOLVE,
  } as TopLevelSpec;
  return { spec, data: seriesData(figure) };
}

// Curves: cumulative head ablation, probe accuracy per layer, accuracy vs tokens removed. Each
// series has its own colour, marker and dash, so curves stay apart in greyscale print too.
import type { TopLevelSpec } from 'vega-lite';
import type { LinesFigure } from '../model.ts';
import { categoryEncoding } from './category-axis.ts';
import { dataSource, type FigureSpec } from './figure-data.ts';
import { PLOT_HEIGHT, PLOT_WIDTH, RESOLVE, SERIES_ROWS, referenceLayers, seriesColor, seriesData, seriesStyle, yEncoding } from './series.ts';
import { specFrame } from './theme.ts';

export function linesSpec(figure: LinesFigure, dataUrl: string): FigureSpec {
  const points = dataSource(dataUrl);
  // Categorical ticks (layers V0…, P, L0…) are ordered positions; numeric x is a linear axis.
  const x = figure.xTicks
    ? categoryEncoding('x', figure.xTicks, figure.xLabel, { labelAngle: 0, labelOverlap: 'greedy' })
    : { field: 'x', type: 'quantitative', title: figure.xLabel, scale: { zero: false } };
  const y = yEncoding(figure);
  const bands = figure.series.some((s) => s.errors)
    ? [
        {
          data: points,
          transform: [SERIES_ROWS, { filter: 'isValid(datum.lower)' }],
          mark: { type: 'area', opacity: 0.18 },
          encoding: { x, y: { field: 'lower', type: 'quantitative' }, y2: { field: 'upper' }, color: { ...seriesColor(figure), legend: null } },
        },
      ]
    : [];
  const spec = {
    ...specFrame(figure.title, PLOT_WIDTH),
    width: PLOT_WIDTH,
    height: PLOT_HEIGHT,
    layer: [
      ...bands,
      {
        data: points,
        transform: [SERIES_ROWS],
        mark: { type: 'line', strokeWidth: 2, point: { filled: true, size: 45 } },
        encoding: { x, y, ...seriesStyle(figure), tooltip: [{ field: 'series' }, { field: figure.xTicks ? 'tick' : 'x', title: figure.xLabel }, { field: 'y', title: figure.yLabel, format: '.4~g' }] },
      },
      ...referenceLayers(figure, dataUrl),
    ],
    resolve: RESOLVE,
  } as TopLevelSpec;
  return { spec, data: seriesData(figure) };
}

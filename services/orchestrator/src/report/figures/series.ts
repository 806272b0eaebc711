// What line and bar figures share: their data (one record per point, with its ± band), the
// series' colours, markers and dashes, the legend, and the reference lines.
import type { LinesFigure } from '../model.ts';
import { dataSource, type FigureData } from './figure-data.ts';
import { ESTIMATED_EM_PER_CHAR, LEGEND_FONT_SIZE, REFERENCE_COLORS, SERIES_COLORS, SERIES_DASHES, SERIES_SHAPES } from './theme.ts';

/** Plot size of line and bar charts; legends and titles add to it. */
export const PLOT_WIDTH = 440;
export const PLOT_HEIGHT = 260;

export function seriesData(figure: LinesFigure): FigureData {
  const points = figure.series.flatMap((s) =>
    s.points
      .map(([x, y], i) => ({ x, y, error: s.errors?.[i] }))
      .filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y))
      .map(({ x, y, error }) => ({
        series: s.name,
        // Categorical x: x is the index of the point's tick (kept beside it for readers of the file).
        x,
        tick: figure.xTicks?.[x] ?? null,
        y,
        lower: error === undefined ? null : y - error,
        upper: error === undefined ? null : y + error,
        reference: null,
      })),
  );
  const references = (figure.references ?? []).map((r) => ({ series: null, x: null, tick: null, y: r.y, lower: null, upper: null, reference: r.name }));
  return [...points, ...references];
}

/** The series' points (not the reference rows) of the data file. */
export const SERIES_ROWS = { filter: 'isValid(datum.series)' };

const cycle = <T>(values: T[], n: number): T[] => Array.from({ length: n }, (_, i) => values[i % values.length]);

/** Series names in figure order; the legend lists them in that order. */
function names(figure: LinesFigure): string[] {
  return figure.series.map((s) => s.name);
}

/** Legend symbol plus the gap before the next column, in pixels. */
const LEGEND_ENTRY_EXTRA = 40;

/** One legend for the series, below the plot, in as many columns as fit under it by vega's
 * (generous) width estimate, so the legend never widens the figure much beyond the plot. */
function legend(figure: LinesFigure): Record<string, unknown> {
  const longest = Math.max(1, ...names(figure).map((n) => n.length)) * ESTIMATED_EM_PER_CHAR * LEGEND_FONT_SIZE;
  const columns = Math.max(1, Math.min(figure.series.length, Math.floor(PLOT_WIDTH / (longest + LEGEND_ENTRY_EXTRA))));
  // Filled markers without outline: a dashed outline round a marker reads as noise at legend size.
  return { title: null, orient: 'bottom', direction: 'vertical', columns, symbolStrokeWidth: 0, symbolSize: 120 };
}

export function seriesColor(figure: LinesFigure): Record<string, unknown> {
  return { field: 'series', type: 'nominal', sort: names(figure), scale: { domain: names(figure), range: cycle(SERIES_COLORS, figure.series.length) }, legend: legend(figure) };
}

/** Colour, marker and dash per series, merged into one legend (same field, same domain). */
export function seriesStyle(figure: LinesFigure): Record<string, unknown> {
  const domain = names(figure);
  return {
    color: seriesColor(figure),
    shape: { field: 'series', type: 'nominal', sort: domain, scale: { domain, range: cycle(SERIES_SHAPES, domain.length) }, legend: legend(figure) },
    strokeDash: { field: 'series', type: 'nominal', sort: domain, scale: { domain, range: cycle(SERIES_DASHES, domain.length) }, legend: legend(figure) },
  };
}

export function yEncoding(figure: LinesFigure): Record<string, unknown> {
  return { field: 'y', type: 'quantitative', title: figure.yLabel, scale: figure.yRange ? { domain: figure.yRange } : { zero: false } };
}

/** Series and references have separate colour scales (and legends); the series' colour, marker
 * and dash legends merge into one because they share field and domain. */
export const RESOLVE = { scale: { color: 'independent', shape: 'independent', strokeDash: 'independent' } };

/** Horizontal rules (e.g. the unmodified model), each in its own dark colour, in a legend of their own. */
export function referenceLayers(figure: LinesFigure, dataUrl: string): Record<string, unknown>[] {
  const references = (figure.references ?? []).map((r) => r.name);
  if (references.length === 0) return [];
  return [
    {
      data: dataSource(dataUrl),
      transform: [{ filter: 'isValid(datum.reference)' }],
      mark: { type: 'rule', strokeDash: [6, 4], strokeWidth: 1.5 },
      encoding: {
        y: { field: 'y', type: 'quantitative' },
        color: {
          field: 'reference',
          type: 'nominal',
          sort: references,
          scale: { domain: references, range: cycle(REFERENCE_COLORS, references.length) },
          legend: { title: null, orient: 'bottom', direction: 'vertical', symbolType: 'stroke', symbolSize: 400, symbolStrokeWidth: 2, symbolDash: [6, 4] },
        },
      },
    },
  ];
}

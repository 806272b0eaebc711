// What every figure kind produces: a Vega-Lite spec and the data it reads by URL.
import type { TopLevelSpec } from 'vega-lite';

/** One flat list of records (a table: every record has the same fields); layers pick theirs with a
 * filter. A single list, because Vega-Lite merges layers reading the same URL into one source. */
export type FigureData = Record<string, string | number | null>[];

export interface FigureSpec {
  spec: TopLevelSpec;
  data: FigureData;
}

/** The data source of a layer: the figure's data file. */
export function dataSource(url: string): { url: string; format: { type: 'json' } } {
  return { url, format: { type: 'json' } };
}

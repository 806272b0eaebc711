// A figure as a Vega-Lite spec plus the data it reads. The spec loads its data by URL (the
// `<figure>.data.json` file written beside it), so the saved pair can be restyled and re-rendered
// by any Vega-Lite tool, and the report renders exactly the spec it saves.
import type { TopLevelSpec } from 'vega-lite';
import type { Figure } from '../model.ts';
import type { FigurePresentation } from '../presentation.ts';
import { barsSpec } from './bars-spec.ts';
import { heatmapSpec } from './heatmap-spec.ts';
import { linesSpec } from './lines-spec.ts';

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

export function figureSpec(figure: Figure, presentation: FigurePresentation, dataUrl: string): FigureSpec {
  if (figure.kind === 'heatmap') return heatmapSpec(figure, presentation, dataUrl);
  return presentation.bars ? barsSpec(figure, dataUrl) : linesSpec(figure, dataUrl);
}

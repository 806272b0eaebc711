// A figure as a Vega-Lite spec plus the data it reads. The spec loads its data by URL (the
// `<figure>.data.json` file written beside it), so the saved pair can be restyled and re-rendered
// by any Vega-Lite tool, and the report renders exactly the spec it saves.
import type { Figure } from '../model.ts';
import type { FigurePresentation } from '../presentation.ts';
import { barsSpec } from './bars-spec.ts';
import type { FigureSpec } from './figure-data.ts';
import { heatmapSpec } from './heatmap-spec.ts';
import { linesSpec } from './lines-spec.ts';

export function figureSpec(figure: Figure, presentation: FigurePresentation, dataUrl: string): FigureSpec {
  if (figure.kind === 'heatmap') return heatmapSpec(figure, presentation, dataUrl);
  return presentation.bars ? barsSpec(figure, dataUrl) : linesSpec(figure, dataUrl);
}

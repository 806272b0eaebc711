// One SVG per figure spec.
import type { Figure } from '../model.ts';
import { heatmapSvg } from './heatmap.ts';
import { linesSvg } from './lines.ts';

export function figureSvg(figure: Figure): string {
  return figure.kind === 'heatmap' ? heatmapSvg(figure) : linesSvg(figure);
}

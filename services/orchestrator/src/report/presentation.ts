// How an experiment's figures are drawn, where the stored aggregate format does not say: runs'
// aggregates are stored canonically and must stay byte-identical when only the report's look
// changes, so these hints live with the renderer, keyed by experiment id.
import type { Figure } from './model.ts';

export interface FigurePresentation {
  /** Draw a lines figure with categorical x as grouped bars: its categories are not a sequence. */
  bars: boolean;
  /** Title of a heatmap's colour bar: what the colour measures. */
  colorLabel: string;
}

const DEFAULT: FigurePresentation = { bars: false, colorLabel: 'value' };

const BY_EXPERIMENT: Record<string, Partial<FigurePresentation>> = {
  // Layer groups and "all" are separate interventions; a line through them would suggest a trend.
  knockout: { bars: true },
  containerization: { colorLabel: 'localization (%)' },
  'position-probe': { colorLabel: 'accuracy (%)' },
  cma: { colorLabel: 'mediation fraction' },
  views: { colorLabel: 'Δ (points)' },
};

export function presentationOf(experiment: string, figure: Figure): FigurePresentation {
  const hints = { ...DEFAULT, ...BY_EXPERIMENT[experiment] };
  return { ...hints, bars: hints.bars && figure.kind === 'lines' && figure.xTicks !== undefined };
}

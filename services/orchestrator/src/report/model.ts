// What an experiment's aggregate hands to the report: tables and figure specs as plain JSON, so
// aggregates are stored canonically and `locscope report` re-renders them without recomputing.
import type { JsonValue } from '../canonical-json.ts';

export type Cell = string | number | null;

export interface Table {
  /** File-name-safe id, unique within the experiment (`tab1`, `per-size`). */
  id: string;
  title: string;
  columns: string[];
  rows: Cell[][];
}

/** A matrix of values, e.g. MF per (layer, head), the containerization matrix, per-position accuracy. */
export interface HeatmapFigure {
  kind: 'heatmap';
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  /** Column labels (length = values[0].length) and row labels (length = values.length). */
  xTicks: string[];
  yTicks: string[];
  /** Row-major; null cells are drawn empty. */
  values: (number | null)[][];
  /** Optional text per cell (e.g. "0.41 ± 0.03"). */
  labels?: string[][];
  /** Colour scale range; defaults to the data range. `diverging` centres a two-sided scale on 0. */
  range?: [number, number];
  diverging?: boolean;
}

export interface LineSeries {
  name: string;
  points: [number, number][];
  /** Optional ± band per point (same length as points), e.g. std over seeds. */
  errors?: number[];
}

/** Curves, e.g. knockout accuracy per layer group, cumulative head ablation, probe accuracy per layer. */
export interface LinesFigure {
  kind: 'lines';
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  series: LineSeries[];
  /** Categorical x tick labels at x = 0..n-1 (layer groups); numeric ticks otherwise. */
  xTicks?: string[];
  yRange?: [number, number];
  /** Horizontal reference lines (e.g. the unmodified model's accuracy). */
  references?: { name: string; y: number }[];
}

export type Figure = HeatmapFigure | LinesFigure;

export interface Aggregate {
  experiment: string;
  title: string;
  /** Machine-readable results that downstream experiments and scripts read. */
  summary: JsonValue;
  tables: Table[];
  figures: Figure[];
  /** Caveats shown in the report (excluded samples, failures, deviations from the paper). */
  notes: string[];
}

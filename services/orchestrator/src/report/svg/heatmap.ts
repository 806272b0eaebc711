// Heatmap: MF per (layer, head), the containerization matrix, per-position probe accuracy.
import type { HeatmapFigure } from '../model.ts';
import { diverging, sequential, textColorOn } from './color.ts';
import { el, svgDocument, text } from './element.ts';
import { formatTick } from './scale.ts';

/** Cell size shrinks for big matrices (a 40×40 head map) and grows for small ones (3×3). */
const MAX_PLOT = 480;
const MAX_CELL = 64;
const MIN_CELL = 6;
/** Labels are drawn only when a cell has room for them. */
const MIN_LABELLED_CELL = 28;
const MARGIN = { top: 36, left: 64, bottom: 52, right: 90 };

export function heatmapSvg(figure: HeatmapFigure): string {
  const rows = figure.values.length;
  const cols = rows === 0 ? 0 : Math.max(...figure.values.map((r) => r.length));
  const cell = Math.max(MIN_CELL, Math.min(MAX_CELL, Math.floor(MAX_PLOT / Math.max(rows, cols, 1))));
  // Wide enough for the title (≈ 0.55 em per character at 14 px) even when the matrix is small.
  const width = Math.max(MARGIN.left + cols * cell + MARGIN.right, MARGIN.left + figure.title.length * 7.7 + 10);
  const height = MARGIN.top + rows * cell + MARGIN.bottom;
  const [lo, hi] = colorRange(figure);
  const t = (v: number) => (hi === lo ? 0.5 : (v - lo) / (hi - lo));
  const color = figure.diverging ? diverging : sequential;

  const body: string[] = [text(MARGIN.left, 20, figure.title, { 'font-size': 14, 'font-weight': 'bold' })];
  const cells: string[] = [];
  figure.values.forEach((row, r) =>
    row.forEach((value, c) => {
      const x = MARGIN.left + c * cell;
      const y = MARGIN.top + r * cell;
      if (value === null || !Number.isFinite(value)) {
        cells.push(el('rect', { x, y, width: cell, height: cell, fill: '#eeeeee' }));
        return;
      }
      cells.push(el('rect', { x, y, width: cell, height: cell, fill: color(t(value)) }, el('title', {}, `${figure.yTicks[r] ?? r}, ${figure.xTicks[c] ?? c}: ${formatTick(value)}`)));
      const label = figure.labels?.[r]?.[c];
      if (label && cell >= MIN_LABELLED_CELL) {
        const size = Math.min(12, cell / Math.max(4, label.length * 0.6));
        cells.push(text(x + cell / 2, y + cell / 2, label, { 'text-anchor': 'middle', 'dominant-baseline': 'central', 'font-size': size, fill: textColorOn(t(value), !!figure.diverging) }));
      }
    }),
  );
  body.push(el('g', { class: 'cells' }, cells));
  body.push(...axisLabels(figure, rows, cols, cell));
  body.push(colorBar(lo, hi, color, MARGIN.left + cols * cell + 20, MARGIN.top, Math.max(rows * cell, 60)));
  return svgDocument(width, height, figure.title, body);
}

function colorRange(figure: HeatmapFigure): [number, number] {
  if (figure.range) return figure.range;
  const finite = figure.values.flat().filter((v): v is number => v !== null && Number.isFinite(v));
  if (finite.length === 0) return [0, 1];
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  if (figure.diverging) {
    const m = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
    return [-m, m];
  }
  return [lo, hi];
}

/** Tick labels, thinned so that they never overlap. */
function axisLabels(figure: HeatmapFigure, rows: number, cols: number, cell: number): string[] {
  const out: string[] = [];
  const everyX = Math.max(1, Math.ceil(14 / cell) * (figure.xTicks.some((t) => t.length > 3) ? 2 : 1));
  const everyY = Math.max(1, Math.ceil(12 / cell));
  for (let c = 0; c < cols; c += everyX) {
    out.push(text(MARGIN.left + c * cell + cell / 2, MARGIN.top + rows * cell + 14, figure.xTicks[c] ?? String(c), { 'text-anchor': 'middle', 'font-size': 10 }));
  }
  for (let r = 0; r < rows; r += everyY) {
    out.push(text(MARGIN.left - 6, MARGIN.top + r * cell + cell / 2, figure.yTicks[r] ?? String(r), { 'text-anchor': 'end', 'dominant-baseline': 'central', 'font-size': 10 }));
  }
  out.push(text(MARGIN.left + (cols * cell) / 2, MARGIN.top + rows * cell + 40, figure.xLabel, { 'text-anchor': 'middle' }));
  const cy = MARGIN.top + (rows * cell) / 2;
  out.push(text(16, cy, figure.yLabel, { 'text-anchor': 'middle', transform: `rotate(-90 16 ${cy})` }));
  return out;
}

function colorBar(lo: number, hi: number, color: (t: number) => string, x: number, y: number, height: number): string {
  const steps = 32;
  const bar: string[] = [];
  for (let i = 0; i < steps; i++) {
    bar.push(el('rect', { x, y: y + (i * height) / steps, width: 14, height: height / steps + 0.5, fill: color(1 - i / (steps - 1)) }));
  }
  bar.push(text(x + 18, y + 8, formatTick(hi), { 'font-size': 10 }));
  bar.push(text(x + 18, y + height, formatTick(lo), { 'font-size': 10 }));
  return el('g', { class: 'colorbar' }, bar);
}

// Line chart: knockout accuracy per layer group, cumulative head ablation, probe accuracy per layer.
import type { LinesFigure } from '../model.ts';
import { SERIES_COLORS } from './color.ts';
import { el, num, svgDocument, text } from './element.ts';
import { formatTick, linearScale, niceDomain, niceTicks } from './scale.ts';

const WIDTH = 560;
const HEIGHT = 340;
const MARGIN = { top: 36, left: 60, bottom: 52, right: 150 };

export function linesSvg(figure: LinesFigure): string {
  const xs = figure.series.flatMap((s) => s.points.map(([x]) => x));
  const ys = figure.series.flatMap((s) =>
    s.points.flatMap(([, y], i) => (s.errors ? [y - s.errors[i], y + s.errors[i]] : [y])),
  );
  ys.push(...(figure.references ?? []).map((r) => r.y));
  const finiteXs = xs.filter(Number.isFinite);
  const finiteYs = ys.filter(Number.isFinite);
  const xDomain: [number, number] = figure.xTicks
    ? [0, Math.max(1, figure.xTicks.length - 1)]
    : finiteXs.length > 0
      ? [Math.min(...finiteXs), Math.max(...finiteXs)]
      : [0, 1];
  const yDomain = figure.yRange ?? (finiteYs.length > 0 ? niceDomain(Math.min(...finiteYs), Math.max(...finiteYs)) : [0, 1]);
  const plotRight = WIDTH - MARGIN.right;
  const plotBottom = HEIGHT - MARGIN.bottom;
  const x = linearScale(xDomain[0] === xDomain[1] ? [xDomain[0] - 1, xDomain[1] + 1] : xDomain, [MARGIN.left, plotRight]);
  const y = linearScale(yDomain, [plotBottom, MARGIN.top]);

  const body: string[] = [text(MARGIN.left, 20, figure.title, { 'font-size': 14, 'font-weight': 'bold' })];
  body.push(...axes(figure, x, y, plotRight, plotBottom));
  for (const ref of figure.references ?? []) {
    body.push(el('line', { x1: MARGIN.left, x2: plotRight, y1: y(ref.y), y2: y(ref.y), stroke: '#555555', 'stroke-dasharray': '5 4' }));
  }
  figure.series.forEach((series, i) => body.push(seriesPath(series, SERIES_COLORS[i % SERIES_COLORS.length], x, y)));
  body.push(legend(figure, plotRight + 12));
  return svgDocument(WIDTH, HEIGHT, figure.title, body);
}

function axes(figure: LinesFigure, x: ReturnType<typeof linearScale>, y: ReturnType<typeof linearScale>, right: number, bottom: number): string[] {
  const out: string[] = [
    el('line', { x1: MARGIN.left, x2: right, y1: bottom, y2: bottom, stroke: '#000000' }),
    el('line', { x1: MARGIN.left, x2: MARGIN.left, y1: MARGIN.top, y2: bottom, stroke: '#000000' }),
  ];
  const xTicks = figure.xTicks
    ? figure.xTicks.map((label, i) => ({ v: i, label }))
    : niceTicks(x.domain[0], x.domain[1], 6).map((v) => ({ v, label: formatTick(v) }));
  const every = Math.max(1, Math.ceil(xTicks.length / 12));
  xTicks.forEach(({ v, label }, i) => {
    if (i % every !== 0) return;
    out.push(el('line', { x1: x(v), x2: x(v), y1: bottom, y2: bottom + 4, stroke: '#000000' }));
    out.push(text(x(v), bottom + 16, label, { 'text-anchor': 'middle', 'font-size': 10 }));
  });
  for (const v of niceTicks(y.domain[0], y.domain[1], 5)) {
    out.push(el('line', { x1: MARGIN.left, x2: right, y1: y(v), y2: y(v), stroke: '#e5e5e5' }));
    out.push(text(MARGIN.left - 6, y(v), formatTick(v), { 'text-anchor': 'end', 'dominant-baseline': 'central', 'font-size': 10 }));
  }
  out.push(text((MARGIN.left + right) / 2, bottom + 38, figure.xLabel, { 'text-anchor': 'middle' }));
  const cy = (MARGIN.top + bottom) / 2;
  out.push(text(16, cy, figure.yLabel, { 'text-anchor': 'middle', transform: `rotate(-90 16 ${cy})` }));
  return out;
}

function seriesPath(series: LinesFigure['series'][number], color: string, x: (v: number) => number, y: (v: number) => number): string {
  const points = series.points.filter(([px, py]) => Number.isFinite(px) && Number.isFinite(py));
  const parts: string[] = [];
  if (series.errors && points.length > 0) {
    const upper = series.points.map(([px, py], i) => `${num(x(px))},${num(y(py + series.errors![i]))}`);
    const lower = series.points.map(([px, py], i) => `${num(x(px))},${num(y(py - series.errors![i]))}`).reverse();
    parts.push(el('polygon', { points: [...upper, ...lower].join(' '), fill: color, 'fill-opacity': 0.18, stroke: 'none' }));
  }
  if (points.length > 0) {
    parts.push(el('polyline', { points: points.map(([px, py]) => `${num(x(px))},${num(y(py))}`).join(' '), fill: 'none', stroke: color, 'stroke-width': 2 }));
  }
  for (const [px, py] of points) parts.push(el('circle', { cx: x(px), cy: y(py), r: 3, fill: color }));
  return el('g', { class: 'series' }, parts);
}

function legend(figure: LinesFigure, left: number): string {
  const items: string[] = [];
  figure.series.forEach((s, i) => {
    const top = MARGIN.top + i * 18;
    items.push(el('rect', { x: left, y: top, width: 12, height: 12, fill: SERIES_COLORS[i % SERIES_COLORS.length] }));
    items.push(text(left + 18, top + 10, s.name, { 'font-size': 11 }));
  });
  (figure.references ?? []).forEach((r, i) => {
    const top = MARGIN.top + (figure.series.length + i) * 18;
    items.push(el('line', { x1: left, x2: left + 12, y1: top + 6, y2: top + 6, stroke: '#555555', 'stroke-dasharray': '3 2' }));
    items.push(text(left + 18, top + 10, r.name, { 'font-size': 11 }));
  });
  return el('g', { class: 'legend' }, items);
}

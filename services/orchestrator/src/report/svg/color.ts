// Colour maps: a perceptually ordered sequential map (anchor colours of matplotlib's viridis,
// linearly interpolated) and a blue–white–red diverging map for signed values such as MF.

type Rgb = [number, number, number];

const VIRIDIS: Rgb[] = [
  [68, 1, 84],
  [72, 40, 120],
  [62, 74, 137],
  [49, 104, 142],
  [38, 130, 142],
  [31, 158, 137],
  [53, 183, 121],
  [109, 205, 89],
  [180, 222, 44],
  [253, 231, 37],
];

const DIVERGING: Rgb[] = [
  [33, 102, 172],
  [103, 169, 207],
  [209, 229, 240],
  [247, 247, 247],
  [253, 219, 199],
  [239, 138, 98],
  [178, 24, 43],
];

/** Categorical colours for line series (Tableau 10). */
export const SERIES_COLORS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

function interpolate(stops: Rgb[], t: number): string {
  const clamped = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0));
  const position = clamped * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(position));
  const f = position - i;
  const [r, g, b] = stops[i].map((c, k) => Math.round(c + (stops[i + 1][k] - c) * f));
  return `rgb(${r},${g},${b})`;
}

/** t in [0, 1]. */
export function sequential(t: number): string {
  return interpolate(VIRIDIS, t);
}

/** t in [0, 1], 0.5 = white. */
export function diverging(t: number): string {
  return interpolate(DIVERGING, t);
}

/** Black or white text, whichever reads better on the sequential colour at t. */
export function textColorOn(t: number, divergingMap: boolean): string {
  if (divergingMap) return Math.abs(t - 0.5) > 0.35 ? '#ffffff' : '#000000';
  return t < 0.6 ? '#ffffff' : '#000000';
}

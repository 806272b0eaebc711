// Linear scales and "nice" tick values (1, 2, 5 × 10^k steps).

export interface LinearScale {
  (value: number): number;
  domain: [number, number];
}

export function linearScale(domain: [number, number], range: [number, number]): LinearScale {
  const [d0, d1] = domain;
  const span = d1 - d0 || 1;
  const scale = ((value: number) => range[0] + ((value - d0) / span) * (range[1] - range[0])) as LinearScale;
  scale.domain = domain;
  return scale;
}

/** About `count` round tick values covering [min, max]. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (min === max) return [min];
  const raw = (max - min) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  // Values a few ulps apart (e.g. 0.7 and the next double) have no distinct round ticks
  // between them; stepping by less than the float spacing would never advance.
  if (step <= Math.max(Math.abs(min), Math.abs(max)) * Number.EPSILON * 4) return [min];
  const ticks: number[] = [];
  const last = Math.floor(max / step + 1e-9);
  for (let i = Math.ceil(min / step); i <= last; i++) ticks.push(i * step);
  return ticks;
}

/** Domain widened to the nice ticks around it (so axes start and end on a tick). */
export function niceDomain(min: number, max: number, count = 5): [number, number] {
  if (min === max) return [min - 1, max + 1];
  const ticks = niceTicks(min, max, count);
  const step = ticks.length > 1 ? ticks[1] - ticks[0] : Math.abs(max - min);
  let lo = Math.floor(min / step) * step;
  let hi = Math.ceil(max / step) * step;
  // Division can underflow (tiny denormal values) or round the wrong way; step outward if so.
  if (lo > min) lo -= step;
  if (hi < max) hi += step;
  return [lo, hi];
}

export function formatTick(value: number): string {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1e4 || abs < 1e-3) return value.toExponential(1);
  return String(Number(value.toPrecision(4)));
}

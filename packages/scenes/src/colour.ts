// Colours for backgrounds (muted) and objects (saturated), so objects stand out from the texture.
import type { Rng } from './random.ts';

export type Rgb = readonly [number, number, number];

/** HSV (h in [0, 1), s and v in [0, 1]) to 8-bit RGB. */
export function hsvToRgb(h: number, s: number, v: number): Rgb {
  const i = Math.floor(h * 6) % 6;
  const f = h * 6 - Math.floor(h * 6);
  const p = v * (1 - s);
  const q = v * (1 - f * s);
  const t = v * (1 - (1 - f) * s);
  const [r, g, b] = [
    [v, t, p],
    [q, v, p],
    [p, v, t],
    [p, q, v],
    [t, p, v],
    [v, p, q],
  ][i];
  return [Math.round(r * 255), Math.round(g * 255), Math.round(b * 255)];
}

export function colourDistance(a: Rgb, b: Rgb): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}

export function mutedColour(rng: Rng): Rgb {
  return hsvToRgb(rng.next(), rng.uniform(0.05, 0.35), rng.uniform(0.3, 0.85));
}

export function vividColour(rng: Rng): Rgb {
  return hsvToRgb(rng.next(), rng.uniform(0.65, 1), rng.uniform(0.55, 1));
}

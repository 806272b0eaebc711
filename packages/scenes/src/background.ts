// Textured backgrounds. Textures are posterized (a few flat colours) with sparse speckle noise:
// varied enough that a model must find objects by shape and colour, yet flat enough that the
// shipped PNG split stays a few MB.
import { createNoise2D } from 'simplex-noise';
import { mutedColour, type Rgb } from './colour.ts';
import type { Rng } from './random.ts';

export const TEXTURE_KINDS = ['blotches', 'stripes', 'checker'] as const;
export type TextureKind = (typeof TEXTURE_KINDS)[number];

/** An RGB (HWC, 8-bit) canvas filled with a random texture; returns the palette used. */
export function paintBackground(
  rgb: Uint8Array,
  width: number,
  height: number,
  rng: Rng,
): Rgb[] {
  const kind = rng.pick(TEXTURE_KINDS);
  const palette = Array.from({ length: rng.int(2, 4) }, () => mutedColour(rng));
  const noise = createNoise2D(() => rng.next());
  const scale = rng.logUniform(20, 90); // feature size in pixels
  const angle = rng.uniform(0, Math.PI);
  const period = rng.uniform(10, 40);
  const warp = rng.uniform(0, 12);
  const ca = Math.cos(angle);
  const sa = Math.sin(angle);

  const level = (x: number, y: number): number => {
    switch (kind) {
      case 'blotches': {
        const v = noise(x / scale, y / scale) + 0.5 * noise((2 * x) / scale + 7.1, (2 * y) / scale - 3.3);
        return Math.min(palette.length - 1, Math.floor(((v + 1.5) / 3) * palette.length));
      }
      case 'stripes': {
        const u = x * ca + y * sa + warp * noise(x / scale, y / scale);
        return Math.floor(u / period) % 2 === 0 ? 0 : 1;
      }
      case 'checker': {
        const u = x * ca + y * sa;
        const v = -x * sa + y * ca;
        return (Math.floor(u / period) + Math.floor(v / period)) % 2 === 0 ? 0 : 1;
      }
    }
  };

  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = 3 * (y * width + x);
      const c = palette[Math.abs(level(x, y)) % palette.length];
      rgb[o] = c[0];
      rgb[o + 1] = c[1];
      rgb[o + 2] = c[2];
    }
  }
  return palette;
}

/** Replaces a random fraction of pixels by random greys (sensor-like noise). */
export function sprinkleSpeckles(rgb: Uint8Array, width: number, height: number, rng: Rng, density: number): void {
  const count = Math.round(width * height * density);
  for (let i = 0; i < count; i++) {
    const o = 3 * (rng.int(0, height - 1) * width + rng.int(0, width - 1));
    const g = rng.int(0, 255);
    rgb[o] = g;
    rgb[o + 1] = g;
    rgb[o + 2] = g;
  }
}

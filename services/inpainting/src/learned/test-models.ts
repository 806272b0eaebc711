// Small ONNX graphs with LaMa's signature (image [1,3,H,W] + mask [1,1,H,W] → output [1,3,H,W]),
// written with the inference service's graph builder, for tests of the whole learned path.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GraphBuilder, type Dim } from '@locscope/onnx-graph';
import type { OutputRange } from './tensors.ts';

/** The colour the fill model paints into the hole, per RGB channel in [0, 1]. */
export const FILL_COLOUR = [0.25, 0.5, 0.75] as const;
/** FILL_COLOUR as 8-bit values (what a pasted-back hole pixel must become). */
export const FILL_RGB = FILL_COLOUR.map((v) => Math.round(v * 255));

export interface TestModelOptions {
  /** Spatial dims of both inputs: numbers for a fixed-size model, names for symbolic ones. */
  height?: Dim;
  width?: Dim;
  range?: OutputRange;
  imageInput?: string;
  maskInput?: string;
  output?: string;
  /** Channels of the output: 3 is valid; 1 (a grey output) tests the shape check. */
  outputChannels?: 1 | 3;
}

/** output = image·(1 − mask) + FILL_COLOUR·mask, times 255 when range is 'byte'. */
export function fillModel(options: TestModelOptions = {}): Uint8Array {
  const g = new GraphBuilder('fill_inpainter');
  const height = options.height ?? 'height';
  const width = options.width ?? 'width';
  const image = g.input(options.imageInput ?? 'image', 'float32', [1, 3, height, width]);
  const mask = g.input(options.maskInput ?? 'mask', 'float32', [1, 1, height, width]);
  const fill = g.constF32(FILL_COLOUR, [1, 3, 1, 1]);
  let out = g.add(g.mul(image, g.sub(g.scalarF32(1), mask)), g.mul(fill, mask));
  if (options.range === 'byte') out = g.mul(out, g.scalarF32(255));
  const channels = options.outputChannels ?? 3;
  if (channels === 1) out = g.reduceMean(out, [1]);
  g.output(out, options.output ?? 'output', 'float32', [1, channels, height, width]);
  return g.toBytes();
}

/** Writes fillModel(options) to `dir/name` and returns the path. */
export function writeFillModel(dir: string, name: string, options: TestModelOptions = {}): string {
  const path = join(dir, name);
  writeFileSync(path, fillModel(options));
  return path;
}

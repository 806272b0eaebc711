// InternVL's pixel shuffle (InternVLModel.pixel_shuffle in transformers v4.53), which trades
// spatial resolution for channels: [N, W, H, C] → [N, W·r, H·r, C/r²] for r = downsample_ratio,
// in exactly HF's order of views and permutes (the channel order of every merged token matters:
// the projector's first LayerNorm/linear see it).
import type { GraphBuilder, Value } from '@locscope/onnx-graph';

/** features [N, S·S, C] (CLS dropped) → [N, (S·r)², C/r²]. */
export function pixelShuffle(g: GraphBuilder, features: Value, side: number, channels: number, ratio: number): Value {
  const down = side * ratio;
  const spatial = g.reshape(features, [0, side, side, channels]);
  // view(N, W, H·r, C/r) → permute(0,2,1,3) → view(N, H·r, W·r, C/r²) → permute(0,2,1,3)
  const a = g.reshape(spatial, [0, side, down, channels / ratio]);
  const b = g.transpose(a, [0, 2, 1, 3]);
  const c = g.reshape(b, [0, down, down, channels / (ratio * ratio)]);
  const d = g.transpose(c, [0, 2, 1, 3]);
  return g.reshape(d, [0, down * down, channels / (ratio * ratio)]);
}

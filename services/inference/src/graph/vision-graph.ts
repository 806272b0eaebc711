// The vision graph of either family: pixel_values [views, C, H, W] → image_features
// [views, tokensPerView, textHidden] (what replaces the image tokens), optionally with every
// intermediate of the tower as extra outputs (names follow HF's output fields, prefixed `vision.`).
import { GraphBuilder, type Value } from '@locscope/onnx-graph';
import { CheckpointWeights } from '../onnx/checkpoint-weights.ts';
import type { ModelConfig } from '../checkpoint/model-config.ts';
import type { PreparedWeights } from '../onnx/prepared-weights.ts';
import { clipVisionTower, type VisionTowerOutput } from './clip-vision.ts';
import { internVisionTower } from './intern-vit.ts';
import { pixelShuffle } from './pixel-shuffle.ts';
import { projector } from './projector.ts';
import { UnsupportedModelFeatureError } from './errors.ts';

export const PIXEL_VALUES = 'pixel_values';
export const IMAGE_FEATURES = 'image_features';

export interface VisionGraphOptions {
  /** Also output every vision hidden state and the intermediates between tower and projector. */
  captures: boolean;
}

export interface VisionLayout {
  /** Visual tokens per view after selection (and pixel shuffle). */
  tokensPerView: number;
  /** Token grid of one view [rows, cols]; token k = row·cols + col. */
  grid: [number, number];
  imageSize: [number, number];
}

export interface BuiltGraph {
  bytes: Uint8Array;
  /** Output names in graph order. */
  outputs: string[];
}

/** hidden_states index of `vision_feature_layer` (negative counts from the end of L+1 states). */
export function featureLayerIndex(layer: number, numLayers: number): number {
  const index = layer < 0 ? numLayers + 1 + layer : layer;
  if (index < 0 || index > numLayers) throw new UnsupportedModelFeatureError('vision_feature_layer', `${layer} is outside the ${numLayers + 1} hidden states`);
  return index;
}

export function visionLayout(config: ModelConfig): VisionLayout {
  if (config.family === 'llava') {
    const g = config.vision.grid;
    const cls = config.visionFeatureSelectStrategy === 'full' ? 1 : 0;
    return { tokensPerView: g * g + cls, grid: [g, g], imageSize: [config.vision.imageSize, config.vision.imageSize] };
  }
  const side = config.vision.grid[0] * config.downsampleRatio;
  return { tokensPerView: side * side, grid: [side, side], imageSize: config.vision.imageSize };
}

export function buildVisionGraph(config: ModelConfig, weights: PreparedWeights, options: VisionGraphOptions): BuiltGraph {
  const g = new GraphBuilder(`${config.family}-vision`, weights.dtype);
  const w = new CheckpointWeights(g, weights);
  const [height, width] = visionLayout(config).imageSize;
  // HF casts pixel_values to the patch embedding's dtype (CLIPVisionEmbeddings: `.to(dtype=target_dtype)`).
  const pixels = g.floatInput(PIXEL_VALUES, ['views', config.vision.numChannels, height, width]);
  const outputs: string[] = [];
  const emit = (value: Value, name: string) => {
    g.floatOutput(value, name);
    outputs.push(name);
  };
  const numLayers = config.vision.numHiddenLayers;
  const index = featureLayerIndex(config.visionFeatureLayer, numLayers);
  const textHidden = config.text.hiddenSize;

  if (config.family === 'llava') {
    const tower = clipVisionTower(g, w, config.vision, pixels, options.captures ? numLayers : index, options.captures);
    const features = tower.hiddenStates[index];
    const selected = config.visionFeatureSelectStrategy === 'default' ? g.slice(features, [1], [Number.MAX_SAFE_INTEGER], [1]) : features;
    emit(projector(g, w, { inputSize: config.vision.hiddenSize, outputSize: textHidden, act: config.projectorHiddenAct, bias: config.projectorBias, layerNorm: false }, selected), IMAGE_FEATURES);
    if (options.captures) {
      emitTower(tower, emit, true);
      emit(selected, 'vision.selected');
      emit(selected, 'projector_input');
    }
  } else {
    const useLast = config.visionFeatureLayer === -1;
    const tower = internVisionTower(g, w, config.vision, pixels, options.captures || useLast ? numLayers : index);
    const last = tower.extras.last_hidden_state ?? tower.hiddenStates[numLayers];
    const features = useLast ? last : tower.hiddenStates[index];
    const selected = config.visionFeatureSelectStrategy === 'default' ? g.slice(features, [1], [Number.MAX_SAFE_INTEGER], [1]) : features;
    const [rows, cols] = config.vision.grid;
    if (rows !== cols || config.visionFeatureSelectStrategy !== 'default') {
      throw new UnsupportedModelFeatureError('vision_config.image_size', 'pixel shuffle needs a square patch grid without the CLS token');
    }
    const ratio = config.downsampleRatio;
    const shuffled = pixelShuffle(g, selected, rows, config.vision.hiddenSize, ratio);
    const inputSize = config.vision.hiddenSize / (ratio * ratio);
    emit(projector(g, w, { inputSize, outputSize: textHidden, act: config.projectorHiddenAct, bias: true, layerNorm: true }, shuffled), IMAGE_FEATURES);
    if (options.captures) {
      emitTower(tower, emit, false);
      emit(last, 'vision.last_hidden_state');
      emit(shuffled, 'vision.pixel_shuffled');
      emit(shuffled, 'projector_input');
    }
  }
  return { bytes: g.toBytes(), outputs };
}

function emitTower(tower: VisionTowerOutput, emit: (v: Value, name: string) => void, lastIsFinal: boolean): void {
  tower.hiddenStates.forEach((h, i) => emit(h, `vision.hidden_states.${i}`));
  if (lastIsFinal) emit(tower.hiddenStates[tower.hiddenStates.length - 1], 'vision.last_hidden_state');
  for (const [name, value] of Object.entries(tower.extras)) {
    if (name !== 'last_hidden_state') emit(value, `vision.${name}`);
  }
}

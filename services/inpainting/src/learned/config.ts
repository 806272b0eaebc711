// Learned-backend settings from flags and environment (flags win), shared by the server and the
// CLI: `--model FILE.onnx` (LOCSCOPE_INPAINT_MODEL) turns the backend on. This file loads no
// onnxruntime, so that reading flags (and `--help`) stays cheap.
import { defineFlags, intOption, InvalidArgumentError, stringOption, type FlagValues } from '@locscope/server-kit';
import { OUTPUT_RANGES, type OutputRange } from './tensors.ts';

/** LaMa's training and export resolution (the input size when the graph's spatial dims are symbolic). */
export const DEFAULT_ONNX_INPUT_SIZE = 512;
/** LaMa's tensor names and output range. */
export const DEFAULT_IMAGE_INPUT = 'image';
export const DEFAULT_MASK_INPUT = 'mask';
export const DEFAULT_OUTPUT = 'output';
export const DEFAULT_OUTPUT_RANGE: OutputRange = 'unit';
/** Input sizes beyond this would need tens of GB for LaMa's activations. */
export const MAX_ONNX_INPUT_SIZE = 4096;

/** What the learned backend is loaded with. */
export interface OnnxInpainterOptions {
  modelPath: string;
  imageInput?: string;
  maskInput?: string;
  output?: string;
  /** Square input size used when the graph's spatial dims are symbolic. */
  size?: number;
  outputRange?: OutputRange;
}

export const LEARNED_FLAGS = defineFlags({
  model: { type: 'string', value: 'FILE.onnx', description: 'learned inpainting model (LaMa-style ONNX); enables method onnx', env: 'LOCSCOPE_INPAINT_MODEL' },
  'model-size': {
    type: 'string',
    value: 'N',
    description: "the model's square input size when its graph's dims are symbolic",
    default: String(DEFAULT_ONNX_INPUT_SIZE),
    env: 'LOCSCOPE_INPAINT_MODEL_SIZE',
  },
  'model-output-range': { type: 'string', value: OUTPUT_RANGES.join('|'), description: "range of the model's output pixels", default: DEFAULT_OUTPUT_RANGE, env: 'LOCSCOPE_INPAINT_MODEL_OUTPUT_RANGE' },
  'model-image-input': { type: 'string', value: 'NAME', description: "the model's image input", default: DEFAULT_IMAGE_INPUT, env: 'LOCSCOPE_INPAINT_MODEL_IMAGE_INPUT' },
  'model-mask-input': { type: 'string', value: 'NAME', description: "the model's mask input", default: DEFAULT_MASK_INPUT, env: 'LOCSCOPE_INPAINT_MODEL_MASK_INPUT' },
  'model-output': { type: 'string', value: 'NAME', description: "the model's output", default: DEFAULT_OUTPUT, env: 'LOCSCOPE_INPAINT_MODEL_OUTPUT' },
});

type Flag = keyof typeof LEARNED_FLAGS;

/** The learned backend's options from parsed LEARNED_FLAGS, then env; undefined when no model is configured. */
export function readLearnedConfig(values: FlagValues<typeof LEARNED_FLAGS>, env: NodeJS.ProcessEnv = process.env): OnnxInpainterOptions | undefined {
  const value = (flag: Flag): string | undefined => stringOption(values[flag], env[LEARNED_FLAGS[flag].env]);
  const modelPath = value('model');
  if (!modelPath) return undefined;
  const range = value('model-output-range');
  if (range !== undefined && !OUTPUT_RANGES.includes(range as OutputRange)) {
    throw new InvalidArgumentError(`expected one of ${OUTPUT_RANGES.join(', ')}, got "${range}"`, { field: 'model-output-range' });
  }
  return {
    modelPath,
    size: intOption('model-size', value('model-size'), DEFAULT_ONNX_INPUT_SIZE, 8, MAX_ONNX_INPUT_SIZE),
    outputRange: range as OutputRange | undefined,
    imageInput: value('model-image-input'),
    maskInput: value('model-mask-input'),
    output: value('model-output'),
  };
}

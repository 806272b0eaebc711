// Learned-backend settings from flags and environment (flags win), shared by the server's main
// and the CLI: `--model FILE.onnx` (LOCSCOPE_INPAINT_MODEL) turns the backend on.
import { parseArgs } from 'node:util';
import { intOption, InvalidArgumentError } from '@locscope/server-kit';
import { DEFAULT_ONNX_INPUT_SIZE, type OnnxInpainterOptions } from './onnx-inpainter.ts';
import { OUTPUT_RANGES, type OutputRange } from './tensors.ts';

/** Input sizes beyond this would need tens of GB for LaMa's activations. */
export const MAX_ONNX_INPUT_SIZE = 4096;

const FLAGS = {
  model: 'LOCSCOPE_INPAINT_MODEL',
  'model-size': 'LOCSCOPE_INPAINT_MODEL_SIZE',
  'model-output-range': 'LOCSCOPE_INPAINT_MODEL_OUTPUT_RANGE',
  'model-image-input': 'LOCSCOPE_INPAINT_MODEL_IMAGE_INPUT',
  'model-mask-input': 'LOCSCOPE_INPAINT_MODEL_MASK_INPUT',
  'model-output': 'LOCSCOPE_INPAINT_MODEL_OUTPUT',
} as const;

type Flag = keyof typeof FLAGS;

/**
 * `--model`, `--model-size` (square input when the graph's dims are symbolic, default 512),
 * `--model-output-range unit|byte`, `--model-image-input`, `--model-mask-input`,
 * `--model-output` (tensor names, default LaMa's). Undefined when no model is configured.
 * Other flags are left for the caller.
 */
export function readLearnedConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): OnnxInpainterOptions | undefined {
  const options = Object.fromEntries(Object.keys(FLAGS).map((flag) => [flag, { type: 'string' as const }]));
  const { values } = parseArgs({ args: argv, strict: false, options });
  const value = (flag: Flag): string | undefined => {
    const raw = values[flag];
    if (typeof raw === 'string') return raw;
    return env[FLAGS[flag]] || undefined;
  };
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

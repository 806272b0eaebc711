// Reads what a learned inpainting model expects from the ONNX file itself: the named image and
// mask inputs, the output, and a fixed spatial size where the graph has one.
import { FailedPreconditionError } from '@locscope/server-kit';
import type { InferenceSession } from 'onnxruntime-node';

export interface SignatureNames {
  imageInput: string;
  maskInput: string;
  output: string;
}

export interface ModelSignature extends SignatureNames {
  /** Spatial size fed to the model: the graph's fixed dims, else the configured size. */
  width: number;
  height: number;
}

type Metadata = readonly InferenceSession.ValueMetadata[];

function fail(message: string, tensor: string, model: string): never {
  throw new FailedPreconditionError(`ONNX model ${model}: ${message}`, { field: `model.${tensor}` });
}

/** Fixed positive dimension, or undefined for symbolic / unknown ones. */
function fixedDim(dim: number | string | undefined): number | undefined {
  return typeof dim === 'number' && dim > 0 ? dim : undefined;
}

/** Checks a [1, channels, H, W] float32 input and returns its fixed H and W, if any. */
function checkInput(metadata: Metadata, name: string, channels: number, model: string): [number | undefined, number | undefined] {
  const input = metadata.find((m) => m.name === name);
  if (!input) fail(`has no input "${name}" (inputs: ${metadata.map((m) => m.name).join(', ')})`, name, model);
  if (!input.isTensor) fail(`input "${name}" is not a tensor`, name, model);
  if (input.type !== 'float32') fail(`input "${name}" is ${input.type}, expected float32`, name, model);
  if (input.shape.length === 0) return [undefined, undefined];
  const [batch, channel, height, width] = input.shape;
  if (input.shape.length !== 4 || (fixedDim(batch) ?? 1) !== 1 || (fixedDim(channel) ?? channels) !== channels) {
    fail(`input "${name}" has shape [${input.shape.join(', ')}], expected [1, ${channels}, H, W]`, name, model);
  }
  return [fixedDim(height), fixedDim(width)];
}

export function readSignature(
  session: Pick<InferenceSession, 'inputMetadata' | 'outputNames'>,
  names: SignatureNames,
  size: number,
  model: string,
): ModelSignature {
  const [imageHeight, imageWidth] = checkInput(session.inputMetadata, names.imageInput, 3, model);
  const [maskHeight, maskWidth] = checkInput(session.inputMetadata, names.maskInput, 1, model);
  const height = imageHeight ?? maskHeight ?? size;
  const width = imageWidth ?? maskWidth ?? size;
  if ((maskHeight ?? height) !== height || (maskWidth ?? width) !== width) {
    fail(`image input is ${height}×${width} but mask input is ${maskHeight}×${maskWidth}`, names.maskInput, model);
  }
  if (!session.outputNames.includes(names.output)) {
    fail(`has no output "${names.output}" (outputs: ${session.outputNames.join(', ')})`, names.output, model);
  }
  return { ...names, width, height };
}

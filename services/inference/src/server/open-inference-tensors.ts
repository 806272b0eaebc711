// Reading and writing Open Inference Protocol v2 tensors as the specification lays them out: an
// input's elements come from its `raw_input_contents` entry (row-major, little-endian; BOOL one
// byte per element; BYTES elements each a 4-byte little-endian length, then the bytes) or, when a
// request sends no raw contents, from the typed `contents` field of its datatype. Outputs are
// always written raw. Errors name the tensor (`inputs["name"]`) and say what was expected.
import type { ModelInferRequest, ModelInferResponse_InferOutputTensor } from '@locscope/proto/oip';
import { InvalidArgumentError } from '@locscope/server-kit';

/** An output tensor's description and its raw contents. */
export type OutputTensor = [ModelInferResponse_InferOutputTensor, Buffer];

/** Datatypes a flags input (a mask) may have: nonzero selects. */
const FLAG_DATATYPES = ['BOOL', 'UINT8'];

export const inputField = (name: string) => `inputs["${name}"]`;

/** The input called `name` and its index (raw contents are matched by index), or undefined. */
export function findInput(request: ModelInferRequest, name: string) {
  const index = request.inputs.findIndex((t) => t.name === name);
  return index === -1 ? undefined : { tensor: request.inputs[index], index };
}

function elementCount(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** The raw contents of input `index`, or undefined when the request sends typed contents. */
function rawContents(request: ModelInferRequest, index: number, name: string): Buffer | undefined {
  if (request.rawInputContents.length === 0) return undefined;
  const raw = request.rawInputContents[index];
  if (raw === undefined) {
    throw new InvalidArgumentError(`has no entry for input ${index} (${name}): raw contents, when used, are sent for every input`, {
      field: 'raw_input_contents',
    });
  }
  return raw;
}

/** The single element of a BYTES input, or undefined when the request does not have it. */
export function optionalBytesInput(request: ModelInferRequest, name: string): Buffer | undefined {
  const found = findInput(request, name);
  if (!found) return undefined;
  const { tensor, index } = found;
  const field = inputField(name);
  if (tensor.datatype !== 'BYTES') throw new InvalidArgumentError(`must be BYTES, got ${tensor.datatype}`, { field: `${field}.datatype` });
  if (elementCount(tensor.shape) !== 1) throw new InvalidArgumentError(`must hold one element, shape is [${tensor.shape.join(', ')}]`, { field: `${field}.shape` });
  const raw = rawContents(request, index, name);
  if (raw) {
    if (raw.length < 4 || raw.readUInt32LE(0) !== raw.length - 4) {
      throw new InvalidArgumentError('BYTES raw contents must be a 4-byte little-endian length, then that many bytes', { field: `raw_input_contents[${index}]` });
    }
    return raw.subarray(4);
  }
  const element = tensor.contents?.bytesContents[0];
  if (!element) throw new InvalidArgumentError('no data: set contents.bytes_contents or raw_input_contents', { field: `${field}.contents` });
  return element;
}

/**
 * The elements of a BOOL or UINT8 input as 0/1 flags, checked against `shape` (`dims` names each
 * dimension for the message), or undefined when the request does not have the input.
 */
export function flagsInput(request: ModelInferRequest, name: string, shape: number[], dims: string[]): Uint8Array | undefined {
  const found = findInput(request, name);
  if (!found) return undefined;
  const { tensor, index } = found;
  const field = inputField(name);
  const expected = `[${shape.join(', ')}] (${dims.join(', ')})`;
  if (!FLAG_DATATYPES.includes(tensor.datatype)) {
    throw new InvalidArgumentError(`must be BOOL or UINT8 ${expected}, got ${tensor.datatype}`, { field: `${field}.datatype` });
  }
  if (tensor.shape.length !== shape.length || tensor.shape.some((d, i) => d !== shape[i])) {
    throw new InvalidArgumentError(`must be ${expected}, got [${tensor.shape.join(', ')}]`, { field: `${field}.shape` });
  }
  const count = elementCount(shape);
  const raw = rawContents(request, index, name);
  const typed = tensor.datatype === 'BOOL' ? tensor.contents?.boolContents : tensor.contents?.uintContents;
  const values = raw ?? typed ?? [];
  if (values.length !== count) {
    const source = raw ? `raw_input_contents[${index}] has ${raw.length} bytes` : `contents has ${values.length} values`;
    throw new InvalidArgumentError(`${source}; ${expected} needs ${count} one-byte elements`, { field: raw ? `raw_input_contents[${index}]` : `${field}.contents` });
  }
  return Uint8Array.from(values as ArrayLike<number | boolean>, (v) => (v ? 1 : 0));
}

/** Indices of the set flags in row `row` of a [rows, width] flags array. */
export function setIndices(flags: Uint8Array, row: number, width: number): number[] {
  const indices: number[] = [];
  for (let i = 0; i < width; i++) if (flags[row * width + i]) indices.push(i);
  return indices;
}

export function outputTensor(name: string, datatype: string, shape: number[], contents: Buffer): OutputTensor {
  return [{ name, datatype, shape, parameters: {}, contents: undefined }, contents];
}

/** A BYTES output's raw contents: each element as its 4-byte little-endian length, then the bytes. */
export function rawBytesElements(elements: (Buffer | string)[]): Buffer {
  return Buffer.concat(
    elements.flatMap((element) => {
      const bytes = Buffer.from(element);
      const length = Buffer.alloc(4);
      length.writeUInt32LE(bytes.length);
      return [length, bytes];
    }),
  );
}

/** Raw little-endian bytes of a typed array (host order; every supported host is little-endian, as in tensor-codec.ts). */
export function rawNumbers(values: Float32Array | Float64Array | Int32Array | BigInt64Array): Buffer {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
}

// A parity reference directory: `reference.safetensors` (the tensors Hugging Face computed) and
// `reference.json` (their dtypes/shapes under `tensors`, the input layout and the parameters of
// each intervention). Everything the parity run does is read from here, never assumed.
import { join } from 'node:path';
import { readJson } from '../checkpoint/json-file.ts';
import { readByteRange, readSafetensorsHeader, type SafetensorsTensorInfo } from '../checkpoint/safetensors.ts';
import { ReferenceFormatError } from './errors.ts';

export const REFERENCE_TENSORS_FILE = 'reference.safetensors';
export const REFERENCE_JSON_FILE = 'reference.json';

export interface ReferenceTensor {
  name: string;
  shape: number[];
  /** F32 values, or I64 values as numbers (token ids). */
  data: Float32Array | number[];
}

export interface KnockoutParams {
  layers: number[];
  query_positions: number[];
  key_positions: number[];
}

export interface HeadParams {
  layer: number;
  head: number;
}

/** The fields of reference.json this runner relies on (others are documentation). */
export interface ReferenceJson {
  image_token_id?: number;
  image_span?: [number, number];
  ablate?: HeadParams;
  knockout?: KnockoutParams;
  patch?: HeadParams & { patch_last?: string };
  real?: { image_span?: [number, number] };
  tensors: Record<string, { dtype: string; shape: number[] }>;
}

export class Reference {
  private readonly infos: Map<string, SafetensorsTensorInfo>;

  private constructor(
    readonly dir: string,
    readonly json: ReferenceJson,
    private readonly file: string,
  ) {
    this.infos = readSafetensorsHeader(file).tensors;
  }

  static open(dir: string): Reference {
    const jsonFile = join(dir, REFERENCE_JSON_FILE);
    const json = readJson(jsonFile) as ReferenceJson;
    if (typeof json !== 'object' || json === null || typeof json.tensors !== 'object' || json.tensors === null) {
      throw new ReferenceFormatError(jsonFile, "field 'tensors' (name → {dtype, shape}) is missing");
    }
    return new Reference(dir, json, join(dir, REFERENCE_TENSORS_FILE));
  }

  /** Reference tensor names in reference.json order (which is sorted by name). */
  get names(): string[] {
    return Object.keys(this.json.tensors);
  }

  has(name: string): boolean {
    return this.infos.has(name);
  }

  tensor(name: string): ReferenceTensor {
    const info = this.infos.get(name);
    if (!info) throw new ReferenceFormatError(this.file, `tensor '${name}' is listed in ${REFERENCE_JSON_FILE} but missing`);
    const bytes = readByteRange(this.file, info.offset, info.byteLength);
    const aligned = bytes.slice().buffer;
    switch (info.dtype) {
      case 'F32':
        return { name, shape: info.shape, data: new Float32Array(aligned) };
      case 'I64':
        return { name, shape: info.shape, data: Array.from(new BigInt64Array(aligned), Number) };
      default:
        throw new ReferenceFormatError(this.file, `tensor '${name}' has dtype ${info.dtype}; references are F32 or I64`);
    }
  }

  floats(name: string): Float32Array {
    const t = this.tensor(name);
    if (!(t.data instanceof Float32Array)) throw new ReferenceFormatError(this.file, `tensor '${name}' must be F32`);
    return t.data;
  }

  ids(name: string): number[] {
    const t = this.tensor(name);
    if (t.data instanceof Float32Array) throw new ReferenceFormatError(this.file, `tensor '${name}' must be I64`);
    return t.data;
  }
}

// The WeightStore over one or more safetensors files: an index of canonical name → byte range,
// built from the headers alone. Values are read lazily, tensor by tensor.
import { MissingTensorError, SafetensorsFormatError, TensorShapeError } from './errors.ts';
import { isWeightDType, toFloat32 } from './dtype.ts';
import { toFloat16Bits } from './float16-bits.ts';
import { readByteRange, type SafetensorsHeader } from './safetensors.ts';
import { canonicalTensorName } from './tensor-names.ts';
import type { TensorEntry, WeightStore } from './types.ts';

/** A tensor present in a file but in a dtype we do not compute with (e.g. an I64 buffer). */
export interface UnsupportedTensor {
  name: string;
  dtype: string;
  file: string;
}

export class SafetensorsWeightStore implements WeightStore {
  readonly entries: ReadonlyMap<string, TensorEntry>;
  /** Human-readable list of the files behind this store, used in error messages. */
  readonly source: string;
  private readonly unsupported: ReadonlyMap<string, UnsupportedTensor>;

  constructor(entries: ReadonlyMap<string, TensorEntry>, source: string, unsupported: ReadonlyMap<string, UnsupportedTensor> = new Map()) {
    this.entries = entries;
    this.source = source;
    this.unsupported = unsupported;
  }

  /** Indexes the tensors of parsed headers under canonical names; a name defined twice is an error. */
  static fromHeaders(headers: readonly SafetensorsHeader[], source: string): SafetensorsWeightStore {
    const entries = new Map<string, TensorEntry>();
    const unsupported = new Map<string, UnsupportedTensor>();
    const fileOf = new Map<string, string>();
    for (const header of headers) {
      for (const info of header.tensors.values()) {
        const name = canonicalTensorName(info.name);
        const previous = fileOf.get(name);
        if (previous !== undefined) {
          throw new SafetensorsFormatError(header.file, `canonical name '${name}' is already defined in ${previous}`, { tensor: info.name });
        }
        fileOf.set(name, header.file);
        if (isWeightDType(info.dtype)) {
          entries.set(name, { name, storedName: info.name, dtype: info.dtype, shape: info.shape, file: header.file, offset: info.offset, byteLength: info.byteLength });
        } else {
          unsupported.set(name, { name, dtype: info.dtype, file: header.file });
        }
      }
    }
    return new SafetensorsWeightStore(entries, source, unsupported);
  }

  /** A store in which `alias` resolves to the entry of `target` (tied embeddings). */
  withAlias(alias: string, target: string): SafetensorsWeightStore {
    const entries = new Map(this.entries);
    entries.set(alias, { ...this.get(target), name: alias });
    return new SafetensorsWeightStore(entries, this.source, this.unsupported);
  }

  /** A store whose names under `from` are moved under `to` (`from` + rest → `to` + rest). */
  withPrefixMoved(from: string, to: string): SafetensorsWeightStore {
    const entries = new Map<string, TensorEntry>();
    for (const [name, entry] of this.entries) {
      const moved = name.startsWith(from) ? to + name.slice(from.length) : name;
      entries.set(moved, { ...entry, name: moved });
    }
    return new SafetensorsWeightStore(entries, this.source, this.unsupported);
  }

  get(name: string): TensorEntry {
    const entry = this.entries.get(name);
    if (entry) return entry;
    const unsupported = this.unsupported.get(name);
    if (unsupported) {
      throw new SafetensorsFormatError(unsupported.file, `dtype ${unsupported.dtype} is not a supported weight dtype (F32, F16, BF16)`, { tensor: name });
    }
    throw new MissingTensorError(this.source, name);
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  readFloat32(name: string, expectedShape?: number[]): Float32Array {
    const entry = this.get(name);
    if (expectedShape) assertShape(entry, expectedShape);
    return toFloat32(readByteRange(entry.file, entry.offset, entry.byteLength), entry.dtype);
  }

  readFloat16Bits(name: string): Uint16Array {
    const entry = this.get(name);
    return toFloat16Bits(readByteRange(entry.file, entry.offset, entry.byteLength), entry);
  }
}

/** Throws a TensorShapeError naming the tensor and its file unless `entry.shape` equals `expected`. */
export function assertShape(entry: TensorEntry, expected: readonly number[], reason?: string): void {
  const same = entry.shape.length === expected.length && entry.shape.every((d, i) => d === expected[i]);
  if (!same) throw new TensorShapeError(entry.file, entry.name, expected, entry.shape, reason);
}

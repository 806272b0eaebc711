// Checkpoint weights as ONNX initializers whose bytes stay in the safetensors files: each
// initializer is external data (location = the file relative to the checkpoint directory, offset =
// the entry's absolute byte offset). onnxruntime resolves locations against the folder given in
// session option `session.model_external_initializers_file_folder_path` and refuses paths that
// leave it (symlinks are resolved first), so all files must lie under one base directory.
import { relative, sep } from 'node:path';
import type { GraphBuilder } from './graph-builder.ts';
import type { Value } from './graph-core.ts';
import { weightDType } from './dtypes.ts';
import { assertShape } from '../checkpoint/weight-store.ts';
import type { WeightStore } from '../checkpoint/types.ts';
import { GraphError } from './graph-core.ts';

export class CheckpointWeights {
  private readonly bound = new Map<string, Value>();

  /**
   * @param baseDir the directory every weight file lies under (the checkpoint directory); it is
   *   the external-data folder the session must be created with.
   */
  constructor(
    private readonly g: GraphBuilder,
    readonly store: WeightStore,
    readonly baseDir: string,
  ) {}

  has(name: string): boolean {
    return this.store.has(name);
  }

  /** The tensor as a float32 value (F16/BF16 are cast in-graph), shape-checked when `shape` is given. */
  f32(name: string, shape?: readonly number[]): Value {
    const entry = this.store.get(name);
    if (shape) assertShape(entry, shape);
    const cached = this.bound.get(name);
    if (cached) return cached;
    const location = relative(this.baseDir, entry.file);
    if (location.startsWith('..') || location.includes(`..${sep}`)) {
      throw new GraphError(`tensor '${name}': file ${entry.file} is outside the checkpoint directory ${this.baseDir}`);
    }
    const dtype = weightDType(entry.dtype);
    const raw = this.g.externalTensor(name, dtype, entry.shape, { location, offset: entry.offset, length: entry.byteLength });
    const value = dtype === 'float32' ? raw : this.g.cast(raw, 'float32');
    this.bound.set(name, value);
    return value;
  }
}

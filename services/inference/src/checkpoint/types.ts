// The contract between checkpoint loading (this folder) and the graph builders / runtime.
// Canonical tensor names are the current Hugging Face form: `model.language_model.*`,
// `model.vision_tower.*`, `model.multi_modal_projector.*`, `lm_head.weight`; loaders map legacy
// names (`language_model.model.*`, `vision_tower.*`, `multi_modal_projector.*`,
// `language_model.lm_head.weight`) onto them.

export type ModelFamilyName = 'llava' | 'internvl';

/** Element types of checkpoint weights. */
export type WeightDType = 'F32' | 'F16' | 'BF16';

/** Where one tensor's bytes live: a byte range of a safetensors file (little-endian, row-major). */
export interface TensorEntry {
  /** Canonical name. */
  name: string;
  /** Name as stored in the file. */
  storedName: string;
  dtype: WeightDType;
  shape: number[];
  /** Absolute path of the .safetensors file. */
  file: string;
  /** Absolute byte offset of the data inside `file` (8 + header length + data_offsets[0]). */
  offset: number;
  byteLength: number;
}

export interface WeightStore {
  /** Every tensor of the checkpoint by canonical name. */
  readonly entries: ReadonlyMap<string, TensorEntry>;
  /** The entry, or a MissingTensorError naming the tensor and the checkpoint files. */
  get(name: string): TensorEntry;
  has(name: string): boolean;
  /** The tensor's values as float32 (F16/BF16 widened), shape-checked against `expectedShape` when given. */
  readFloat32(name: string, expectedShape?: number[]): Float32Array;
  /** The tensor's values as float16 bit patterns (F16 unchanged; Float16RangeError for a finite value float16 cannot hold). */
  readFloat16Bits(name: string): Uint16Array;
}

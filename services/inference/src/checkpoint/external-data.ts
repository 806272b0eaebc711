// Where ONNX external-data initializers find checkpoint weights. Two layouts:
//  - in place: the safetensors files themselves (location relative to the checkpoint directory,
//    offset/length of the tensor's byte range) — no copy, the CPU default;
//  - an aligned data file (aligned-data-file.ts) for execution providers that need every tensor at
//    an aligned offset.
// A folder of symlinks is not offered: onnxruntime (1.30) resolves symlinks and rejects any
// external-data path whose target lies outside the folder ("External data path escapes model
// directory"), so the folder must be the one that really contains the files.
import { dirname, relative, sep } from 'node:path';
import { CheckpointError } from './errors.ts';
import type { TensorEntry, WeightStore } from './types.ts';

/** The `location`/`offset`/`length` keys of an ONNX TensorProto's external_data. */
export interface ExternalLocation {
  /** Path relative to `ExternalDataSource.folder`. */
  location: string;
  offset: number;
  length: number;
}

export interface ExternalDataSource {
  /** The folder to give onnxruntime (session option `session.model_external_initializers_file_folder_path`). */
  readonly folder: string;
  /** External-data reference of a tensor by canonical name (MissingTensorError when absent). */
  locate(name: string): ExternalLocation & { entry: TensorEntry };
}

/** External data pointing into the safetensors files; `folder` is the directory holding all of them. */
export function inPlaceExternalData(weights: WeightStore): ExternalDataSource {
  const folders = new Set([...weights.entries.values()].map((e) => dirname(e.file)));
  if (folders.size > 1) {
    throw new CheckpointError([...folders].join(', '), 'weight files lie in several directories; onnxruntime needs them under one external-data folder');
  }
  const folder = [...folders][0] ?? '.';
  return {
    folder,
    locate(name) {
      const entry = weights.get(name);
      const location = relative(folder, entry.file);
      // Guaranteed by construction; kept as a check because onnxruntime would reject it later with a vaguer message.
      if (location.startsWith(`..${sep}`) || location.includes(sep)) throw new CheckpointError(entry.file, `is not directly inside ${folder}`);
      return { entry, location, offset: entry.offset, length: entry.byteLength };
    },
  };
}

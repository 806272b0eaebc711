// Finds the weight files of a Hugging Face checkpoint directory: either one `model.safetensors`
// or the shards listed in `model.safetensors.index.json` (`weight_map`: tensor → shard file).
// Other *.safetensors in the directory (e.g. a parity `reference.safetensors`) are not weights.
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { CheckpointNotFoundError, SafetensorsFormatError } from './errors.ts';
import { readSafetensorsHeader, type SafetensorsHeader } from './safetensors.ts';
import { SafetensorsWeightStore } from './weight-store.ts';

export const SINGLE_FILE = 'model.safetensors';
export const SHARD_INDEX_FILE = 'model.safetensors.index.json';

/** Opens the weights of `dir` (headers only) as a WeightStore under canonical names. */
export function openWeightStore(dir: string): SafetensorsWeightStore {
  const root = resolve(dir);
  const indexFile = join(root, SHARD_INDEX_FILE);
  if (existsSync(indexFile)) return openSharded(root, indexFile);
  const single = join(root, SINGLE_FILE);
  if (!existsSync(single)) throw new CheckpointNotFoundError(root, `${SINGLE_FILE} or ${SHARD_INDEX_FILE}`);
  return SafetensorsWeightStore.fromHeaders([readSafetensorsHeader(single)], single);
}

function openSharded(root: string, indexFile: string): SafetensorsWeightStore {
  const weightMap = readWeightMap(indexFile);
  const shardNames = [...new Set(Object.values(weightMap))].sort();
  const headers = new Map<string, SafetensorsHeader>();
  for (const shard of shardNames) {
    // weight_map values are plain file names; anything else could escape the checkpoint directory.
    if (basename(shard) !== shard) throw new SafetensorsFormatError(indexFile, `weight_map names shard '${shard}', which is not a file name in the checkpoint directory`);
    const file = join(root, shard);
    if (!existsSync(file)) throw new CheckpointNotFoundError(file, `shard listed in ${SHARD_INDEX_FILE}`);
    headers.set(shard, readSafetensorsHeader(file));
  }
  for (const [tensor, shard] of Object.entries(weightMap)) {
    if (!headers.get(shard)!.tensors.has(tensor)) {
      throw new SafetensorsFormatError(indexFile, `weight_map puts it in ${shard}, which does not contain it`, { tensor });
    }
  }
  return SafetensorsWeightStore.fromHeaders([...headers.values()], `${indexFile} (${shardNames.length} shards)`);
}

function readWeightMap(indexFile: string): Record<string, string> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(indexFile, 'utf8'));
  } catch (error) {
    throw new SafetensorsFormatError(indexFile, 'is not valid JSON', { cause: error });
  }
  const weightMap = (json as { weight_map?: unknown } | null)?.weight_map;
  if (typeof weightMap !== 'object' || weightMap === null || Array.isArray(weightMap) || !Object.values(weightMap).every((v) => typeof v === 'string')) {
    throw new SafetensorsFormatError(indexFile, "field 'weight_map' must be an object of tensor name → shard file name");
  }
  return weightMap as Record<string, string>;
}

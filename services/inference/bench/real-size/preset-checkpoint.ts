// Where a preset's random checkpoint lives (the cache folder, never the repository), writing it
// once, and removing it with the prepared weights made from it (`locscope bench --clean`).
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { openWeightStore } from '../../src/checkpoint/checkpoint-files.ts';
import { COMPLETE_MARKER, ensureRandomCheckpoint, type RandomCheckpointOptions, type RandomCheckpointResult } from '../../src/checkpoint/random-checkpoint.ts';
import { testTokenizerJson } from '../../src/checkpoint/test-support.ts';
import { locscopeCacheRoot, PreparedWeights } from '../../src/onnx/prepared-weights.ts';
import { PROMPT_WORDS } from '../service-bench.ts';
import type { PresetName, RealSizePreset } from './presets.ts';

/** Bumped whenever what a preset writes changes, so a stale checkpoint is never reused. */
const CHECKPOINT_VERSION = 'v1';

/** `$LOCSCOPE_CACHE_DIR/checkpoints/<preset>-random-v1` (else under ~/.cache/locscope). */
export function presetCheckpointDir(name: PresetName, cacheRoot = locscopeCacheRoot()): string {
  return join(cacheRoot, 'checkpoints', `${name}-random-${CHECKPOINT_VERSION}`);
}

/** The tokenizer, processor and generation files of a preset, as JSON objects by file name. */
export function presetFiles(preset: RealSizePreset): Record<string, unknown> {
  // ChatML (InternVL) spells its roles in lower case; LLaVA's template in upper case.
  const words = preset.tokenizer.metaspace ? PROMPT_WORDS : [...PROMPT_WORDS, 'user', 'assistant'];
  return {
    'tokenizer.json': testTokenizerJson({ added: preset.tokenizer.added, words, metaspace: preset.tokenizer.metaspace, ...(preset.tokenizer.bos ? { bos: preset.tokenizer.bos } : {}), firstId: 100 }),
    'tokenizer_config.json': preset.tokenizer.config,
    'generation_config.json': preset.generationConfig,
    'preprocessor_config.json': preset.preprocessorConfig,
  };
}

export function ensurePresetCheckpoint(preset: RealSizePreset, dir: string, options: Omit<RandomCheckpointOptions, 'files'> = {}): RandomCheckpointResult {
  return ensureRandomCheckpoint(dir, preset.config, { ...options, files: presetFiles(preset) });
}

/**
 * Removes a preset's checkpoint and its prepared weights (either compute dtype) under `weightsRoot`; returns the
 * folders removed. The prepared folder is named by the checkpoint's files, so it is found only
 * while the checkpoint is complete.
 */
export function cleanPresetCheckpoint(dir: string, weightsRoot?: string): string[] {
  const removed: string[] = [];
  if (existsSync(join(dir, COMPLETE_MARKER))) {
    const store = openWeightStore(dir);
    for (const dtype of ['float32', 'float16'] as const) {
      const prepared = PreparedWeights.open(store, weightsRoot, dtype).dir;
      if (existsSync(prepared)) {
        rmSync(prepared, { recursive: true, force: true });
        removed.push(prepared);
      }
    }
  }
  if (existsSync(dir)) {
    rmSync(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  return removed;
}

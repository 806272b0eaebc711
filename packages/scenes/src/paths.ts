// Where the repository keeps what this package ships: the evaluation split and the demo models.
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..', '..');
/** `locscope scenes --seed 2 --count 300 --out data/scenes/eval` (never used for training). */
export const DEFAULT_EVAL_SPLIT = join(REPO_ROOT, 'data', 'scenes', 'eval');
export const DEMO_MODEL_NAMES = ['demo-llava', 'demo-internvl'] as const;
export const DEMO_MODELS_DIR = join(REPO_ROOT, 'models');

/** A shipped demo model's name → its directory; anything else is taken as a checkpoint directory. */
export function resolveModelDir(nameOrDir: string): string {
  if ((DEMO_MODEL_NAMES as readonly string[]).includes(nameOrDir)) return join(DEMO_MODELS_DIR, nameOrDir);
  return resolve(nameOrDir);
}

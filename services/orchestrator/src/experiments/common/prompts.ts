// The question of each task for one object, from the config's prompt templates (envelope
// `prompts`, whose defaults are the paper's and the demo models' training prompts).
import type { ResolvedConfig } from '../../config/resolve.ts';
import { fillPrompt } from '../prompts.ts';
import type { ObjectJobInput } from './samples.ts';

/** The paper's two evaluation tasks plus the binary query CMA uses for classification (§3.3.2). */
export type PromptTask = 'localization' | 'classification' | 'binary';

export function promptFor(task: PromptTask, config: Pick<ResolvedConfig, 'prompts'>, input: ObjectJobInput): string {
  return fillPrompt(config.prompts[task], { object: input.object.categoryName, categories: input.categories });
}

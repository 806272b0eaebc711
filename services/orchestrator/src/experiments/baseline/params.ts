// baseline (paper §2.3): unmodified localization and list-classification accuracy per model.
import { z } from 'zod';
import { tasksSchema } from '../tasks.ts';

export const baselineParams = z.object({ tasks: tasksSchema }).strict();
export type BaselineParams = z.infer<typeof baselineParams>;

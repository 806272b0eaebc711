// token-ablation (paper Tab. 1): replace object tokens (±padding), top-k Integrated-Gradients
// tokens, random k tokens (3 seeds) and register tokens with the mean visual embedding.
import { z } from 'zod';
import { objectsParam } from '../common/objects.ts';
import { replacementSchema, seedRange, tasksSchema } from '../tasks.ts';

export const PAPER_PADDINGS = [-2, -1, 0, 1, 2];
export const PAPER_TOKEN_KS = [1, 4, 8, 16, 32, 48];

export const tokenAblationParams = z
  .object({
    /** The probing set (paper §2.2) or all selected objects. */
    objects: objectsParam,
    tasks: tasksSchema,
    replacement: replacementSchema,
    paddings: z.array(z.number().int().min(-4).max(4)).default(PAPER_PADDINGS),
    integratedGradients: z
      .object({
        ks: z.array(z.number().int().positive()).default(PAPER_TOKEN_KS),
        /** Riemann steps of the path integral (not given in the paper). */
        steps: z.number().int().positive().default(32),
        /** IG baseline: the same mean embedding the ablation uses. */
        baseline: replacementSchema,
      })
      .strict()
      .prefault({}),
    random: z
      .object({
        ks: z.array(z.number().int().positive()).default(PAPER_TOKEN_KS),
        seeds: z.array(z.number().int().nonnegative()).min(1).default(seedRange(3)),
      })
      .strict()
      .prefault({}),
    /** Register tokens: embedding norm above mean + sigma·std (paper: two standard deviations). */
    registerSigma: z.number().positive().default(2),
  })
  .strict();
export type TokenAblationParams = z.infer<typeof tokenAblationParams>;

// head-ablation (paper §3.3.3, Fig. 5): zero the outputs of the top-MF heads of each task, and of
// the lowest-|MF| heads as control, cumulatively; localization accuracy vs fraction removed.
import { z } from 'zod';
import { objectsParam } from '../common/objects.ts';

export const HEAD_GROUPS = ['localization-critical', 'classification-critical', 'low-importance'] as const;

export const headAblationParams = z
  .object({
    /** The probing set (paper §2.2) or all selected objects. */
    objects: objectsParam,
    groups: z.array(z.enum(HEAD_GROUPS)).min(1).default([...HEAD_GROUPS]),
    /** Fractions of all heads removed, cumulatively (0 = the unablated baseline). */
    fractions: z.array(z.number().min(0).max(1)).min(2).default([0, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5]),
  })
  .strict();
export type HeadAblationParams = z.infer<typeof headAblationParams>;

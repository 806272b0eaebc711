// views (paper Tab. 3, Fig. 10): InternVL only; ablate object tokens in the local tiles only or
// the global thumbnail only, broken down by COCO object size.
import { z } from 'zod';
import { objectsParam } from '../common/objects.ts';
import { replacementSchema, tasksSchema } from '../tasks.ts';

export const VIEWS = ['local', 'global'] as const;
/** COCO size buckets: area < 32² small, < 96² medium, else large. */
export const COCO_SIZE_LIMITS = [32 * 32, 96 * 96];

export const viewsParams = z
  .object({
    /** The probing set (paper §2.2) or all selected objects. */
    objects: objectsParam,
    tasks: tasksSchema,
    replacement: replacementSchema,
    views: z.array(z.enum(VIEWS)).min(1).default([...VIEWS]),
    paddings: z.array(z.number().int().min(-4).max(4)).default([-1, 0, 1]),
    sizeLimits: z.array(z.number().positive()).length(2).default(COCO_SIZE_LIMITS),
  })
  .strict();
export type ViewsParams = z.infer<typeof viewsParams>;

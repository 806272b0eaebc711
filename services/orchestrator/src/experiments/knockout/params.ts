// knockout (paper §3.3.1, Fig. 3): block attention from every token after the image to the
// object tokens, in groups of consecutive layers (all heads), and in all layers at once.
import { z } from 'zod';
import { objectsParam } from '../common/objects.ts';
import { tasksSchema } from '../tasks.ts';

export const knockoutParams = z
  .object({
    /** The probing set (paper §2.2) or all selected objects. */
    objects: objectsParam,
    tasks: tasksSchema,
    /** Paper: groups of four layers (six in the appendix). */
    groupSize: z.number().int().positive().default(4),
    includeAllLayers: z.boolean().default(true),
    /** Token rings added around the object before blocking (0 = the object mask). */
    objectPadding: z.number().int().min(-4).max(4).default(0),
  })
  .strict();
export type KnockoutParams = z.infer<typeof knockoutParams>;

// shuffle (paper Tab. 2): permute all visual tokens vs only those inside the object mask.
import { z } from 'zod';
import { objectsParam } from '../common/objects.ts';
import { seedRange, tasksSchema } from '../tasks.ts';

export const SHUFFLE_MODES = ['full', 'object'] as const;

export const shuffleParams = z
  .object({
    /** The probing set (paper §2.2) or all selected objects. */
    objects: objectsParam,
    tasks: tasksSchema,
    modes: z.array(z.enum(SHUFFLE_MODES)).min(1).default([...SHUFFLE_MODES]),
    seeds: z.array(z.number().int().nonnegative()).min(1).default(seedRange(3)),
  })
  .strict();
export type ShuffleParams = z.infer<typeof shuffleParams>;

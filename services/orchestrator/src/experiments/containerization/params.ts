// containerization (paper Fig. 1): pad the object with p rings of tokens copied (seeded) from
// inside it; score predictions against GT boxes scaled by s rings; mean ± std over seeds.
import { z } from 'zod';
import { objectsParam } from '../common/objects.ts';
import { seedRange } from '../tasks.ts';

export const containerizationParams = z
  .object({
    /** The probing set (paper §2.2) or all selected objects. */
    objects: objectsParam,
    paddings: z.array(z.number().int().nonnegative().max(4)).default([0, 1, 2]),
    scalings: z.array(z.number().int().nonnegative().max(4)).default([0, 1, 2]),
    seeds: z.array(z.number().int().nonnegative()).min(1).default(seedRange(10)),
  })
  .strict();
export type ContainerizationParams = z.infer<typeof containerizationParams>;

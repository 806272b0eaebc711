// cma (paper §3.3.2, Fig. 4): patch each head's output at the prompt positions from the source
// (original) run into the base (inpainted) run; MF = (P_base − P_patched)/(P_base − P_src) on
// teacher-forced perplexity with template tokens masked.
import { z } from 'zod';
import { objectsParam } from '../common/objects.ts';
import { controlSetParams } from '../control-set/params.ts';

export const CMA_TASKS = ['localization', 'binary'] as const;

export const cmaParams = z
  .object({
    /** The probing set (paper §2.2) or all selected objects. */
    objects: objectsParam,
    /** Classification uses the binary prompt: one decisive token (paper §3.3.2). */
    tasks: z.array(z.enum(CMA_TASKS)).min(1).default([...CMA_TASKS]),
    /** Pairs with |P_base − P_src| below this are excluded (and counted). */
    minPerplexityGap: z.number().nonnegative().default(1e-3),
    /** Paper reports the overlap of the top-10 and top-50 heads of the two tasks. */
    topK: z.array(z.number().int().positive()).default([10, 50]),
    /** How the base (object-removed) image is made: the control set's inpainting. */
    inpaint: controlSetParams.shape.inpaint,
    /** Heads patched per inference batch. */
    headsPerBatch: z.number().int().positive().default(32),
  })
  .strict();
export type CmaParams = z.infer<typeof cmaParams>;

// control-set (paper §2.2): remove the target by inpainting; keep pairs the model classifies
// correctly on the original and wrongly on the inpainted image; intersect across the run's models.
import { z } from 'zod';

export const INPAINT_METHODS = ['telea', 'ns', 'onnx'] as const;

export const controlSetParams = z
  .object({
    inpaint: z
      .object({
        method: z.enum(INPAINT_METHODS).default('telea'),
        /** Mask dilation in pixels before inpainting (the inpainting service's default). */
        dilate: z.number().int().nonnegative().default(8),
        radius: z.number().int().positive().default(3),
      })
      .strict()
      .prefault({}),
    /** Paper: the final probing subset is the intersection across all models. */
    intersectAcrossModels: z.boolean().default(true),
  })
  .strict();
export type ControlSetParams = z.infer<typeof controlSetParams>;

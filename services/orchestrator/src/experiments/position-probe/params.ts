// position-probe (paper §3.2, Fig. 2): one linear probe per layer and axis predicting a visual
// token's row/column, over vision encoder, projection and LM layers.
import { z } from 'zod';

export const PROBE_COMPONENTS = ['vision', 'projection', 'language'] as const;

export const positionProbeParams = z
  .object({
    components: z.array(z.enum(PROBE_COMPONENTS)).min(1).default([...PROBE_COMPONENTS]),
    /** Paper: 10 epochs, 50,000 training and 10,000 evaluation images (ImageNet). */
    epochs: z.number().int().positive().default(10),
    trainImages: z.number().int().positive().default(50_000),
    evalImages: z.number().int().positive().default(10_000),
    batchSize: z.number().int().positive().default(4096),
    learningRate: z.number().positive().default(1e-3),
    seed: z.number().int().nonnegative().default(0),
  })
  .strict();
export type PositionProbeParams = z.infer<typeof positionProbeParams>;

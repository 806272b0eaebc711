// One Generate call: an image, a question and a batch of intervention variants → answer per variant.
import { InferenceClient, type Variant } from '@locscope/proto/v1/inference';
import type { ServiceCalls } from '../services/clients.ts';
import { unary } from '../services/unary.ts';

export interface GenerateInput {
  model: string;
  image: Uint8Array;
  prompt: string;
  variants: Variant[];
  maxNewTokens: number;
}

/** Answers keyed by variant name. */
export async function generateAnswers(calls: ServiceCalls, input: GenerateInput): Promise<Map<string, string>> {
  const inference = await calls.clients.client('inference', InferenceClient);
  const response = await unary(inference.generate.bind(inference), {
    model: input.model,
    image: { source: { $case: 'encoded', value: Buffer.from(input.image) } },
    prompt: input.prompt,
    variants: input.variants,
    maxNewTokens: input.maxNewTokens,
    stop: [],
  }, calls.signal);
  return new Map(response.generations.map((g) => [g.variant, g.text]));
}

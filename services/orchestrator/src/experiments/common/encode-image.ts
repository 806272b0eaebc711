// The image as a model encodes it: per-token embedding norms and the view/grid layout of its
// visual tokens (inference.EncodeImage; cached by the service per image hash).
import { InferenceClient, type EncodeImageResponse } from '@locscope/proto/v1/inference';
import type { ServiceCalls } from '../../services/clients.ts';
import { unary } from '../../services/unary.ts';

/** Per-token norms and the view layout of the image as the model encodes it. */
export async function encodeImage(calls: ServiceCalls, model: string, image: Uint8Array): Promise<EncodeImageResponse> {
  const client = await calls.clients.client('inference', InferenceClient);
  return unary(client.encodeImage.bind(client), { model, image: { source: { $case: 'encoded', value: Buffer.from(image) } }, returnEmbeddings: false }, calls.signal);
}

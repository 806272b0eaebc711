// The token sets of Tab. 1 besides the object mask: top-k Integrated-Gradients tokens (by
// attribution magnitude), register tokens (embedding norm above mean + σ·std) and random tokens.
import { randomTokens, registerTokens, topKTokens } from '@locscope/masks';
import { decodeFloat32 } from '@locscope/proto';
import { AttributionBaseline, InferenceClient, type EncodeImageResponse } from '@locscope/proto/v1/inference';
import type { ServiceCalls } from '../../services/clients.ts';
import { unary } from '../../services/unary.ts';
import type { Replacement } from '../common/interventions.ts';

/** Register tokens: norm > mean + sigma·std (population std, as the masks package computes it). */
export function registerTokenSet(encoded: EncodeImageResponse, sigma: number): number[] {
  const norms = decodeFloat32(encoded.norms, 'encode_image.norms');
  const { mean, std } = registerTokens(norms, 'encode_image.norms');
  const threshold = mean + sigma * std;
  return Array.from(norms.keys()).filter((i) => norms[i] > threshold);
}

/** Integrated-Gradients attribution per visual token of the target answer's log-prob. */
export async function attributions(
  calls: ServiceCalls,
  request: { model: string; image: Uint8Array; prompt: string; target: string; steps: number; baseline: Replacement },
): Promise<Float32Array> {
  const client = await calls.clients.client('inference', InferenceClient);
  const response = await unary(client.attribute.bind(client), {
    model: request.model,
    image: { source: { $case: 'encoded', value: Buffer.from(request.image) } },
    prompt: request.prompt,
    target: request.target,
    steps: request.steps,
    baseline: request.baseline.kind === 'mean' ? AttributionBaseline.ATTRIBUTION_BASELINE_MEAN_EMBEDDING : AttributionBaseline.ATTRIBUTION_BASELINE_ZERO,
    meanEmbedding: request.baseline.kind === 'mean' ? request.baseline.artifact : '',
  }, calls.signal);
  return decodeFloat32(response.attributions, 'attribute.attributions');
}

/** The k tokens of largest attribution magnitude (paper §3.1 iii), k capped at the token count. */
export function topAttributed(scores: Float32Array, k: number): number[] {
  return topKTokens(scores.map(Math.abs), Math.min(k, scores.length), 'attributions');
}

/** k tokens drawn uniformly (seeded) from all visual tokens (paper §3.1 iv). */
export function randomTokenSet(tokenCount: number, k: number, seed: number): number[] {
  return randomTokens(tokenCount, Math.min(k, tokenCount), seed);
}

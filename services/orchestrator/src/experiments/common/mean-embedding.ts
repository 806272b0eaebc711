// The replacement value of token ablations: the mean visual embedding over a fixed image set, a
// named artifact of the inference service (paper §3.1: computed once, over ImageNet val). The name
// encodes the image set, so every job of a run addresses the same mean, and the service computes
// it once per process: the first job creates it, later ones find it.
import { status } from '@grpc/grpc-js';
import { createHash } from 'node:crypto';
import type { Dataset } from '../../dataset.ts';
import type { PlanContext, PlannedJob } from '../../experiment.ts';
import type { ServiceCalls, ServiceClients } from '../../services/clients.ts';
import { InferenceClient, type ImageInput } from '@locscope/proto/v1/inference';
import { unary } from '../../services/unary.ts';
import { readImage } from './evaluate.ts';
import { planAnalysisObjects, type ObjectPool } from './objects.ts';
import { firstImages, type ObjectJobInput } from './samples.ts';
import type { Replacement } from './interventions.ts';

/** Images the mean is taken over (the first of the plan's images, by image id). */
export const MEAN_EMBEDDING_IMAGES = 32;
/** Images per MeanEmbedding request (the service's default limit is 256). */
const IMAGES_PER_REQUEST = 16;

/** The image files the mean is taken over: the plan's first images by id. */
export function meanEmbeddingImages(dataset: Dataset, count = MEAN_EMBEDDING_IMAGES): string[] {
  return firstImages(dataset, count);
}

/** A per-object job of an ablation that replaces tokens with the mean: it names the mean's images. */
export type AblationInput = ObjectJobInput & { meanImages: string[] };

/** The analysis objects (`planAnalysisObjects`), each job carrying the mean's image set. */
export async function planAblationJobs<P extends { objects: ObjectPool }>(ctx: PlanContext<P>): Promise<PlannedJob<AblationInput>[]> {
  const meanImages = meanEmbeddingImages(await ctx.dataset());
  return (await planAnalysisObjects(ctx)).map((job) => ({ ...job, input: { ...job.input, meanImages } }));
}

export function meanEmbeddingName(images: string[]): string {
  return `mean-${createHash('sha256').update(images.join('\n')).digest('hex').slice(0, 16)}`;
}

// Per clients; the first caller's signal cancels the shared creation (a run's jobs share one signal).
const pending = new WeakMap<ServiceClients, Map<string, Promise<void>>>();

/** Makes sure the service holds the mean over `images` for `model`; returns the artifact name. */
export async function ensureMeanEmbedding(calls: ServiceCalls, model: string, images: string[]): Promise<string> {
  const name = meanEmbeddingName(images);
  let byKey = pending.get(calls.clients);
  if (!byKey) pending.set(calls.clients, (byKey = new Map()));
  const key = `${model}\n${name}`;
  let ready = byKey.get(key);
  if (!ready) {
    ready = createIfAbsent(calls, model, name, images);
    ready.catch(() => byKey.delete(key));
    byKey.set(key, ready);
  }
  await ready;
  return name;
}

async function createIfAbsent(calls: ServiceCalls, model: string, name: string, images: string[]): Promise<void> {
  const client = await calls.clients.client('inference', InferenceClient);
  const call = client.meanEmbedding.bind(client);
  try {
    // No images: returns the stored mean, or INVALID_ARGUMENT when there is none yet.
    await unary(call, { model, name, images: [] }, calls.signal);
    return;
  } catch (error) {
    if ((error as { code?: number }).code !== status.INVALID_ARGUMENT) throw error;
  }
  for (let start = 0; start < images.length; start += IMAGES_PER_REQUEST) {
    const chunk = await Promise.all(images.slice(start, start + IMAGES_PER_REQUEST).map(encodedImage));
    await unary(call, { model, name, images: chunk }, calls.signal);
  }
}

/** The replacement a job uses: the mean artifact (created on first use) or zeros. */
export async function replacementFor(calls: ServiceCalls, model: string, kind: 'mean' | 'zero', images: string[]): Promise<Replacement> {
  return kind === 'zero' ? { kind: 'zero' } : { kind: 'mean', artifact: await ensureMeanEmbedding(calls, model, images) };
}

async function encodedImage(imagePath: string): Promise<ImageInput> {
  return { source: { $case: 'encoded', value: Buffer.from(await readImage(imagePath)) } };
}

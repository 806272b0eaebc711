// Model facts an experiment needs (family, sizes), asked once per model from the inference service.
import { InferenceClient, type ModelInfoResponse } from '@locscope/proto/v1/inference';
import { ModelFamily } from '@locscope/proto/v1/model_family';
import { InvalidArgumentError } from '@locscope/server-kit';
import type { ServiceCalls, ServiceClients } from '../services/clients.ts';
import { unary } from '../services/unary.ts';

const cache = new WeakMap<ServiceClients, Map<string, Promise<ModelInfoResponse>>>();

/** Cached per clients; the first caller's signal cancels the shared call (a run's jobs share one signal). */
export function modelInfo(calls: ServiceCalls, model: string): Promise<ModelInfoResponse> {
  let perClients = cache.get(calls.clients);
  if (!perClients) cache.set(calls.clients, (perClients = new Map()));
  let info = perClients.get(model);
  if (!info) {
    info = calls.clients.client('inference', InferenceClient).then((c) => unary(c.modelInfo.bind(c), { model }, calls.signal));
    info.catch(() => perClients!.delete(model));
    perClients.set(model, info);
  }
  return info;
}

/** The masks/metrics packages' family names. */
export function familyName(family: ModelFamily): 'llava' | 'internvl' {
  if (family === ModelFamily.MODEL_FAMILY_LLAVA) return 'llava';
  if (family === ModelFamily.MODEL_FAMILY_INTERNVL) return 'internvl';
  throw new InvalidArgumentError(`unknown model family ${family}`, { field: 'family' });
}

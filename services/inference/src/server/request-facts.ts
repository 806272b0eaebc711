// What the server kit learns about an Inference or Open Inference Protocol request before it runs,
// for per-caller rights and the audit log: the model, the variant count, how many positions it
// names, and its IG steps. Both protocols report the same facts, so the callers file's rights and
// quotas hold whichever one a caller uses.
import type { ModelInferRequest } from '@locscope/proto/oip';
import type { RequestFacts } from '@locscope/server-kit';
import { DEFAULT_IG_STEPS } from '../runtime/attribution.ts';
import { variantCount } from './open-inference-variants.ts';

export function describeInferenceRequest(method: string, request: unknown): RequestFacts {
  const r = request as { model?: unknown; variants?: unknown; steps?: unknown };
  const facts: RequestFacts = {};
  if (typeof r.model === 'string' && r.model !== '') facts.model = r.model;
  if (Array.isArray(r.variants)) facts.variants = r.variants.length;
  const positions = countPositions(request);
  if (positions > 0) facts.positions = positions;
  // 0 asks for the default step count (see the proto): the right applies to what will run.
  if (method === 'Attribute' && typeof r.steps === 'number') facts.igSteps = r.steps === 0 ? DEFAULT_IG_STEPS : r.steps;
  return facts;
}

export function describeOpenInferenceRequest(method: string, request: unknown): RequestFacts {
  if (method === 'ModelInfer') {
    const r = request as ModelInferRequest;
    return { ...(r.modelName !== '' && { model: r.modelName }), variants: variantCount(r) };
  }
  const { name } = request as { name?: unknown };
  return typeof name === 'string' && name !== '' ? { model: name } : {};
}

/** Positions named anywhere in the request: visual `flat`/`coordinates` entries and `explicit` indices. */
function countPositions(value: unknown): number {
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return 0;
  if (Array.isArray(value)) return value.reduce((n: number, item) => n + countPositions(item), 0);
  let count = 0;
  for (const [key, item] of Object.entries(value)) {
    if ((key === 'flat' || key === 'coordinates' || key === 'explicit') && Array.isArray(item)) count += item.length;
    else count += countPositions(item);
  }
  return count;
}

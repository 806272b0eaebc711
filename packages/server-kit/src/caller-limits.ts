// Per-caller rights and quotas. Rights are per request (which models, how many variants or IG steps):
// a request past them can never succeed, so it is PERMISSION_DENIED naming the right. Quotas are
// over time (requests at once, requests per minute): past them the call is RESOURCE_EXHAUSTED with
// a google.rpc.RetryInfo saying when a retry can succeed.
import type { Caller } from './callers.ts';
import { PermissionDeniedError, ResourceExhaustedError } from './errors.ts';

/** What a service tells the kit about one request, for rights and the audit log. */
export interface RequestFacts {
  model?: string;
  variants?: number;
  /** Token positions the request addresses (interventions' positions, summed). */
  positions?: number;
  igSteps?: number;
}

/** Suggested wait when a caller is at its concurrency quota (one short request's time). */
export const CONCURRENCY_RETRY_MS = 1000;

/** Refuses a request outside the caller's rights, naming the right. */
export function checkRights(caller: Caller, facts: RequestFacts): void {
  const { rights } = caller;
  if (facts.model !== undefined && rights.models && !rights.models.includes(facts.model)) {
    throw new PermissionDeniedError(`caller "${caller.name}" may not use model "${facts.model}" (allowed: ${rights.models.join(', ') || 'none'})`, {
      field: 'model',
    });
  }
  if (facts.variants !== undefined && rights.maxVariants !== undefined && facts.variants > rights.maxVariants) {
    throw new PermissionDeniedError(`caller "${caller.name}" may send at most ${rights.maxVariants} variants per request (maxVariants), got ${facts.variants}`, {
      field: 'variants',
    });
  }
  if (facts.igSteps !== undefined && rights.maxIgSteps !== undefined && facts.igSteps > rights.maxIgSteps) {
    throw new PermissionDeniedError(`caller "${caller.name}" may ask for at most ${rights.maxIgSteps} IG steps (maxIgSteps), got ${facts.igSteps}`, {
      field: 'steps',
    });
  }
}

interface Usage {
  running: number;
  /** Token bucket of requestsPerMinute: tokens left, refilled continuously. */
  tokens: number;
  refilledAt: number;
}

/** Each caller's running requests and request rate. */
export class CallerQuotas {
  private readonly usage = new Map<string, Usage>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Counts a request against the caller's quotas; call the returned function when it finishes. */
  acquire(caller: Caller): () => void {
    const { maxConcurrent, requestsPerMinute } = caller.rights;
    if (maxConcurrent === undefined && requestsPerMinute === undefined) return () => undefined;
    const usage = this.usage.get(caller.name) ?? { running: 0, tokens: requestsPerMinute ?? 0, refilledAt: this.now() };
    this.usage.set(caller.name, usage);
    if (maxConcurrent !== undefined && usage.running >= maxConcurrent) {
      throw new ResourceExhaustedError(`caller "${caller.name}" has ${usage.running} requests running, its maxConcurrent`, { retryAfterMs: CONCURRENCY_RETRY_MS });
    }
    if (requestsPerMinute !== undefined) {
      const now = this.now();
      const perMs = requestsPerMinute / 60_000;
      usage.tokens = Math.min(requestsPerMinute, usage.tokens + (now - usage.refilledAt) * perMs);
      usage.refilledAt = now;
      if (usage.tokens < 1) {
        throw new ResourceExhaustedError(`caller "${caller.name}" is past its requestsPerMinute of ${requestsPerMinute}`, { retryAfterMs: (1 - usage.tokens) / perMs });
      }
      usage.tokens -= 1;
    }
    usage.running += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      usage.running -= 1;
    };
  }
}

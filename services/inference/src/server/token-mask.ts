// Which target tokens a perplexity counts (Score, HeadSweep): every one, the caller's flags, or the
// paper's default that keeps only answer-bearing tokens (@locscope/perplexity).
import { defaultAnswerMask } from '@locscope/perplexity';
import { InvalidArgumentError } from '@locscope/server-kit';

export type TokenMaskPolicy =
  | { kind: 'all' }
  /** One flag per target token. */
  | { kind: 'explicit'; flags: boolean[] }
  /** Box answers' digits when the target holds a number, else the answer word (yes/no). */
  | { kind: 'answer' };

/** The mask `policy` gives the target's `tokens`; `field` names the request's flags. */
export function targetMask(policy: TokenMaskPolicy, target: string, tokens: string[], field: string): boolean[] {
  switch (policy.kind) {
    case 'all':
      return tokens.map(() => true);
    case 'explicit':
      if (policy.flags.length !== tokens.length) {
        throw new InvalidArgumentError(`${policy.flags.length} flags for ${tokens.length} target tokens`, { field });
      }
      if (!policy.flags.some(Boolean)) throw new InvalidArgumentError('selects no token', { field });
      return policy.flags;
    case 'answer':
      return defaultAnswerMask(target, tokens);
  }
}

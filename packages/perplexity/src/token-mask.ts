// Default token masks for teacher-forced perplexity (paper §3.3.2): template tokens are predicted
// near-deterministically and would dominate the score, so only answer-bearing tokens count.
import { InvalidArgumentError } from '@locscope/server-kit';
import { tokenText } from './token-text.ts';

/** Box answers: keep tokens carrying a digit or decimal point; drop brackets, commas, spaces, tags. */
export function boxAnswerMask(tokens: readonly string[]): boolean[] {
  return tokens.map((piece) => {
    const text = tokenText(piece);
    // Special tokens ("</s>", "<|im_end|>", "<box>") are template even when they contain digits.
    if (/^<[^>]*>$/.test(text.trim())) return false;
    return /[0-9.]/.test(text);
  });
}

export const DEFAULT_ANSWER_WORDS = ['yes', 'no'] as const;

/**
 * Binary answers: keep the tokens that spell the first answer word ("Yes" in "Yes</s>",
 * "▁Y"+"es" when it is split), found as a whole word in the concatenated pieces.
 */
export function answerWordMask(tokens: readonly string[], words: readonly string[] = DEFAULT_ANSWER_WORDS): boolean[] {
  const texts = tokens.map(tokenText);
  const joined = texts.join('');
  const alternatives = words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  const match = new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives})(?![\\p{L}\\p{N}])`, 'iu').exec(joined);
  if (!match) {
    throw new InvalidArgumentError(`no answer word (${words.join('/')}) in ${JSON.stringify(joined)}`, { field: 'tokens' });
  }
  const start = match.index;
  const end = start + match[0].length;
  let offset = 0;
  return texts.map((text) => {
    const [from, to] = [offset, (offset += text.length)];
    return from < end && to > start;
  });
}

/**
 * The default mask of a target whose kind is not given (a Score request without mask_mode): box
 * answers when the target holds a digit, else the answer word, else (no answer word) every token.
 */
export function defaultAnswerMask(target: string, tokens: readonly string[]): boolean[] {
  if (/[0-9]/.test(target)) return boxAnswerMask(tokens);
  try {
    return answerWordMask(tokens);
  } catch {
    return tokens.map(() => true);
  }
}

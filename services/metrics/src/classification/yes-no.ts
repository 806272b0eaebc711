// Binary-prompt classification ("Is there a <class> in the image?"): the first yes/no word decides.

export type YesNo = 'yes' | 'no';

const YES_WORDS = ['yes', 'yeah', 'yep', 'yup', 'correct', 'true', 'affirmative'];
const NO_WORDS = ['no', 'nope', 'not', 'false', 'negative', 'none'];
const WORD = /\p{L}+/gu;

/**
 * 'yes' or 'no' from the first decisive word ("Yes, there is…", "No.", "There is no dog",
 * "I don't see any"), or null when the answer commits to neither ("There is a dog.").
 */
export function parseYesNo(answer: string): YesNo | null {
  // "isn't", "don't", "can't" read as their negation "not".
  const text = answer.normalize('NFKC').toLowerCase().replace(/[’‘`]/g, "'").replace(/n't\b/g, ' not');
  for (const match of text.matchAll(WORD)) {
    const word = match[0];
    if (YES_WORDS.includes(word)) return 'yes';
    if (NO_WORDS.includes(word)) return 'no';
  }
  return null;
}

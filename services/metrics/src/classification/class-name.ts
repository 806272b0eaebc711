// List-prompt classification (paper §2.3): correct when the ground-truth COCO class name appears in
// the answer — case-insensitive, as whole words, singular or plural, with the words of a multi-word
// name separated by spaces or hyphens ("traffic light", "traffic-lights").
import pluralize from 'pluralize';
import { InvalidArgumentError } from '@locscope/server-kit';

const patternCache = new Map<string, RegExp>();

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Singular and plural spellings of a (last) word: "knife" → knife|knives, "skis" → skis|ski,
 * "person" → person|people|persons (the regular "-s" plural is accepted next to irregular ones).
 */
function wordForms(word: string): string[] {
  const forms = [word, pluralize.plural(word), pluralize.singular(word)];
  if (!word.endsWith('s')) forms.push(`${word}s`);
  return [...new Set(forms)];
}

/** The matcher for one class name; cached because one name is matched against many answers. */
export function classNamePattern(className: string): RegExp {
  const key = className.trim().toLowerCase();
  const cached = patternCache.get(key);
  if (cached) return cached;
  const words = key.split(/[\s_-]+/u).filter(Boolean);
  if (words.length === 0) throw new InvalidArgumentError('class name is empty', { field: 'class_name' });
  const last = words.pop()!;
  const lastForms = wordForms(last).map(escapeRegExp).join('|');
  const head = words.map((w) => escapeRegExp(w) + '[\\s-]+').join('');
  // Letters/digits on either side would make it part of another word ("cat" in "category").
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])${head}(?:${lastForms})(?![\\p{L}\\p{N}])`, 'iu');
  patternCache.set(key, pattern);
  return pattern;
}

/** True when `className` occurs in `answer` (see the module comment for the matching rules). */
export function mentionsClass(answer: string, className: string): boolean {
  return classNamePattern(className).test(answer);
}

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { titleLines } from './theme.ts';

const word = fc.string({ minLength: 1, maxLength: 14 }).filter((w) => !/\s/.test(w));

describe('title lines', () => {
  it('keep every word in order, and each line within the limit unless it is a single longer word', () => {
    fc.assert(
      fc.property(fc.array(word, { maxLength: 30 }), fc.integer({ min: 1, max: 80 }), (words, maxChars) => {
        const lines = titleLines(words.join(' '), maxChars);
        expect(lines.join(' ')).toBe(words.join(' '));
        for (const line of lines) expect(line.length <= maxChars || !line.includes(' ')).toBe(true);
        // Greedy: the next line's first word would not have fitted on the line before it.
        for (let i = 1; i < lines.length; i++) expect(lines[i - 1].length + 1 + lines[i].split(' ')[0].length).toBeGreaterThan(maxChars);
      }),
    );
  });
});

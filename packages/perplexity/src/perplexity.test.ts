import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskedPerplexity } from './perplexity.ts';
import { answerWordMask, boxAnswerMask, defaultAnswerMask } from './token-mask.ts';

describe('maskedPerplexity', () => {
  it('is exp of the mean masked negative log-probability', () => {
    const logProbs = [Math.log(0.5), Math.log(0.25), Math.log(0.999), Math.log(0.125)];
    // Geometric mean of 1/p over tokens 0, 1, 3: (2·4·8)^(1/3) = 4.
    expect(maskedPerplexity(logProbs, [true, true, false, true]).perplexity).toBeCloseTo(4, 12);
    expect(maskedPerplexity(logProbs, [1, 1, 0, 1]).tokens).toBe(3);
    expect(maskedPerplexity([0, 0], [true, true]).perplexity).toBe(1);
  });

  it('rejects mismatched lengths, empty masks and impossible log-probs, naming the field', () => {
    expect(() => maskedPerplexity([-1, -2], [true])).toThrow(/^mask: 1 mask entries for 2 log-probs/);
    expect(() => maskedPerplexity([-1, -2], [false, false])).toThrow(/^mask: selects no token/);
    expect(() => maskedPerplexity([-1, 0.5], [true, true])).toThrow(/^log_probs\[1\]: /);
    expect(() => maskedPerplexity([-1, Number.NaN], [true, true])).toThrow(/^log_probs\[1\]: /);
    expect(() => maskedPerplexity([-Infinity], [true])).toThrow(/^log_probs\[0\]: /);
    // Masked-out entries are not inspected.
    expect(maskedPerplexity([-1, Number.NaN], [true, false]).perplexity).toBeCloseTo(Math.E, 12);
  });

  it('lies between 1/max p and 1/min p of the kept tokens', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 1e-6, max: 1, noNaN: true }), { minLength: 1, maxLength: 50 }), (probs) => {
        const { perplexity } = maskedPerplexity(probs.map(Math.log), probs.map(() => true));
        return perplexity >= 1 / Math.max(...probs) - 1e-9 && perplexity <= 1 / Math.min(...probs) + 1e-6;
      }),
    );
  });
});

describe('default token masks', () => {
  it('keeps digits and decimal points of a LLaVA box answer (SentencePiece pieces)', () => {
    const tokens = ['▁[', '0', '.', '1', '2', ',', '▁', '0', '.', '3', '4', ',', '▁', '0', '.', '5', '6', ',', '▁', '0', '.', '7', '8', ']', '</s>'];
    const mask = boxAnswerMask(tokens);
    expect(tokens.filter((_, i) => mask[i]).join('')).toBe('0.120.340.560.78');
  });

  it('keeps the numbers of an InternVL box answer and drops tags, also as byte-level BPE pieces', () => {
    const tokens = ['<box>', '[[', '1', '2', '3', ',', 'Ġ', '4', '5', ',', 'Ġ', '6', '7', '8', ',', 'Ġ', '9', '0', '0', ']]', '</box>', '<|im_end|>'];
    const mask = boxAnswerMask(tokens);
    expect(tokens.filter((_, i) => mask[i]).join('')).toBe('12345678900');
  });

  it('does not read byte-fallback pieces as digits', () => {
    expect(boxAnswerMask(['<0x5B>', '<0x30>', '<0x2C>'])).toEqual([false, true, false]);
  });

  it('keeps the answer word of a binary answer, whole or split into pieces', () => {
    expect(answerWordMask(['▁Yes', '</s>'])).toEqual([true, false]);
    expect(answerWordMask(['▁Y', 'es', ',', '▁there', '▁is'])).toEqual([true, true, false, false, false]);
    expect(answerWordMask(['No', '.', '<|im_end|>'])).toEqual([true, false, false]);
    // "Not" is not the word "no".
    expect(answerWordMask(['▁Not', '▁sure', ',', '▁no'])).toEqual([false, false, false, true]);
    expect(() => answerWordMask(['▁Maybe'])).toThrow(/^tokens: no answer word/);
  });

  it('by default reads a target with a digit as a box answer, else its answer word, else every token', () => {
    const box = ['▁[', '0', '.', '1', ']'];
    expect(defaultAnswerMask('[0.1]', box)).toEqual(boxAnswerMask(box));
    expect(defaultAnswerMask('Yes', ['▁Yes', '</s>'])).toEqual([true, false]);
    expect(defaultAnswerMask('Maybe', ['▁Maybe', '</s>'])).toEqual([true, true]);
  });
});

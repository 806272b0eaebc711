// Answer → pixel box: the family geometry (masks package) applied to parsed boxes, clipping to the
// image, and fuzzing over image sizes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAnswer } from './parse-answer.ts';

describe('parseAnswer', () => {
  it('maps LLaVA boxes from the padded square (640×480: 80 px bands above and below)', () => {
    expect(parseAnswer('llava', '[0.25, 0.25, 0.75, 0.75]', { width: 640, height: 480 }).box).toEqual([160, 80, 480, 400]);
    // Portrait: 80 px bands left and right.
    expect(parseAnswer('llava', '[0.25, 0.25, 0.75, 0.75]', { width: 480, height: 640 }).box).toEqual([80, 160, 400, 480]);
  });

  it('maps InternVL boxes from 0–1000 of each image axis', () => {
    expect(parseAnswer('internvl', '<ref>dog</ref><box>[[250, 250, 750, 750]]</box>', { width: 640, height: 480 }).box).toEqual([160, 120, 480, 360]);
  });

  it('clips LLaVA boxes reaching into the padding, and reports boxes entirely inside it as degenerate', () => {
    expect(parseAnswer('llava', '[0.0, 0.0, 0.5, 0.5]', { width: 640, height: 480 }).box).toEqual([0, 0, 320, 240]);
    expect(parseAnswer('llava', '[0.1, 0.0, 0.9, 0.1]', { width: 640, height: 480 })).toEqual({ box: null, reason: 'degenerate' });
  });

  it('reports zero-area boxes as degenerate and passes parse failures through', () => {
    expect(parseAnswer('internvl', '<box>[[500, 500, 500, 700]]</box>', { width: 100, height: 100 })).toEqual({ box: null, reason: 'degenerate' });
    expect(parseAnswer('llava', '[1, 1, 1, 1]', { width: 100, height: 100 })).toEqual({ box: null, reason: 'degenerate' });
    expect(parseAnswer('llava', 'There is no dog.', { width: 100, height: 100 })).toEqual({ box: null, reason: 'refusal' });
  });

  it('never throws and keeps boxes inside the image', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('llava' as const, 'internvl' as const),
        fc.string(),
        fc.array(fc.double({ min: -0.2, max: 1.2, noNaN: true }), { minLength: 4, maxLength: 4 }),
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 5000 }),
        (family, words, unit, width, height) => {
          const values = unit.map((v) => (family === 'llava' ? v : v * 1000));
          const result = parseAnswer(family, `${words} [${values.join(', ')}]`, { width, height });
          if (result.box === null) return typeof result.reason === 'string';
          const [x1, y1, x2, y2] = result.box;
          return 0 <= x1 && x1 < x2 && x2 <= width && 0 <= y1 && y1 < y2 && y2 <= height;
        },
      ),
      { numRuns: 1000 },
    );
  });
});

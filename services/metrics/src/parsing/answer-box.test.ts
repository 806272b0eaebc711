// Table of answers as LLaVA-1.5 and InternVL-3.5 print them (incl. malformed ones) and the box in
// answer space each must give; then fuzzing: parsing never throws and boxes are always well-formed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAnswerBox } from './answer-box.ts';
import { NO_BOX_REASONS, type NoBoxReason } from './no-box.ts';

type Expected = [number, number, number, number] | NoBoxReason | { box: [number, number, number, number]; count?: number; swapped?: boolean; clamped?: boolean };

const LLAVA: [string, Expected][] = [
  ['[0.33, 0.25, 0.67, 0.81]', [0.33, 0.25, 0.67, 0.81]],
  ['[0.33, 0.25, 0.67, 0.81]</s>', [0.33, 0.25, 0.67, 0.81]],
  [' [0.12, 0.4, 0.5, 0.93]', [0.12, 0.4, 0.5, 0.93]],
  ['[0.0, 0.0, 1.0, 1.0]', [0, 0, 1, 1]],
  ['[0, 0, 1, 1]', [0, 0, 1, 1]],
  ['[0.5,0.5,0.75,0.9]', [0.5, 0.5, 0.75, 0.9]],
  ['[0.33 , 0.25 , 0.67 , 0.81]', [0.33, 0.25, 0.67, 0.81]],
  ['[ 0.2 , 0.3 , 0.5 , 0.9 ]', [0.2, 0.3, 0.5, 0.9]],
  ['[0.20, 0.30, 0.50, 0.90]', [0.2, 0.3, 0.5, 0.9]],
  ['[0.123456, 0.3, 0.7, 0.9]', [0.123456, 0.3, 0.7, 0.9]],
  ['The bounding box coordinates of the dog are [0.12, 0.34, 0.56, 0.78].', [0.12, 0.34, 0.56, 0.78]],
  ['Sure! The bounding box is [0.12, 0.34, 0.56, 0.78]', [0.12, 0.34, 0.56, 0.78]],
  ['Bounding box: [0.12, 0.34, 0.56, 0.78]\nThe object is a red car.', [0.12, 0.34, 0.56, 0.78]],
  ['[0.12, 0.34, 0.56, 0.78].', [0.12, 0.34, 0.56, 0.78]],
  ['0.12, 0.34, 0.56, 0.78', [0.12, 0.34, 0.56, 0.78]],
  ['0.12 0.34 0.56 0.78', [0.12, 0.34, 0.56, 0.78]],
  ['0.2,0.3,0.5,0.9', [0.2, 0.3, 0.5, 0.9]],
  ['(0.12, 0.34, 0.56, 0.78)', [0.12, 0.34, 0.56, 0.78]],
  ['[0.12 0.34 0.56 0.78]', [0.12, 0.34, 0.56, 0.78]],
  ['[0.2; 0.3; 0.5; 0.9]', [0.2, 0.3, 0.5, 0.9]],
  ['[.12, .34, .56, .78]', [0.12, 0.34, 0.56, 0.78]],
  ['[[0.12, 0.34, 0.56, 0.78]]', [0.12, 0.34, 0.56, 0.78]],
  ['[0.12, 0.34, 0.56, 0.78', [0.12, 0.34, 0.56, 0.78]],
  ['x1: 0.12, y1: 0.34, x2: 0.56, y2: 0.78', [0.12, 0.34, 0.56, 0.78]],
  ['xmin=0.12, ymin=0.34, xmax=0.56, ymax=0.78', [0.12, 0.34, 0.56, 0.78]],
  ['The coordinates are (x1, y1, x2, y2) = (0.2, 0.3, 0.5, 0.9).', [0.2, 0.3, 0.5, 0.9]],
  ['The 2 people are at [0.2, 0.3, 0.5, 0.9]', [0.2, 0.3, 0.5, 0.9]],
  ['In this 2017 photo, the bus is at [0.05, 0.3, 0.95, 0.88].', [0.05, 0.3, 0.95, 0.88]],
  ["I can't be sure, but it is around [0.1, 0.1, 0.2, 0.2]", [0.1, 0.1, 0.2, 0.2]],
  ['[0.12, 0.34, 0.56, 0.78], [0.6, 0.1, 0.9, 0.4]', { box: [0.12, 0.34, 0.56, 0.78], count: 2 }],
  ['There are two cats: [0.1, 0.2, 0.3, 0.4] and [0.5, 0.6, 0.7, 0.8].', { box: [0.1, 0.2, 0.3, 0.4], count: 2 }],
  ['[0.2, 0.3, 0.5, 0.9][0.1, 0.1, 0.2, 0.2]', { box: [0.2, 0.3, 0.5, 0.9], count: 2 }],
  ['[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]', { box: [0.1, 0.2, 0.3, 0.4], count: 2 }],
  ['[0.12, 0.34, 0.56, 0.78]\n[0.12, 0.34, 0.56, 0.78]', { box: [0.12, 0.34, 0.56, 0.78], count: 2 }],
  ['[0.56, 0.78, 0.12, 0.34]', { box: [0.12, 0.34, 0.56, 0.78], swapped: true }],
  ['[0.56, 0.34, 0.12, 0.78]', { box: [0.12, 0.34, 0.56, 0.78], swapped: true }],
  ['[1.0, 0.0, 0.0, 1.0]', { box: [0, 0, 1, 1], swapped: true }],
  ['[0.12, 0.34, 0.56, 1.02]', { box: [0.12, 0.34, 0.56, 1], clamped: true }],
  ['[-0.01, 0.34, 0.56, 0.78]', { box: [0, 0.34, 0.56, 0.78], clamped: true }],
  ['[0.12, 0.34, 0.12, 0.78]', [0.12, 0.34, 0.12, 0.78]],
  ['[0.12, 0.34, 0.56, 1.5]', 'out_of_range'],
  ['[12, 34, 56, 78]', 'out_of_range'],
  ['[120, 45, 380, 290]', 'out_of_range'],
  ["I'm sorry, but I cannot determine the bounding box.", 'refusal'],
  ['I cannot find a traffic light in the image.', 'refusal'],
  ['There is no giraffe in the image.', 'refusal'],
  ['The image does not contain a toaster.', 'refusal'],
  ['Sorry, I am unable to provide coordinates.', 'refusal'],
  ['Unfortunately, the image is too blurry to tell.', 'refusal'],
  ['No.', 'refusal'],
  ['I can’t see any umbrella here.', 'refusal'],
  ['', 'empty'],
  ['   \n', 'empty'],
  ['[0.12, 0.34, 0.56', 'incomplete_box'],
  ['[0.12, 0.34]', 'incomplete_box'],
  ['[0.12, 0.34, 0.56, ', 'incomplete_box'],
  ['[0.2, 0.3, 0.5, 0.9, 0.1]', 'incomplete_box'],
  ['The dog is on the left side of the image.', 'no_coordinates'],
  ['A dog.', 'no_coordinates'],
  ['Yes', 'no_coordinates'],
  ['[a, b, c, d]', 'no_coordinates'],
];

const INTERNVL: [string, Expected][] = [
  ['<ref>dog</ref><box>[[123, 45, 678, 900]]</box>', [123, 45, 678, 900]],
  ['<box>[[123, 45, 678, 900]]</box>', [123, 45, 678, 900]],
  ['[[123, 45, 678, 900]]', [123, 45, 678, 900]],
  ['[123, 45, 678, 900]', [123, 45, 678, 900]],
  ['<ref>the dog</ref><box>[[123,45,678,900]]</box>', [123, 45, 678, 900]],
  ['The dog is located at <box>[[123, 45, 678, 900]]</box>.', [123, 45, 678, 900]],
  ['<ref>2 cats</ref><box>[[123, 45, 678, 900]]</box>', [123, 45, 678, 900]],
  ['<ref>cat 1 2 3 4</ref><box>[[10, 20, 30, 40]]</box>', [10, 20, 30, 40]],
  ['<box>[[0, 0, 1000, 1000]]</box>', [0, 0, 1000, 1000]],
  ['[[123.5, 45.2, 678.9, 900.0]]', [123.5, 45.2, 678.9, 900]],
  ['<box>[[123 , 45 , 678 , 900]]</box>', [123, 45, 678, 900]],
  ['<box> [[ 123, 45, 678, 900 ]] </box>', [123, 45, 678, 900]],
  ['<box>[[123; 45; 678; 900]]</box>', [123, 45, 678, 900]],
  ['<BOX>[[123, 45, 678, 900]]</BOX>', [123, 45, 678, 900]],
  ['The bounding box of the traffic light is [[412, 80, 455, 210]].', [412, 80, 455, 210]],
  ['Sure, here it is: <ref>traffic light</ref><box>[[412, 80, 455, 210]]</box>', [412, 80, 455, 210]],
  ['<box>(123, 45, 678, 900)</box>', [123, 45, 678, 900]],
  ['<box>123, 45, 678, 900</box>', [123, 45, 678, 900]],
  ['<box>[[123, 45, 678, 900]]', [123, 45, 678, 900]],
  ['<ref>dog</ref><box>[[123, 45, 678, 900]', [123, 45, 678, 900]],
  ['<|im_start|>assistant\n<ref>dog</ref><box>[[123, 45, 678, 900]]</box><|im_end|>', [123, 45, 678, 900]],
  ['<ref>dog</ref><box>[[123, 45, 678, 900]]</box>\nThe dog is sitting on the grass.', [123, 45, 678, 900]],
  ['The dog (1 of 3) is at [[123, 45, 678, 900]]', [123, 45, 678, 900]],
  ['x1=123, y1=45, x2=678, y2=900', [123, 45, 678, 900]],
  ['left: 123, top: 45, right: 678, bottom: 900', [123, 45, 678, 900]],
  ["I think it's <box>[[100, 200, 300, 400]]</box>, but I'm not sure.", [100, 200, 300, 400]],
  ['00123, 0045, 0678, 0900', [123, 45, 678, 900]],
  ['<ref>cup</ref><box>[[0.12, 0.34, 0.56, 0.78]]</box>', [0.12, 0.34, 0.56, 0.78]],
  ['<box>[[500, 500, 500, 700]]</box>', [500, 500, 500, 700]],
  ['<ref>dog</ref><box>[[123, 45, 678, 900], [1, 2, 3', [123, 45, 678, 900]],
  ['<ref>person</ref><box>[[12, 34, 560, 780], [600, 100, 900, 400]]</box>', { box: [12, 34, 560, 780], count: 2 }],
  ['<ref>person</ref><box>[[12, 34, 560, 780]]</box><ref>person</ref><box>[[600, 100, 900, 400]]</box>', { box: [12, 34, 560, 780], count: 2 }],
  ['<box>[[123, 45, 678, 900]]</box> <box>[[1, 2, 3, 4]]</box>', { box: [123, 45, 678, 900], count: 2 }],
  ['Objects: 7 8 9 10 and <box>[[1, 2, 3, 4]]</box>', { box: [1, 2, 3, 4], count: 1 }],
  ['<box>[[678, 900, 123, 45]]</box>', { box: [123, 45, 678, 900], swapped: true }],
  ['<box>[[123, 900, 678, 45]]</box>', { box: [123, 45, 678, 900], swapped: true }],
  ['<box>[[0, 0, 1003, 1000]]</box>', { box: [0, 0, 1000, 1000], clamped: true }],
  ['<box>[[-5, 10, 500, 600]]</box>', { box: [0, 10, 500, 600], clamped: true }],
  ['<box>[[0, 0, 1200, 1000]]</box>', 'out_of_range'],
  ['<box>[[9999, 45, 678, 900]]</box>', 'out_of_range'],
  ["I'm sorry, I cannot find a zebra in this image.", 'refusal'],
  ['There is no zebra in the image.', 'refusal'],
  ['Unable to locate the object.', 'refusal'],
  ['The image does not show any skis.', 'refusal'],
  ['No, there is no such object.', 'refusal'],
  ['', 'empty'],
  ['\t', 'empty'],
  ['<box>[[123, 45, 678', 'incomplete_box'],
  ['[[123, 45], [678, 900]]', 'incomplete_box'],
  ['<box>[[1, 2, 3, 4, 5]]</box>', 'incomplete_box'],
  ['The dog is in the bottom left corner.', 'no_coordinates'],
  ['<ref>dog</ref>', 'no_coordinates'],
  ['<ref>cat 1 2 3 4</ref>', 'no_coordinates'],
  ['<box></box>', 'no_coordinates'],
  ['<box>[[]]</box>', 'no_coordinates'],
  ['<ref>dog</ref><box>', 'no_coordinates'],
];

function check(family: 'llava' | 'internvl', answer: string, expected: Expected): void {
  const result = parseAnswerBox(family, answer);
  if (typeof expected === 'string') {
    expect(result).toEqual({ ok: false, reason: expected });
    return;
  }
  const spec = Array.isArray(expected) ? { box: expected } : expected;
  expect(result.ok, `no box: ${JSON.stringify(result)}`).toBe(true);
  if (!result.ok) return;
  expect(result.answerBox).toEqual(spec.box);
  expect(result.boxCount).toBe(spec.count ?? 1);
  expect(result.corrections.includes('swapped_corners')).toBe(spec.swapped ?? false);
  expect(result.corrections.includes('clamped')).toBe(spec.clamped ?? false);
}

describe('parseAnswerBox', () => {
  it('has at least 50 answers per family, covering every no-box reason', () => {
    expect(LLAVA.length).toBeGreaterThanOrEqual(50);
    expect(INTERNVL.length).toBeGreaterThanOrEqual(50);
    for (const table of [LLAVA, INTERNVL]) {
      const reasons = new Set(table.map(([, e]) => e).filter((e) => typeof e === 'string'));
      // 'degenerate' is decided in pixel space (parse-answer), not here.
      expect([...reasons].sort()).toEqual(NO_BOX_REASONS.filter((r) => r !== 'degenerate').sort());
    }
  });

  it.each(LLAVA)('LLaVA %j', (answer, expected) => check('llava', answer, expected));
  it.each(INTERNVL)('InternVL %j', (answer, expected) => check('internvl', answer, expected));

  it('honours a custom tolerance', () => {
    expect(parseAnswerBox('llava', '[0.1, 0.1, 0.5, 1.02]', { tolerance: 0 })).toEqual({ ok: false, reason: 'out_of_range' });
  });
});

// Text made of the pieces answers are made of, so the fuzzer reaches the number-grouping logic.
const answerPiece = fc.oneof(
  fc.constantFrom('[', ']', '[[', ']]', '(', ')', ',', ', ', ';', ' ', '\n', '.', '-', '<box>', '</box>', '<ref>', '</ref>', 'x1:', 'no', 'sorry', 'dog'),
  fc.double({ min: -2000, max: 2000, noNaN: true }).map((v) => String(Math.round(v * 1000) / 1000)),
  fc.integer({ min: 0, max: 1000 }).map(String),
  fc.string(),
);

describe('parseAnswerBox fuzzing', () => {
  for (const family of ['llava', 'internvl'] as const) {
    const scale = family === 'llava' ? 1 : 1000;
    it(`${family}: never throws; boxes are ordered and inside [0, ${scale}]`, () => {
      fc.assert(
        fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.array(answerPiece, { maxLength: 30 }).map((p) => p.join(''))), (answer) => {
          const result = parseAnswerBox(family, answer);
          if (!result.ok) return NO_BOX_REASONS.includes(result.reason);
          const [x1, y1, x2, y2] = result.answerBox;
          return 0 <= x1 && x1 <= x2 && x2 <= scale && 0 <= y1 && y1 <= y2 && y2 <= scale && result.boxCount >= 1;
        }),
        { numRuns: 1000 },
      );
    });

    it(`${family}: finds any printed in-range box`, () => {
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 4, maxLength: 4 }), fc.string(), (ints, prefix) => {
          const values = ints.map((v) => (v * scale) / 1000);
          const text = `${prefix.replace(/[\d.<>]/g, '')} [${values.join(', ')}]`;
          const result = parseAnswerBox(family, text);
          if (!result.ok) return false;
          const [a, b, c, d] = values;
          return result.answerBox.join() === [Math.min(a, c), Math.min(b, d), Math.max(a, c), Math.max(b, d)].join();
        }),
        { numRuns: 300 },
      );
    });
  }
});

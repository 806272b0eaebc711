import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseYesNo } from './yes-no.ts';

describe('parseYesNo', () => {
  it.each([
    ['Yes', 'yes'],
    ['yes.', 'yes'],
    ['Yes, there is a dog in the image.', 'yes'],
    ['YES', 'yes'],
    ['Yeah, on the left.', 'yes'],
    ['  Yes</s>', 'yes'],
    ['No', 'no'],
    ['No.', 'no'],
    ['no, there is no cat.', 'no'],
    ['Nope', 'no'],
    ['There is no giraffe in the image.', 'no'],
    ["I don't see any umbrella.", 'no'],
    ['There isn’t a car here.', 'no'],
    ['The image does not contain a toaster.', 'no'],
    ['There is a dog.', null],
    ['', null],
    ['Maybe', null],
    ['Yesterday it rained.', null],
    ['Nothing', null],
    ['Noodles', null],
  ])('%j → %s', (answer, expected) => expect(parseYesNo(answer)).toBe(expected));

  it('never throws', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (a) => [null, 'yes', 'no'].includes(parseYesNo(a))));
  });
});

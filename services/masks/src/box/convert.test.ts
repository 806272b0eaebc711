import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@locscope/server-kit';
import { modelToPixelsBox, pixelsToModelBox, type XyxyBox } from './convert.ts';

describe('box conversions', () => {
  it('map LLaVA boxes into [0, 1] of the centred padded square', () => {
    // 640×480 → square 640, image offset (0, 80).
    expect(pixelsToModelBox('llava', { width: 640, height: 480 }, [0, 0, 640, 480])).toEqual([0, 0.125, 1, 0.875]);
    // 427×640 → offset ((640-427)//2 = 106, 0).
    expect(pixelsToModelBox('llava', { width: 427, height: 640 }, [0, 0, 427, 640])).toEqual([106 / 640, 0, 533 / 640, 1]);
  });

  it('map InternVL boxes into 0–1000 of the image on each axis', () => {
    expect(pixelsToModelBox('internvl', { width: 640, height: 480 }, [64, 48, 320, 480])).toEqual([100, 100, 500, 1000]);
  });

  it('round-trip pixels → model → pixels for both families', () => {
    const box = fc.tuple(fc.double({ min: -50, max: 2000, noNaN: true }), fc.double({ min: -50, max: 2000, noNaN: true }), fc.double({ min: -50, max: 2000, noNaN: true }), fc.double({ min: -50, max: 2000, noNaN: true }));
    fc.assert(
      fc.property(fc.constantFrom('llava' as const, 'internvl' as const), fc.integer({ min: 1, max: 4000 }), fc.integer({ min: 1, max: 4000 }), box, (family, width, height, b) => {
        const size = { width, height };
        const back = modelToPixelsBox(family, size, pixelsToModelBox(family, size, b as XyxyBox));
        back.forEach((v, i) => expect(v).toBeCloseTo(b[i], 7));
        const model = b.map((v) => v / 1000) as XyxyBox;
        pixelsToModelBox(family, size, modelToPixelsBox(family, size, model)).forEach((v, i) => expect(v).toBeCloseTo(model[i], 9));
      }),
    );
  });

  it('reject boxes that are not four finite numbers, naming the field', () => {
    expect(() => pixelsToModelBox('llava', { width: 10, height: 10 }, [0, 0, NaN, 1], 'box')).toThrow(InvalidArgumentError);
    expect(() => pixelsToModelBox('llava', { width: 10, height: 10 }, [0, 0, 1] as unknown as XyxyBox, 'box')).toThrow(/^box:/);
  });
});

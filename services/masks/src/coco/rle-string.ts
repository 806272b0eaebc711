// pycocotools' compressed RLE string: each count (from the fourth on, as the difference to the
// count two places earlier) in a LEB128-like code of 5 data bits per character, characters
// 48..111, bit 0x20 = "more follows", bit 0x10 of the last character = sign.
import { InvalidArgumentError } from '@locscope/server-kit';
import { checkRle, type Rle } from './rle.ts';

const CHAR_OFFSET = 48;
const DATA_BITS = 5;
const DATA_MASK = 0x1f;
const MORE_BIT = 0x20;
const SIGN_BIT = 0x10;

export function rleToString(rle: Rle): string {
  const chars: number[] = [];
  for (let i = 0; i < rle.counts.length; i++) {
    let x = rle.counts[i] - (i > 2 ? rle.counts[i - 2] : 0);
    let more = true;
    while (more) {
      // Arithmetic (not 32-bit) floor division keeps the two's-complement semantics for any size.
      let c = ((x % 32) + 32) % 32;
      x = Math.floor(x / 32);
      more = c & SIGN_BIT ? x !== -1 : x !== 0;
      if (more) c |= MORE_BIT;
      chars.push(c + CHAR_OFFSET);
    }
  }
  // Not String.fromCharCode(...chars): spreading a long mask's millions of characters as
  // arguments overflows the stack. Every character is ASCII (48..111).
  return Buffer.from(chars).toString('latin1');
}

/** Decodes a compressed RLE string of a height×width mask; `field` names it in errors. */
export function rleFromString(counts: string, height: number, width: number, field: string): Rle {
  const values: number[] = [];
  let p = 0;
  while (p < counts.length) {
    let x = 0;
    let k = 0;
    let more = true;
    while (more) {
      if (p >= counts.length) {
        throw new InvalidArgumentError(`truncated at character ${p}`, { field });
      }
      const c = counts.charCodeAt(p) - CHAR_OFFSET;
      if (c < 0 || c > DATA_MASK + MORE_BIT) {
        throw new InvalidArgumentError(`character ${p} (${JSON.stringify(counts[p])}) is outside '0'..'o'`, { field });
      }
      x += (c & DATA_MASK) * 2 ** (DATA_BITS * k);
      more = (c & MORE_BIT) !== 0;
      p++;
      k++;
      if (!more && c & SIGN_BIT) x -= 2 ** (DATA_BITS * k);
    }
    if (values.length > 2) x += values[values.length - 2];
    values.push(x);
  }
  const rle = { height, width, counts: values };
  checkRle(rle, field);
  return rle;
}

import { closeSync, copyFileSync, openSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { CheckpointNotFoundError, SafetensorsFormatError } from './errors.ts';
import { readByteRange, readSafetensorsHeader } from './safetensors.ts';
import { writeSafetensors } from './safetensors-writer.ts';
import { toFloat32 } from './dtype.ts';
import { LLAVA_TINY, scratchDir } from './test-support.ts';

const scratch = scratchDir('safetensors');
afterAll(scratch.cleanup);
let counter = 0;
const tmp = (name: string) => join(scratch.dir, `${counter++}-${name}`);

/** A hand-made file: 8-byte length, the given header text, then `dataBytes` zero bytes. */
function rawFile(headerText: string, dataBytes: number, declaredLength?: number): string {
  const file = tmp('raw.safetensors');
  const header = Buffer.from(headerText, 'utf8');
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(declaredLength ?? header.byteLength));
  writeFileSync(file, Buffer.concat([length, header, Buffer.alloc(dataBytes)]));
  return file;
}

describe('readSafetensorsHeader on a file written by Hugging Face', () => {
  const file = join(LLAVA_TINY, 'model.safetensors');

  it('reads metadata, names, dtypes and shapes', () => {
    const header = readSafetensorsHeader(file);
    expect(header.metadata).toEqual({ format: 'pt' });
    expect(header.tensors.size).toBe(105);
    expect(header.tensors.get('language_model.model.embed_tokens.weight')).toMatchObject({ dtype: 'F32', shape: [600, 64], byteLength: 600 * 64 * 4 });
    expect(header.tensors.get('vision_tower.vision_model.embeddings.patch_embedding.weight')?.shape).toEqual([64, 3, 14, 14]);
  });

  it('reads tensor bytes at their offsets: embeddings equal what transformers put at the text positions', () => {
    // hidden_states.0 of the HF reference is the merged input embedding: embed_tokens[input_ids[t]] outside the image span.
    const ref = readSafetensorsHeader(join(LLAVA_TINY, 'reference.safetensors'));
    const idsInfo = ref.tensors.get('input_ids')!;
    const ids = new BigInt64Array(readByteRange(ref.file, idsInfo.offset, idsInfo.byteLength).slice().buffer);
    const h0Info = ref.tensors.get('hidden_states.0')!;
    const h0 = toFloat32(readByteRange(ref.file, h0Info.offset, h0Info.byteLength), 'F32');
    const embedInfo = readSafetensorsHeader(file).tensors.get('language_model.model.embed_tokens.weight')!;
    const embed = toFloat32(readByteRange(file, embedInfo.offset, embedInfo.byteLength), 'F32');
    const [imageStart, imageEnd] = [4, 68];
    let compared = 0;
    for (let t = 0; t < ids.length; t++) {
      if (t >= imageStart && t < imageEnd) continue;
      const row = Number(ids[t]);
      expect(Array.from(h0.subarray(t * 64, (t + 1) * 64))).toEqual(Array.from(embed.subarray(row * 64, (row + 1) * 64)));
      compared++;
    }
    expect(compared).toBe(ids.length - 64);
  });

  it('rewriting every tensor with writeSafetensors gives a file that reads back identically', () => {
    const header = readSafetensorsHeader(file);
    const tensors = [...header.tensors.values()].map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape, data: readByteRange(file, t.offset, t.byteLength) }));
    const copy = tmp('copy.safetensors');
    writeSafetensors(copy, tensors, header.metadata);
    const again = readSafetensorsHeader(copy);
    expect(again.metadata).toEqual(header.metadata);
    expect(again.dataStart % 8).toBe(0);
    for (const t of tensors) {
      const info = again.tensors.get(t.name)!;
      expect(info.shape).toEqual(t.shape);
      expect(Buffer.from(readByteRange(copy, info.offset, info.byteLength)).equals(Buffer.from(t.data))).toBe(true);
    }
  });
});

describe('round trip (property)', () => {
  const tensorArb = fc.record({
    shape: fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 3 }),
    dtype: fc.constantFrom('F32', 'F16', 'BF16', 'I64', 'U8'),
    seed: fc.integer(),
  });
  it('keeps a tensor named "__proto__" (found by the property below)', () => {
    const file = join(scratch.dir, 'proto-name.safetensors');
    writeSafetensors(file, [{ name: '__proto__', dtype: 'F32', shape: [1], data: new Uint8Array(4) }]);
    expect([...readSafetensorsHeader(file).tensors.keys()]).toEqual(['__proto__']);
  });

  it('writeSafetensors → readSafetensorsHeader/readByteRange preserves names, shapes, dtypes, bytes and metadata', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(fc.string({ minLength: 1, maxLength: 12 }).filter((s) => s !== '__metadata__'), tensorArb), { selector: ([n]) => n, maxLength: 6 }), fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }), (specs, metadata) => {
        const sizes: Record<string, number> = { F32: 4, F16: 2, BF16: 2, I64: 8, U8: 1 };
        const tensors = specs.map(([name, t]) => {
          const bytes = new Uint8Array(t.shape.reduce((a, b) => a * b, 1) * sizes[t.dtype]!);
          for (let i = 0; i < bytes.length; i++) bytes[i] = (t.seed + i * 31) & 255;
          return { name, dtype: t.dtype, shape: t.shape, data: bytes };
        });
        const file = tmp('prop.safetensors');
        writeSafetensors(file, tensors, metadata);
        const header = readSafetensorsHeader(file);
        expect(header.metadata).toEqual(metadata);
        expect([...header.tensors.keys()].sort()).toEqual(tensors.map((t) => t.name).sort());
        for (const t of tensors) {
          const info = header.tensors.get(t.name)!;
          expect(info).toMatchObject({ dtype: t.dtype, shape: t.shape, byteLength: t.data.byteLength });
          expect(Array.from(readByteRange(file, info.offset, info.byteLength))).toEqual(Array.from(t.data));
        }
      }),
      { numRuns: 40 },
    );
  });
});

describe('corrupt files fail with an error naming the file (and tensor)', () => {
  const entry = (begin: number, end: number, dtype = 'F32', shape = [(end - begin) / 4]) => ({ dtype, shape, data_offsets: [begin, end] });

  it('a file shorter than the length prefix', () => {
    const file = tmp('short.safetensors');
    writeFileSync(file, Buffer.alloc(5));
    expect(() => readSafetensorsHeader(file)).toThrow(new RegExp(`${file}: truncated: 5 bytes`));
  });

  it('a header length beyond the file', () => {
    const file = rawFile('{}', 0, 1000);
    expect(() => readSafetensorsHeader(file)).toThrowError(SafetensorsFormatError);
    expect(() => readSafetensorsHeader(file)).toThrow(/header length 1000 runs beyond the end of the file \(10 bytes\)/);
  });

  it('a truncated data buffer (the HF fixture cut short) names the tensor cut off', () => {
    const file = tmp('truncated.safetensors');
    copyFileSync(join(LLAVA_TINY, 'model.safetensors'), file);
    const header = readSafetensorsHeader(file);
    const last = [...header.tensors.values()].sort((a, b) => b.offset - a.offset)[0]!;
    truncateSync(file, last.offset + 10);
    const error = captureError(() => readSafetensorsHeader(file));
    expect(error).toBeInstanceOf(SafetensorsFormatError);
    expect((error as SafetensorsFormatError).tensor).toBe(last.name);
    expect(error.message).toContain(file);
    expect(error.message).toMatch(/run beyond the data buffer/);
  });

  it('overlapping data offsets name both tensors', () => {
    const file = rawFile(JSON.stringify({ a: entry(0, 16), b: entry(8, 24) }), 24);
    expect(() => readSafetensorsHeader(file)).toThrow(/tensor 'b': data_offsets \[8, 24\] overlap those of 'a' \[0, 16\]/);
  });

  it('byte length ≠ numel × dtype size', () => {
    const file = rawFile(JSON.stringify({ w: entry(0, 12, 'F32', [2, 2]) }), 12);
    expect(() => readSafetensorsHeader(file)).toThrow(/tensor 'w': byte length 12 ≠ 4 elements × 4 bytes/);
  });

  it('an unknown dtype', () => {
    const file = rawFile(JSON.stringify({ w: entry(0, 4, 'F24', [1]) }), 4);
    expect(() => readSafetensorsHeader(file)).toThrow(/tensor 'w': unknown dtype 'F24'/);
  });

  it('offsets that end before they begin, invalid JSON, non-string metadata', () => {
    expect(() => readSafetensorsHeader(rawFile(JSON.stringify({ w: entry(8, 4, 'F32', [1]) }), 8))).toThrow(/end before they begin/);
    expect(() => readSafetensorsHeader(rawFile('{"w": ', 0))).toThrow(/header is not valid JSON/);
    expect(() => readSafetensorsHeader(rawFile(JSON.stringify({ __metadata__: { a: 1 } }), 0))).toThrow(/__metadata__ must be an object of string values/);
  });

  it('a missing file is NOT_FOUND, naming it', () => {
    const file = join(scratch.dir, 'absent.safetensors');
    expect(() => readSafetensorsHeader(file)).toThrowError(CheckpointNotFoundError);
    expect(() => readSafetensorsHeader(file)).toThrow(file);
  });
});

describe('files beyond 2 GB', () => {
  it('reads a tensor whose data lies past 2^32 in a sparse file', () => {
    // Two tensors: a 4.5 GB "padding" tensor (never written: the file is sparse) and a small one after it.
    const padBytes = 4.5 * 2 ** 30;
    const header = JSON.stringify({
      pad: { dtype: 'U8', shape: [padBytes], data_offsets: [0, padBytes] },
      w: { dtype: 'F32', shape: [3], data_offsets: [padBytes, padBytes + 12] },
    });
    const file = rawFile(header, 0);
    const dataStart = 8 + Buffer.byteLength(header);
    truncateSync(file, dataStart + padBytes + 12);
    const fd = openSync(file, 'r+');
    writeSync(fd, new Uint8Array(new Float32Array([1.5, -2, 3.25]).buffer), 0, 12, dataStart + padBytes);
    closeSync(fd);

    const info = readSafetensorsHeader(file).tensors.get('w')!;
    expect(info.offset).toBe(dataStart + padBytes);
    expect(info.offset).toBeGreaterThan(2 ** 32);
    expect(Array.from(toFloat32(readByteRange(file, info.offset, info.byteLength), 'F32'))).toEqual([1.5, -2, 3.25]);
    truncateSync(file, 0);
  });
});

describe('toFloat32', () => {
  const bytes = (words: number[]) => new Uint8Array(new Uint16Array(words).buffer);

  it('widens IEEE half values exactly (known bit patterns)', () => {
    // 1, -2, 65504 (max half), 2^-24 (smallest subnormal), +inf, -0, 0.333251953125 (0x3555)
    const out = toFloat32(bytes([0x3c00, 0xc000, 0x7bff, 0x0001, 0x7c00, 0x8000, 0x3555]), 'F16');
    expect(Array.from(out)).toEqual([1, -2, 65504, 2 ** -24, Infinity, -0, 0.333251953125]);
    expect(Number.isNaN(toFloat32(bytes([0x7e00]), 'F16')[0])).toBe(true);
  });

  it('widens bfloat16 as the upper half of a float32', () => {
    expect(Array.from(toFloat32(bytes([0x3f80, 0xc040, 0x7f80, 0x0001]), 'BF16'))).toEqual([1, -3, Infinity, 2 ** -133]);
    fc.assert(
      fc.property(fc.float({ noNaN: true }), (x) => {
        const f32 = new Float32Array([x]);
        const top = new Uint16Array(f32.buffer)[1]!;
        const truncated = new Uint32Array([top << 16]);
        expect(toFloat32(bytes([top]), 'BF16')[0]).toBe(new Float32Array(truncated.buffer)[0]);
      }),
    );
  });

  it('F32 bytes from an unaligned view are copied, not reinterpreted in place', () => {
    const source = new Uint8Array(13);
    source.set(new Uint8Array(new Float32Array([7, 8, 9]).buffer), 1);
    expect(Array.from(toFloat32(source.subarray(1), 'F32'))).toEqual([7, 8, 9]);
  });
});

function captureError(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}


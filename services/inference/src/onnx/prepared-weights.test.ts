// Prepared weight files: the transposed, stacked layout against a plain index-by-index reference
// (property test), written once and reused, a fresh folder when the checkpoint changes, and a
// precise error for matrices that cannot be stacked; float16 files: nearest rounding (checked
// against the float16 library's decoding), their own folder, and a typed error for values
// float16 cannot hold.
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { status } from '@grpc/grpc-js';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getFloat16 } from '@petamoriken/float16';
import { TensorShapeError, openWeightStore, writeSafetensors } from '../checkpoint/index.ts';
import { Float16RangeError } from '../checkpoint/errors.ts';
import { PreparedWeights, PreparedWeightsError, transposeInto } from './prepared-weights.ts';

const floats = (path: string) => {
  const bytes = readFileSync(path);
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
};

describe('transposeInto', () => {
  test('writes out[c, column + r] = matrix[r, c] and nothing else', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 70 }), fc.integer({ min: 1, max: 70 }), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 5 }), (rows, cols, column, extra) => {
        const matrix = Float32Array.from({ length: rows * cols }, (_, i) => i + 1);
        const width = column + rows + extra;
        const out = new Float32Array(cols * width);
        transposeInto(matrix, rows, cols, out, width, column);
        for (let c = 0; c < cols; c++) {
          for (let k = 0; k < width; k++) {
            const r = k - column;
            expect(out[c * width + k]).toBe(r >= 0 && r < rows ? matrix[r * cols + c] : 0);
          }
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('PreparedWeights', () => {
  const checkpoint = () => {
    const dir = mkdtempSync(join(tmpdir(), 'locscope-ckpt-'));
    writeSafetensors(join(dir, 'model.safetensors'), [
      { name: 'a.weight', dtype: 'F32', shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) },
      { name: 'b.weight', dtype: 'F32', shape: [1, 3], data: Float32Array.from([7, 8, 9]) },
      { name: 'c.weight', dtype: 'F32', shape: [2, 2], data: Float32Array.from([1, 1, 1, 1]) },
    ]);
    return dir;
  };

  test('stacks transposed matrices side by side, as float32 files written once, on flush', async () => {
    const dir = checkpoint();
    const prepared = PreparedWeights.open(openWeightStore(dir), mkdtempSync(join(tmpdir(), 'locscope-prepared-')));
    const t = prepared.transposed(['a.weight', 'b.weight']);
    expect(t.dims).toEqual([3, 3]);
    expect(t.byteLength).toBe(36);
    const file = join(prepared.dir, t.location);
    expect(existsSync(file)).toBe(false);
    await prepared.flush();
    expect(Array.from(floats(file))).toEqual([1, 4, 7, 2, 5, 8, 3, 6, 9]);
    const written = statSync(file).mtimeMs;
    expect(prepared.transposed(['a.weight', 'b.weight']).location).toBe(t.location);
    const b = prepared.tensor('b.weight');
    await prepared.flush();
    expect(statSync(file).mtimeMs).toBe(written);
    expect(Array.from(floats(join(prepared.dir, b.location)))).toEqual([7, 8, 9]);
  });

  test('untransposed gives a transposed stack back in the stored layout, rows stacked', async () => {
    const prepared = PreparedWeights.open(openWeightStore(checkpoint()), mkdtempSync(join(tmpdir(), 'locscope-prepared-')));
    const t = prepared.transposed(['a.weight', 'b.weight']);
    const back = prepared.untransposed(t.location)!;
    expect(back.dims).toEqual([3, 3]);
    expect(prepared.untransposed('b.weight.f32')).toBeNull();
    expect(prepared.untransposed(prepared.transposed(['c.weight']).location)!.location).toBe('c.weight.f32');
    await prepared.flush();
    expect(Array.from(floats(join(prepared.dir, back.location)))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  test('a flush waits for the files an earlier, still running flush took over', async () => {
    const prepared = PreparedWeights.open(openWeightStore(checkpoint()), mkdtempSync(join(tmpdir(), 'locscope-prepared-')));
    const names = [prepared.tensor('a.weight'), prepared.transposed(['c.weight'])];
    const first = prepared.flush();
    // A second graph built now names the same files; its flush must not return before they exist.
    prepared.tensor('a.weight');
    await prepared.flush();
    for (const t of names) expect(statSync(join(prepared.dir, t.location)).size).toBe(t.byteLength);
    await first;
  });

  test('a file that cannot be written fails the flush naming it, and a later flush can retry', async () => {
    const root = mkdtempSync(join(tmpdir(), 'locscope-prepared-'));
    const prepared = PreparedWeights.open(openWeightStore(checkpoint()), root);
    writeFileSync(prepared.dir, 'not a folder');
    const t = prepared.tensor('b.weight');
    const failed = prepared.flush();
    await expect(failed).rejects.toThrow(PreparedWeightsError);
    await expect(failed).rejects.toMatchObject({ code: status.UNAVAILABLE, message: expect.stringMatching(/could not write prepared weights .*b\.weight\.f32/) });
    // The queue is not stuck behind the failure.
    await expect(prepared.flush()).resolves.toBeUndefined();
    rmSync(prepared.dir);
    prepared.tensor('b.weight');
    await prepared.flush();
    expect(Array.from(floats(join(prepared.dir, t.location)))).toEqual([7, 8, 9]);
  });

  test('a changed checkpoint gets its own folder', () => {
    const dir = checkpoint();
    const root = mkdtempSync(join(tmpdir(), 'locscope-prepared-'));
    const before = PreparedWeights.open(openWeightStore(dir), root).dir;
    utimesSync(join(dir, 'model.safetensors'), new Date(), new Date(Date.now() + 5000));
    expect(PreparedWeights.open(openWeightStore(dir), root).dir).not.toBe(before);
  });

  test('matrices with different input sizes are not stacked; the error names the tensor', () => {
    const prepared = PreparedWeights.open(openWeightStore(checkpoint()), mkdtempSync(join(tmpdir(), 'locscope-prepared-')));
    expect(() => prepared.transposed(['a.weight', 'c.weight'])).toThrow(TensorShapeError);
    expect(() => prepared.transposed(['a.weight', 'c.weight'])).toThrow(/'c\.weight' has shape \[2, 2\], expected \[2, 3\].*stacked with 'a\.weight'/);
  });
});

describe('PreparedWeights in float16', () => {
  const halves = (path: string) => {
    const bytes = readFileSync(path);
    return new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2);
  };
  const decode = (bits: number) => {
    const view = new DataView(new ArrayBuffer(2));
    view.setUint16(0, bits, true);
    return getFloat16(view, 0, true);
  };
  const bf16 = (values: number[]) => {
    const words = new Uint32Array(Float32Array.from(values).buffer);
    return Uint16Array.from(words, (w) => w >>> 16);
  };
  const checkpointOf = (tensors: Parameters<typeof writeSafetensors>[1]) => {
    const dir = mkdtempSync(join(tmpdir(), 'locscope-ckpt-'));
    writeSafetensors(join(dir, 'model.safetensors'), tensors);
    return dir;
  };

  test('float32 weights become the nearest float16, transposed like float32 files', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.float({ min: -65000, max: 65000, noNaN: true }), { minLength: 6, maxLength: 6 }), async (values) => {
        const dir = checkpointOf([{ name: 'w.weight', dtype: 'F32', shape: [2, 3], data: Float32Array.from(values) }]);
        const prepared = PreparedWeights.open(openWeightStore(dir), mkdtempSync(join(tmpdir(), 'locscope-prepared-')), 'float16');
        const t = prepared.transposed(['w.weight']);
        expect(t.byteLength).toBe(12);
        await prepared.flush();
        const bits = halves(join(prepared.dir, t.location));
        // out[c, r] = w[r, c]; each is the float16 nearest to the float32 value (no neighbour nearer).
        [0, 3, 1, 4, 2, 5].forEach((source, i) => {
          const v = Math.fround(values[source]);
          const error = Math.abs(decode(bits[i]) - v);
          for (const neighbour of [bits[i] - 1, bits[i] + 1]) {
            if (neighbour >= 0 && neighbour < 0x10000 && Number.isFinite(decode(neighbour))) expect(error).toBeLessThanOrEqual(Math.abs(decode(neighbour) - v));
          }
        });
      }),
      { numRuns: 25 },
    );
  });

  test('bf16 weights that float16 represents are kept exactly; F16 weights bit for bit', async () => {
    const exact = [1.5, -2, 0.09375, 1024, -0.0001220703125, 0];
    const f16 = Uint16Array.from([0x3c00, 0xc000, 0x7bff, 0x0001, 0x8000, 0x3555]);
    const dir = checkpointOf([
      { name: 'b.weight', dtype: 'BF16', shape: [6], data: bf16(exact) },
      { name: 'h.weight', dtype: 'F16', shape: [6], data: f16 },
    ]);
    const prepared = PreparedWeights.open(openWeightStore(dir), mkdtempSync(join(tmpdir(), 'locscope-prepared-')), 'float16');
    const b = prepared.tensor('b.weight');
    const h = prepared.tensor('h.weight');
    await prepared.flush();
    expect(Array.from(halves(join(prepared.dir, b.location)), decode)).toEqual(exact);
    expect(Array.from(halves(join(prepared.dir, h.location)))).toEqual(Array.from(f16));
  });

  test('float16 and float32 preparations of one checkpoint live in different folders', () => {
    const dir = checkpointOf([{ name: 'w.weight', dtype: 'F32', shape: [1], data: Float32Array.from([1]) }]);
    const root = mkdtempSync(join(tmpdir(), 'locscope-prepared-'));
    const half = PreparedWeights.open(openWeightStore(dir), root, 'float16');
    const single = PreparedWeights.open(openWeightStore(dir), root, 'float32');
    expect(half.dir).not.toBe(single.dir);
    expect(half.tensor('w.weight').location).not.toBe(single.tensor('w.weight').location);
  });

  test('a finite weight beyond float16 range fails FAILED_PRECONDITION naming the tensor; float32 still prepares it', async () => {
    // bf16 [1, 65280, -69632]: 65280 (below 65520) still rounds to float16's largest finite value.
    const dir = checkpointOf([{ name: 'big.weight', dtype: 'BF16', shape: [3], data: bf16([1, 65280, -69632]) }]);
    const root = mkdtempSync(join(tmpdir(), 'locscope-prepared-'));
    const half = PreparedWeights.open(openWeightStore(dir), root, 'float16');
    half.tensor('big.weight');
    const failed = half.flush();
    await expect(failed).rejects.toThrow(Float16RangeError);
    await expect(failed).rejects.toMatchObject({ code: status.FAILED_PRECONDITION, tensor: 'big.weight', message: expect.stringMatching(/tensor 'big\.weight' holds -69632, outside float16's range.*precision 'float32'/) });
    const single = PreparedWeights.open(openWeightStore(dir), root, 'float32');
    const t = single.tensor('big.weight');
    await single.flush();
    expect(Array.from(floats(join(single.dir, t.location)))).toEqual([1, 65280, -69632]);
  });
});

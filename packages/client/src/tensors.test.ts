// decodeTensor against numpy (Debian's python3-numpy, a test dependency of the Python client):
// every one of the 65,536 float16 and bfloat16 bit patterns, and random float32/int32/int64 data.
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DType } from './gen/locscope/v1/tensor.js';
import { decodeTensor, float32Tensor, TensorDecodeError } from './tensors.js';

/** numpy's reading of `bytes` as `dtype`, widened to float64 (as JSON; NaN, ±Infinity spelled out). */
function numpyValues(bytes: Buffer, dtype: 'float16' | 'bfloat16' | 'float32' | 'int32' | 'int64'): (number | string)[] {
  const script = `
import json, sys, numpy as np
raw = sys.stdin.buffer.read()
if "${dtype}" == "bfloat16":
    v = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
else:
    v = np.frombuffer(raw, dtype=np.dtype("${dtype}").newbyteorder("<"))
print(json.dumps([x if np.isfinite(x) else str(x) for x in v.astype(np.float64).tolist()]))`;
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', script], { input: bytes, maxBuffer: 64 << 20 }).toString());
}

const spell = (x: number) => (Number.isNaN(x) ? 'nan' : x === Infinity ? 'inf' : x === -Infinity ? '-inf' : x);

describe('decodeTensor', () => {
  for (const [dtype, code] of [
    ['float16', DType.D_TYPE_FLOAT16],
    ['bfloat16', DType.D_TYPE_BFLOAT16],
  ] as const) {
    it(`reads every ${dtype} bit pattern as numpy does`, () => {
      const data = Buffer.alloc(2 * 65536);
      for (let bits = 0; bits < 65536; bits++) data.writeUInt16LE(bits, 2 * bits);
      const decoded = decodeTensor({ dtype: code, shape: [65536], data });
      expect(Array.from(decoded.data as Float32Array, spell)).toEqual(numpyValues(data, dtype));
    });
  }

  it('reads float32, int32 and int64 data as numpy does, in its shape', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 24, maxLength: 24 }), fc.constantFrom<number[]>([6], [2, 3], [3, 1, 2]), (bytes, shape) => {
        const data = Buffer.from(bytes);
        const f32 = decodeTensor({ dtype: DType.D_TYPE_FLOAT32, shape, data });
        expect(f32.shape).toEqual(shape);
        expect(Array.from(f32.data as Float32Array, spell)).toEqual(numpyValues(data, 'float32'));
        expect(Array.from(decodeTensor({ dtype: DType.D_TYPE_INT32, shape, data }).data as Int32Array)).toEqual(numpyValues(data, 'int32'));
        const i64 = decodeTensor({ dtype: DType.D_TYPE_INT64, shape: [3], data }).data as BigInt64Array;
        // int64 beyond 2^53 loses digits in float64 on both sides alike.
        expect(Array.from(i64, Number)).toEqual(numpyValues(data, 'int64'));
      }),
      { numRuns: 3 },
    );
  });

  it('round-trips float32Tensor and refuses bytes that do not fit the shape', () => {
    const values = [1.5, -2, 3.25, 0];
    expect(Array.from(decodeTensor(float32Tensor(values, [2, 2])).data as Float32Array)).toEqual(values);
    expect(() => decodeTensor({ dtype: DType.D_TYPE_FLOAT32, shape: [3], data: Buffer.alloc(8) })).toThrow(TensorDecodeError);
    expect(() => float32Tensor([1, 2, 3], [2, 2])).toThrow(/3 values do not fill shape \[2, 2\]/);
  });
});

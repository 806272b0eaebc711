import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DType } from './gen/locscope/v1/tensor.ts';
import { decodeFloat32, decodeUint8, float32Tensor, TensorFormatError, uint8Tensor } from './tensor-codec.ts';

describe('tensor codec', () => {
  it('round-trips float32 values bit for bit', () => {
    fc.assert(
      fc.property(fc.array(fc.float({ noNaN: true }), { maxLength: 64 }), (values) => {
        const array = Float32Array.from(values);
        const decoded = decodeFloat32(float32Tensor(array, [array.length]), 'x', { shape: [-1] });
        expect(Array.from(decoded)).toEqual(Array.from(array));
      }),
    );
  });

  it('decodes from unaligned byte offsets', () => {
    const backing = Buffer.alloc(13);
    const data = backing.subarray(1, 13);
    new Float32Array([1.5, -2, 3]).forEach((v, i) => data.writeFloatLE(v, i * 4));
    expect(Array.from(decodeFloat32({ dtype: DType.D_TYPE_FLOAT32, shape: [3], data }, 'x'))).toEqual([1.5, -2, 3]);
  });

  it('names the field on dtype, shape and length errors', () => {
    const t = float32Tensor(new Float32Array(6), [2, 3]);
    expect(() => decodeFloat32(t, 'variants[0].vector', { shape: [3, 2] })).toThrowError(/^variants\[0\]\.vector: expected shape \[3, 2\]/);
    expect(() => decodeFloat32({ ...t, data: t.data.subarray(0, 20) }, 'v')).toThrowError(/needs 24 bytes, data has 20/);
    expect(() => decodeFloat32(uint8Tensor(new Uint8Array(2), [2]), 'mask')).toThrowError(TensorFormatError);
    expect(() => decodeUint8(t, 'mask')).toThrowError(/^mask: expected dtype UINT8 or BOOL, got D_TYPE_FLOAT32/);
    expect(() => decodeFloat32(undefined, 'pixel_values')).toThrowError(/^pixel_values: required/);
  });
});

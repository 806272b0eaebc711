// Hook tensors for a decode step over KV buffers: the attention bias spans the buffer's whole
// key axis with the knockout at the same key columns as for a cache of exactly start + length.
import { describe, expect, test } from 'vitest';
import * as io from '../graph/decoder-io.ts';
import { FLOAT32_MIN } from '../graph/decoder-graph.ts';
import { hookTensors, type Intervention } from './interventions.ts';

describe('hookTensors', () => {
  const dims = { layers: 2, heads: 3, headDim: 4 };
  const variants: Intervention[] = [{}, { knockouts: [{ layers: [1], keyPositions: [0, 2, 9], queriesFrom: 5 }] }];
  const needed = { attnBias: true, headScale: false, headPatch: false };

  test('the knockout bias of a decode step spans `keys` columns, blocked keys set only within the cache', () => {
    const step = { start: 6, length: 1 };
    const exact = hookTensors(variants, dims, step, needed)[io.ATTN_BIAS];
    const padded = hookTensors(variants, dims, { ...step, keys: 10 }, needed)[io.ATTN_BIAS];
    expect(exact.dims).toEqual([2, 2, 1, 1, 7]);
    expect(padded.dims).toEqual([2, 2, 1, 1, 10]);
    const rows = (t: typeof exact, width: number) => Array.from({ length: 4 }, (_, r) => Array.from((t.data as Float32Array).subarray(r * width, (r + 1) * width)));
    const blocked = [FLOAT32_MIN, 0, FLOAT32_MIN, 0, 0, 0, 0];
    expect(rows(exact, 7)).toEqual([new Array(7).fill(0), new Array(7).fill(0), new Array(7).fill(0), blocked]);
    // Key 9 lies after the query (position 6): the graph masks that slot as unfilled, so the bias leaves it at 0.
    expect(rows(padded, 10)).toEqual(rows(exact, 7).map((row) => [...row, 0, 0, 0]));
  });
});

// Validated interventions (interventions/intervention.ts) translated into the decoder's hook
// tensors for one run step (a prefill over positions [start, start+T) or a decode step of T = 1
// with `start` = tokens already cached).
import * as ort from 'onnxruntime-node';
import * as io from '../graph/decoder-io.ts';
import type { HeadAblation, HeadPatch, Intervention, ModelDims } from '../interventions/intervention.ts';

/** The step the hooks are built for: queries at [start, start + length), keys at [0, start + length). */
export interface Step {
  start: number;
  length: number;
  /**
   * Length of the attention's key axis (default start + length). A decode step over KV buffers
   * takes a bias over their whole capacity; the slots after start + length get none (the graph
   * masks slots not filled yet).
   */
  keys?: number;
}

/**
 * The decoder's hook inputs for `variants` over `step`. A hook no variant uses gets a no-op value
 * that broadcasts over the batch (and positions): a few bytes instead of a batch-sized tensor.
 */
export function hookTensors(variants: readonly Intervention[], dims: ModelDims, step: Step): Record<string, ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = {};
  const B = variants.length;
  const { layers: L, heads: H, headDim: D } = dims;
  const T = step.length;
  const S = step.start + step.length;
  const positional = (a: HeadAblation) => a.positions !== undefined;
  const needed = {
    knockout: variants.some((v) => (v.knockouts?.length ?? 0) > 0),
    headScale: variants.some((v) => v.ablations?.some((a) => !positional(a)) ?? false),
    headPatch: variants.some((v) => (v.patches?.length ?? 0) > 0 || (v.ablations?.some(positional) ?? false)),
  };
  Object.assign(feeds, knockoutFactors(needed.knockout ? variants : [{}], L, step));
  if (!needed.headScale) feeds[io.HEAD_SCALE] = new ort.Tensor('float32', new Float32Array(L * H).fill(1), [L, 1, H]);
  if (!needed.headPatch) {
    feeds[io.HEAD_PATCH] = new ort.Tensor('float32', new Float32Array(L * H * D), [L, 1, 1, H, D]);
    feeds[io.HEAD_PATCH_MASK] = new ort.Tensor('float32', new Float32Array(L * H), [L, 1, 1, H]);
  }
  if (needed.headScale) {
    const scale = new Float32Array(L * B * H).fill(1);
    variants.forEach((v, b) => {
      for (const a of v.ablations ?? []) if (!positional(a)) scale[(a.layer * B + b) * H + a.head] = a.scale ?? 0;
    });
    feeds[io.HEAD_SCALE] = new ort.Tensor('float32', scale, [L, B, H]);
  }
  if (needed.headPatch) {
    const values = new Float32Array(L * B * T * H * D);
    const mask = new Float32Array(L * B * T * H);
    variants.forEach((v, b) => {
      const zeroPatches = (v.ablations ?? []).filter(positional).map((a) => ({ ...a, values: new Float32Array(a.positions!.length * D) }));
      for (const p of [...(v.patches ?? []), ...zeroPatches] as HeadPatch[]) {
        p.positions.forEach((pos, j) => {
          if (pos < step.start || pos >= S) return;
          const cell = ((p.layer * B + b) * T + (pos - step.start)) * H + p.head;
          mask[cell] = 1;
          values.set(p.values.subarray(j * D, (j + 1) * D), cell * D);
        });
      }
    });
    feeds[io.HEAD_PATCH] = new ort.Tensor('float32', values, [L, B, T, H, D]);
    feeds[io.HEAD_PATCH_MASK] = new ort.Tensor('float32', mask, [L, B, T, H]);
  }
  return feeds;
}

/**
 * The knockout of `variants` over `step` in factored form (see io.KNOCKOUT_QUERIES): per layer and
 * row, one term per knockout that touches the layer and blocks some query of this step from some
 * key before its end; R is the most terms any (layer, row) has, at least 1 (rows with fewer are
 * padded with empty terms). Sizes L·B·R·(T + keys).
 */
export function knockoutFactors(variants: readonly Intervention[], layers: number, step: Step): Record<string, ort.Tensor> {
  const B = variants.length;
  const T = step.length;
  const S = step.start + step.length;
  const K = step.keys ?? S;
  const terms: { layer: number; row: number; queries: number[]; keys: number[] }[] = [];
  variants.forEach((v, row) => {
    for (const k of v.knockouts ?? []) {
      const queries = new Set((k.queryPositions ?? []).filter((q) => q >= step.start && q < S));
      if (k.queriesFrom !== undefined) for (let q = Math.max(k.queriesFrom, step.start); q < S; q++) queries.add(q);
      const keys = k.keyPositions.filter((key) => key < S);
      if (queries.size === 0 || keys.length === 0) continue;
      for (const layer of new Set(k.layers)) terms.push({ layer, row, queries: [...queries], keys });
    }
  });
  const count = new Map<number, number>();
  const slot = terms.map(({ layer, row }) => {
    const cell = layer * B + row;
    const r = count.get(cell) ?? 0;
    count.set(cell, r + 1);
    return r;
  });
  const R = Math.max(1, ...count.values());
  const queries = new Float32Array(layers * B * T * R);
  const keys = new Float32Array(layers * B * R * K);
  terms.forEach(({ layer, row, queries: qs, keys: ks }, i) => {
    const cell = layer * B + row;
    for (const q of qs) queries[(cell * T + (q - step.start)) * R + slot[i]] = 1;
    for (const key of ks) keys[(cell * R + slot[i]) * K + key] = 1;
  });
  return {
    [io.KNOCKOUT_QUERIES]: new ort.Tensor('float32', queries, [layers, B, T, R]),
    [io.KNOCKOUT_KEYS]: new ort.Tensor('float32', keys, [layers, B, R, K]),
  };
}

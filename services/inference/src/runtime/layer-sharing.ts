// Batched variants whose interventions start at a later layer compute the layers before it alike
// (one shared input, no hook there yet). Planning a run that computes that prefix once: a clean
// pass over every layer, then each group of variants from its group start (at or before its first
// hooked layer), fed the clean pass's hidden state there. Exact: each row sees the same values as
// in the one-batch run.
import { firstHookedLayer, type Intervention } from '../interventions/intervention.ts';

/**
 * Groups start only at multiples of ceil(layers / SHARED_STARTS): every start is one more run of
 * the decoder (its own fixed cost, and smaller batches). When each start was its own graph
 * variant (a session with its own state and arena), 4 was chosen; with one decoder graph a start
 * costs only the run, and other values have not been measured since.
 */
export const SHARED_STARTS = 4;

export interface LayerGroup {
  /** Where the group starts: a multiple of ceil(layers / SHARED_STARTS) at or before its variants' first hooked layers (0: every layer). */
  fromLayer: number;
  /** Indices of the group's variants in the request. */
  rows: number[];
}

export interface LayerSharingPlan {
  /** Variants without interventions: they take the clean pass's outputs. */
  cleanRows: number[];
  groups: LayerGroup[];
}

/**
 * Groups `variants` by their first hooked layer (rounded down to a group start), or null when
 * sharing would not save layer passes (cost: L for the clean pass plus L − start per hooked row,
 * against L per row).
 */
export function planLayerSharing(variants: readonly Intervention[], layers: number): LayerSharingPlan | null {
  const stride = Math.ceil(layers / SHARED_STARTS);
  const first = variants.map((v) => {
    const f = firstHookedLayer(v);
    return f === Infinity ? f : Math.floor(f / stride) * stride;
  });
  const sharedPasses = layers + first.reduce((sum, f) => sum + (f === Infinity ? 0 : layers - f), 0);
  if (sharedPasses >= variants.length * layers) return null;
  const byLayer = new Map<number, number[]>();
  first.forEach((f, row) => {
    if (f !== Infinity) byLayer.set(f, [...(byLayer.get(f) ?? []), row]);
  });
  return {
    cleanRows: first.flatMap((f, row) => (f === Infinity ? [row] : [])),
    groups: [...byLayer].sort(([a], [b]) => a - b).map(([fromLayer, rows]) => ({ fromLayer, rows })),
  };
}

// The intervention contract's domain side: what one batch row (a "variant") does to the decoder,
// addressed by absolute token positions, the model dimensions it is checked against, and its one
// validation. Requests arrive as proto messages and are converted here (variant-plan.ts, then
// variant-inputs.ts); the runtime turns these values into hook tensors (runtime/hook-tensors.ts).
import { InvalidArgumentError } from '@locscope/server-kit';

/**
 * The dimensions interventions address: the decoder's layers, its attention heads and their width,
 * and the hidden size (embedding edits). The runtime's ModelInfo extends it.
 */
export interface ModelDims {
  layers: number;
  heads: number;
  headDim: number;
  hidden: number;
}

/** Attention knockout: in `layers` (all heads), the listed queries cannot attend the listed keys. */
export interface Knockout {
  layers: number[];
  keyPositions: number[];
  queryPositions?: number[];
  /** Every query at or after this position is blocked too, including tokens generated later. */
  queriesFrom?: number;
}

/**
 * Multiplies one head's output (the o_proj input slice) by `scale` (default 0: ablation) at every
 * position, or zeroes it only at `positions` (then `scale` must be 0 or absent: a positional
 * ablation is a patch with zeros, since head_scale has no position axis).
 */
export interface HeadAblation {
  layer: number;
  head: number;
  scale?: number;
  positions?: number[];
}

/** Replaces one head's output at the listed positions by `values` [positions.length, headDim]. */
export interface HeadPatch {
  layer: number;
  head: number;
  positions: number[];
  values: Float32Array;
}

export interface Intervention {
  knockouts?: Knockout[];
  ablations?: HeadAblation[];
  patches?: HeadPatch[];
}

/**
 * The one range rule of the contract (layers, heads, positions, visual indices, views): `value` is
 * an integer in [0, size); else an InvalidArgumentError naming `field`.
 */
export function checkIndex(value: number, size: number, what: string, field: string): void {
  if (!Number.isInteger(value) || value < 0 || value >= size) {
    throw new InvalidArgumentError(`${what} ${value} outside [0, ${size})`, { field });
  }
}

/** The first layer any of the variant's interventions touches (Infinity for the unmodified run). */
export function firstHookedLayer(variant: Intervention): number {
  const layers = [...(variant.knockouts ?? []).flatMap((k) => k.layers), ...(variant.ablations ?? []).map((a) => a.layer), ...(variant.patches ?? []).map((p) => p.layer)];
  return Math.min(Infinity, ...layers);
}

/** What a list of interventions was checked against: the model's dimensions and the positions [0, maxPosition). */
interface CheckScope {
  layers: number;
  heads: number;
  headDim: number;
  maxPosition: number;
}

const CHECKED = Symbol('interventions checked against');

/**
 * A list of interventions that passed the contract's checks for a model and sequence length (a
 * frozen copy; its entries are the caller's objects, and changing them voids the check). The
 * runtime consumes it as is: Model's validateInterventions call returns at once for a list checked
 * against the same dimensions and at most its positions.
 */
export type CheckedInterventions = readonly Intervention[] & { readonly [CHECKED]: CheckScope };

function checked(variants: readonly Intervention[], dims: ModelDims, maxPosition: number): CheckedInterventions {
  const scope: CheckScope = { layers: dims.layers, heads: dims.heads, headDim: dims.headDim, maxPosition };
  return Object.freeze(Object.defineProperty([...variants], CHECKED, { value: scope })) as CheckedInterventions;
}

function checkedFor(variants: readonly Intervention[], dims: ModelDims, maxPosition: number): variants is CheckedInterventions {
  const scope = (variants as Partial<CheckedInterventions>)[CHECKED];
  return scope !== undefined && scope.layers === dims.layers && scope.heads === dims.heads && scope.headDim === dims.headDim && scope.maxPosition <= maxPosition;
}

/**
 * The interventions a request converted into (variant-inputs.ts): the request was checked while
 * it was converted (variant-plan.ts, naming its own fields, by the same range rule) against
 * `dims` and its sequence of `length` positions, so they are not checked again.
 */
export function convertedInterventions(variants: readonly Intervention[], dims: ModelDims, length: number): CheckedInterventions {
  return checked(variants, dims, length);
}

/**
 * Rejects out-of-range layers/heads/positions and mis-sized patch values, naming the field: the
 * check of interventions built by hand (the in-process Model API). A list already checked for
 * these dimensions and at most these positions (a converted request) is returned as it is.
 */
export function validateInterventions(variants: readonly Intervention[], dims: ModelDims, maxPosition: number): CheckedInterventions {
  if (checkedFor(variants, dims, maxPosition)) return variants;
  const check = (ok: boolean, field: string, message: string) => {
    if (!ok) throw new InvalidArgumentError(message, { field });
  };
  variants.forEach((variant, b) => {
    const at = `variants[${b}]`;
    variant.knockouts?.forEach((k, i) => {
      const f = `${at}.knockouts[${i}]`;
      k.layers.forEach((l, j) => checkIndex(l, dims.layers, 'layer', `${f}.layers[${j}]`));
      k.keyPositions.forEach((p, j) => checkIndex(p, maxPosition, 'position', `${f}.key_positions[${j}]`));
      k.queryPositions?.forEach((p, j) => checkIndex(p, maxPosition, 'position', `${f}.query_positions[${j}]`));
      if (k.queriesFrom !== undefined) check(Number.isInteger(k.queriesFrom) && k.queriesFrom >= 0, `${f}.queries_from`, `must be a non-negative integer, got ${k.queriesFrom}`);
    });
    variant.ablations?.forEach((a, i) => {
      const f = `${at}.ablations[${i}]`;
      checkIndex(a.layer, dims.layers, 'layer', `${f}.layer`);
      checkIndex(a.head, dims.heads, 'head', `${f}.head`);
      if (a.scale !== undefined) check(Number.isFinite(a.scale), `${f}.scale`, `must be finite, got ${a.scale}`);
      if (a.positions !== undefined) {
        check((a.scale ?? 0) === 0, `${f}.scale`, `must be 0 when positions are given, got ${a.scale}`);
        a.positions.forEach((q, j) => checkIndex(q, maxPosition, 'position', `${f}.positions[${j}]`));
      }
    });
    variant.patches?.forEach((p, i) => {
      const f = `${at}.patches[${i}]`;
      checkIndex(p.layer, dims.layers, 'layer', `${f}.layer`);
      checkIndex(p.head, dims.heads, 'head', `${f}.head`);
      p.positions.forEach((q, j) => checkIndex(q, maxPosition, 'position', `${f}.positions[${j}]`));
      const expected = p.positions.length * dims.headDim;
      check(p.values.length === expected, `${f}.values`, `has ${p.values.length} values, expected ${expected} (${p.positions.length} positions × head_dim ${dims.headDim})`);
    });
  });
  return checked(variants, dims, maxPosition);
}

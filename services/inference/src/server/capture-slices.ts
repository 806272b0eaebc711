// Slicing a batched forward's capture outputs (graph/decoder-io.ts names, [B, …] tensors) into
// what Capture returns and stores: per-variant rows, selected positions, head outputs by head.
import * as io from '../graph/decoder-io.ts';
import type { HeadOutputs } from '../interventions/variant-inputs.ts';
import type { TensorData } from '../runtime/model.ts';

export interface CapturedTensor {
  variant: string;
  name: string;
  shape: number[];
  data: Float32Array;
}

/** What a Capture request returns of each variant's forward. */
export interface CaptureSelection {
  hiddenStates: boolean;
  headOutputs: boolean;
  attentionProbs: boolean;
  /** Layers kept (all when empty). */
  layers: number[];
  /** Positions kept (all when undefined). */
  positions: number[] | undefined;
}

/** Batch row 0 of every layer's `attn_pre_o_proj` capture. */
export function headOutputsOf(captures: Record<string, TensorData>, layers: number, length: number): HeadOutputs {
  return {
    length,
    layers: Array.from({ length: layers }, (_, l) => {
      const { data, dims } = captures[io.attnPreOProjName(l)];
      return data.slice(0, data.length / dims[0]);
    }),
  };
}

/**
 * The selected captures of each variant (`variants[b]` names batch row b) over a T-position run:
 * hidden states and head outputs ([positions, heads, headDim]) at the kept positions, attention
 * probabilities whole.
 */
export function selectCaptures(
  captures: Record<string, TensorData>,
  variants: string[],
  selection: CaptureSelection,
  dims: { T: number; heads: number; headDim: number },
): CapturedTensor[] {
  const { T, heads: H, headDim: D } = dims;
  const wanted = (layer: number) => selection.layers.length === 0 || selection.layers.includes(layer);
  const tensors: CapturedTensor[] = [];
  variants.forEach((variant, b) => {
    for (const [name, tensor] of Object.entries(captures)) {
      const [kind, index] = splitName(name);
      if (!wanted(index)) continue;
      if (kind === 'hidden_states' && selection.hiddenStates) tensors.push(rowsOf(variant, name, tensor, b, T, selection.positions));
      if (kind === 'attn_pre_o_proj' && selection.headOutputs) {
        const t = rowsOf(variant, `head_outputs.${index}`, tensor, b, T, selection.positions);
        tensors.push({ ...t, shape: [t.shape[0], H, D] });
      }
      if (kind === 'attn_probs' && selection.attentionProbs) tensors.push(batchRow(variant, name, tensor, b));
    }
  });
  return tensors;
}

function splitName(name: string): [string, number] {
  const dot = name.lastIndexOf('.');
  return [name.slice(0, dot), Number(name.slice(dot + 1))];
}

/** Batch row `b` of a [B, T, W] capture, keeping `keep` positions (all when undefined). */
function rowsOf(variant: string, name: string, tensor: TensorData, b: number, T: number, keep: number[] | undefined): CapturedTensor {
  const W = tensor.data.length / (tensor.dims[0] * T);
  const row = tensor.data.subarray(b * T * W, (b + 1) * T * W);
  if (!keep) return { variant, name, shape: [T, W], data: row.slice() };
  const data = new Float32Array(keep.length * W);
  keep.forEach((t, i) => data.set(row.subarray(t * W, (t + 1) * W), i * W));
  return { variant, name, shape: [keep.length, W], data };
}

function batchRow(variant: string, name: string, tensor: TensorData, b: number): CapturedTensor {
  const per = tensor.data.length / tensor.dims[0];
  return { variant, name, shape: tensor.dims.slice(1), data: tensor.data.slice(b * per, (b + 1) * per) };
}

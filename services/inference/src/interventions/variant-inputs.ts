// The last step of converting a request: compiled variant plans (variant-plan.ts) become what the
// runtime takes — one embedding tensor per variant (token replacement and moves applied) and the
// domain interventions (intervention.ts) with their patch values filled in from the source
// activations.
import { InvalidArgumentError, NotFoundError } from '@locscope/server-kit';
import { convertedInterventions, type CheckedInterventions, type Intervention, type ModelDims } from './intervention.ts';
import type { SequenceLayout } from './sequence-layout.ts';
import type { HeadPatchPlan, ReplacementValue, VariantPlan } from './variant-plan.ts';

/** o_proj inputs of one run: per layer [T, heads·headDim] (batch row 0 of `attn_pre_o_proj.l`). */
export interface HeadOutputs {
  length: number;
  layers: Float32Array[];
}

export interface VariantInputs {
  /** [B, T, hidden], or [T, hidden] when no variant edits embeddings. */
  inputsEmbeds: Float32Array;
  /** Checked by the conversion: the runtime takes them without checking them again. */
  interventions: CheckedInterventions;
}

/** The prompt the plans were compiled against: its layout and its clean embeddings [T, hidden]. */
export interface PromptEmbeds {
  layout: SequenceLayout;
  embeds: Float32Array;
}

export interface MaterializeContext {
  dims: ModelDims;
  /** A stored mean embedding by artifact name (undefined when absent). */
  meanEmbedding(name: string): Float32Array | undefined;
  /** Head outputs of each patch's source (resolved by the engine before materializing). */
  patchSource(plan: HeadPatchPlan): HeadOutputs | Float32Array;
}

export function materializeVariants(prompt: PromptEmbeds, plans: VariantPlan[], ctx: MaterializeContext): VariantInputs {
  const T = prompt.layout.length;
  const row = T * ctx.dims.hidden;
  const edits = plans.some((p) => p.embeddingEdits.length > 0);
  let inputsEmbeds = prompt.embeds;
  if (edits) {
    inputsEmbeds = new Float32Array(row * plans.length);
    plans.forEach((plan, b) => {
      const embeds = inputsEmbeds.subarray(b * row, (b + 1) * row);
      embeds.set(prompt.embeds);
      plan.embeddingEdits.forEach((edit, i) => applyEdit(embeds, prompt, edit, ctx, `variants[${b}].embedding_edits[${i}]`));
    });
  }
  return { inputsEmbeds, interventions: convertedInterventions(plans.map((plan) => toIntervention(plan, T, ctx)), ctx.dims, T) };
}

function applyEdit(
  embeds: Float32Array,
  prompt: PromptEmbeds,
  edit: VariantPlan['embeddingEdits'][number],
  ctx: MaterializeContext,
  field: string,
): void {
  const C = ctx.dims.hidden;
  const at = (visual: number) => (prompt.layout.imageStart + visual) * C;
  if (edit.kind === 'replace') {
    const value = replacementVector(edit.value, ctx, field);
    for (const k of edit.visual) embeds.set(value, at(k));
    return;
  }
  // Sources come from the unedited embeddings so that moves compose like a permutation.
  edit.dst.forEach((dst, i) => embeds.set(prompt.embeds.subarray(at(edit.src[i]), at(edit.src[i]) + C), at(dst)));
}

function replacementVector(value: ReplacementValue, ctx: MaterializeContext, field: string): Float32Array {
  switch (value.kind) {
    case 'zero':
      return new Float32Array(ctx.dims.hidden);
    case 'vector':
      return value.values;
    case 'mean': {
      const mean = ctx.meanEmbedding(value.artifact);
      if (!mean) throw new NotFoundError(`no mean-embedding artifact "${value.artifact}" for this model`, { field: `${field}.mean_embedding` });
      return mean;
    }
  }
}

function toIntervention(plan: VariantPlan, T: number, ctx: MaterializeContext): Intervention {
  const everywhere = (p: { indices: number[]; from?: number }) => p.from === 0;
  return {
    knockouts: plan.knockouts.map((k) => ({
      layers: k.layers,
      keyPositions: k.keys.indices,
      queryPositions: k.queries.indices,
      ...(k.queries.from !== undefined ? { queriesFrom: k.queries.from } : {}),
    })),
    ablations: plan.ablations.map((a) => (everywhere(a.positions) ? { layer: a.layer, head: a.head } : { layer: a.layer, head: a.head, positions: a.positions.indices })),
    patches: plan.patches.map((p) => ({ layer: p.layer, head: p.head, positions: p.positions.indices, values: patchValues(p, T, ctx) })),
  };
}

/** Values [positions, headDim] for one patched head, read from its source at the same positions. */
function patchValues(plan: HeadPatchPlan, T: number, ctx: MaterializeContext): Float32Array {
  const D = ctx.dims.headDim;
  const source = ctx.patchSource(plan);
  const width = source instanceof Float32Array ? D : ctx.dims.heads * D;
  const rows = source instanceof Float32Array ? source : source.layers[plan.layer];
  const sourceLength = source instanceof Float32Array ? source.length / D : source.length;
  if (sourceLength !== T) {
    throw new InvalidArgumentError(`source run has ${sourceLength} positions, this request ${T}: the sequence layouts differ`, { field: 'patch.source' });
  }
  const column = source instanceof Float32Array ? 0 : plan.head * D;
  const out = new Float32Array(plan.positions.indices.length * D);
  plan.positions.indices.forEach((pos, k) => out.set(rows.subarray(pos * width + column, pos * width + column + D), k * D));
  return out;
}

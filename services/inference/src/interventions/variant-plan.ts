// Compiles the proto's interventions (DESIGN §4) into a validated, resolved plan per variant:
// embedding edits in visual-index space, and knockouts / head edits in sequence positions. The
// runtime turns a plan into hook tensors; `firstAffectedPosition` tells it how much of the
// clean run's prefix (KV cache) a variant can reuse.
import { InvalidArgumentError } from '@locscope/server-kit';
import { decodeFloat32 } from '@locscope/proto';
import { TextSpan, type ImageInput, type LayerHead, type Variant } from '@locscope/proto/v1/inference';
import { checkIndex, type ModelDims } from './intervention.ts';
import { checkVisualIndices, firstPosition, resolvePositions, resolveVisualIndices, type ResolvedPositions } from './positions.ts';
import { type SequenceLayout } from './sequence-layout.ts';

export type ReplacementValue =
  | { kind: 'mean'; artifact: string }
  | { kind: 'zero' }
  | { kind: 'vector'; values: Float32Array };

export type EmbeddingEdit =
  | { kind: 'replace'; visual: number[]; value: ReplacementValue }
  | { kind: 'move'; dst: number[]; src: number[] };

export interface KnockoutPlan {
  layers: number[];
  queries: ResolvedPositions;
  keys: ResolvedPositions;
}

export interface HeadEdit {
  layer: number;
  head: number;
  positions: ResolvedPositions;
}

export type PatchSource =
  | { kind: 'run'; name: string }
  | { kind: 'image'; image: ImageInput }
  /** Inline values [T, headDim] for this head. */
  | { kind: 'values'; values: Float32Array };

export interface HeadPatchPlan extends HeadEdit {
  source: PatchSource;
}

export interface VariantPlan {
  name: string;
  embeddingEdits: EmbeddingEdit[];
  knockouts: KnockoutPlan[];
  ablations: HeadEdit[];
  patches: HeadPatchPlan[];
}

export interface PlanLimits {
  maxVariants: number;
}

function requireHeads(heads: LayerHead[], dims: ModelDims, field: string): void {
  if (heads.length === 0) throw new InvalidArgumentError('at least one (layer, head) is required', { field });
  heads.forEach((lh, i) => {
    checkIndex(lh.layer, dims.layers, 'layer', `${field}[${i}].layer`);
    checkIndex(lh.head, dims.heads, 'head', `${field}[${i}].head`);
  });
}

/** The plan of a variant without interventions (the clean run). */
export function emptyPlan(name: string): VariantPlan {
  return { name, embeddingEdits: [], knockouts: [], ablations: [], patches: [] };
}

export function compileVariants(
  variants: Variant[],
  layout: SequenceLayout,
  dims: ModelDims,
  limits: PlanLimits,
  field = 'variants',
): VariantPlan[] {
  if (variants.length > limits.maxVariants) {
    throw new InvalidArgumentError(`${variants.length} variants exceed the limit of ${limits.maxVariants}`, { field });
  }
  const list = variants.length === 0 ? [{ name: 'clean', interventions: [] }] : variants;
  return list.map((variant, v) => compileVariant(variant, layout, dims, `${field}[${v}]`));
}

function compileVariant(variant: Variant, layout: SequenceLayout, dims: ModelDims, field: string): VariantPlan {
  const plan = emptyPlan(variant.name);
  variant.interventions.forEach((intervention, i) => {
    const at = `${field}.interventions[${i}]`;
    const kind = intervention.kind;
    if (!kind) throw new InvalidArgumentError('intervention kind is not set', { field: at });
    switch (kind.$case) {
      case 'replace': {
        const r = kind.value;
        const visual = resolveVisualIndices(r.positions, layout, `${at}.replace.positions`);
        plan.embeddingEdits.push({ kind: 'replace', visual, value: replacementValue(r.value, dims, `${at}.replace`) });
        break;
      }
      case 'move': {
        const { dst, src } = kind.value;
        if (dst.length !== src.length) {
          throw new InvalidArgumentError(`dst has ${dst.length} entries, src ${src.length}`, { field: `${at}.move.src` });
        }
        checkVisualIndices(dst, layout, `${at}.move.dst`);
        checkVisualIndices(src, layout, `${at}.move.src`);
        plan.embeddingEdits.push({ kind: 'move', dst: [...dst], src: [...src] });
        break;
      }
      case 'knockout': {
        const k = kind.value;
        if (k.layers.length === 0) throw new InvalidArgumentError('at least one layer is required', { field: `${at}.knockout.layers` });
        k.layers.forEach((layer, j) => checkIndex(layer, dims.layers, 'layer', `${at}.knockout.layers[${j}]`));
        plan.knockouts.push({
          layers: [...new Set(k.layers)].sort((a, b) => a - b),
          queries: resolvePositions(k.queries, layout, `${at}.knockout.queries`),
          keys: resolvePositions(k.keys, layout, `${at}.knockout.keys`),
        });
        break;
      }
      case 'ablate': {
        const a = kind.value;
        requireHeads(a.heads, dims, `${at}.ablate.heads`);
        const positions = resolvePositions(a.positions, layout, `${at}.ablate.positions`, TextSpan.TEXT_SPAN_ALL);
        for (const lh of a.heads) plan.ablations.push({ layer: lh.layer, head: lh.head, positions });
        break;
      }
      case 'patch': {
        const p = kind.value;
        requireHeads(p.heads, dims, `${at}.patch.heads`);
        const positions = resolvePositions(p.positions, layout, `${at}.patch.positions`, TextSpan.TEXT_SPAN_ALL);
        const sources = patchSources(p.source, p.heads.length, layout, dims, `${at}.patch`);
        p.heads.forEach((lh, j) => plan.patches.push({ layer: lh.layer, head: lh.head, positions, source: sources[j] }));
        break;
      }
      default:
        throw new InvalidArgumentError('unknown intervention kind', { field: at });
    }
  });
  return plan;
}

function replacementValue(
  value: NonNullable<Variant['interventions'][number]['kind'] & { $case: 'replace' }>['value']['value'],
  dims: ModelDims,
  field: string,
): ReplacementValue {
  if (!value) throw new InvalidArgumentError('replacement value is not set (mean_embedding, zero or vector)', { field });
  switch (value.$case) {
    case 'meanEmbedding':
      if (!value.value) throw new InvalidArgumentError('artifact name is empty', { field: `${field}.mean_embedding` });
      return { kind: 'mean', artifact: value.value };
    case 'zero':
      return { kind: 'zero' };
    case 'vector':
      return { kind: 'vector', values: decodeFloat32(value.value, `${field}.vector`, { shape: [dims.hidden] }) };
  }
}

function patchSources(
  source: NonNullable<Variant['interventions'][number]['kind'] & { $case: 'patch' }>['value']['source'],
  heads: number,
  layout: SequenceLayout,
  dims: ModelDims,
  field: string,
): PatchSource[] {
  if (!source) throw new InvalidArgumentError('patch source is not set (source_run, source_image or values)', { field });
  switch (source.$case) {
    case 'sourceRun':
      if (!source.value) throw new InvalidArgumentError('source run name is empty', { field: `${field}.source_run` });
      return Array.from({ length: heads }, () => ({ kind: 'run', name: source.value }));
    case 'sourceImage':
      return Array.from({ length: heads }, () => ({ kind: 'image', image: source.value }));
    case 'values': {
      const per = layout.length * dims.headDim;
      const all = decodeFloat32(source.value, `${field}.values`, { shape: [heads, layout.length, dims.headDim] });
      return Array.from({ length: heads }, (_, j) => ({ kind: 'values', values: all.subarray(j * per, (j + 1) * per) }));
    }
  }
}

/**
 * The first sequence position whose computation the variant can change. Attention is causal, so
 * every position before it equals the clean run and its KV cache can be shared.
 */
export function firstAffectedPosition(plan: VariantPlan, layout: SequenceLayout): number {
  let first = Infinity;
  for (const edit of plan.embeddingEdits) {
    const touched = edit.kind === 'replace' ? edit.visual : edit.dst;
    if (touched.length > 0) first = Math.min(first, layout.imageStart + Math.min(...touched));
  }
  for (const k of plan.knockouts) if (k.keys.indices.length > 0 || k.keys.from !== undefined) first = Math.min(first, firstPosition(k.queries));
  for (const e of [...plan.ablations, ...plan.patches]) first = Math.min(first, firstPosition(e.positions));
  return first;
}

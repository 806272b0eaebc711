// Builders for the interventions of a Score/Generate variant (proto/locscope/v1/inference.proto).
import { TextSpan, type Intervention, type LayerHead, type Positions, type Variant } from './gen/locscope/v1/inference.js';
import type { Tensor } from './gen/locscope/v1/tensor.js';

/** One batch element; no interventions is the clean run. */
export function variant(name: string, ...interventions: Intervention[]): Variant {
  return { name, interventions };
}

/** Replace these flat visual-token indices with zeros, or with a stored mean embedding. */
export function ablateVisualTokens(tokens: Iterable<number>, meanEmbedding?: string): Intervention {
  const positions = { flat: [...tokens], coordinates: [] };
  const value = meanEmbedding === undefined ? { $case: 'zero' as const, value: true } : { $case: 'meanEmbedding' as const, value: meanEmbedding };
  return { kind: { $case: 'replace', value: { positions, value } } };
}

/** In these layers, positions of the `queries` span cannot attend to these visual tokens. */
export function knockOutLayers(layers: Iterable<number>, keys: Iterable<number>, queries: TextSpan = TextSpan.TEXT_SPAN_AFTER_IMAGE): Intervention {
  return {
    kind: {
      $case: 'knockout',
      value: {
        layers: [...layers],
        queries: { span: queries, explicit: [] },
        keys: { span: TextSpan.TEXT_SPAN_UNSPECIFIED, visual: { flat: [...keys], coordinates: [] }, explicit: [] },
      },
    },
  };
}

const heads = (list: Iterable<[number, number]>): LayerHead[] => [...list].map(([layer, head]) => ({ layer, head }));
const spanPositions = (span: TextSpan): Positions | undefined => (span === TextSpan.TEXT_SPAN_UNSPECIFIED ? undefined : { span, explicit: [] });

/** Zero these (layer, head) outputs, at every position unless a span is given. */
export function ablateHeads(list: Iterable<[number, number]>, span: TextSpan = TextSpan.TEXT_SPAN_UNSPECIFIED): Intervention {
  return { kind: { $case: 'ablate', value: { heads: heads(list), positions: spanPositions(span) } } };
}

export type PatchSource = { sourceImage: Buffer } | { sourceRun: string } | { values: Tensor };

/**
 * Replace these heads' outputs with a source's: the same prompt on another (encoded) image, a
 * stored run, or inline values [heads, T, head_dim].
 */
export function patchHeads(list: Iterable<[number, number]>, source: PatchSource, span: TextSpan = TextSpan.TEXT_SPAN_UNSPECIFIED): Intervention {
  const from =
    'sourceImage' in source
      ? { $case: 'sourceImage' as const, value: { source: { $case: 'encoded' as const, value: source.sourceImage } } }
      : 'sourceRun' in source
        ? { $case: 'sourceRun' as const, value: source.sourceRun }
        : { $case: 'values' as const, value: source.values };
  return { kind: { $case: 'patch', value: { heads: heads(list), positions: spanPositions(span), source: from } } };
}

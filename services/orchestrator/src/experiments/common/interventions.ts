// Interventions as data (inference.proto): small builders so experiments read as the paper's
// manipulations — remove tokens, move tokens, block attention, zero heads.
import { TextSpan, type Intervention, type LayerHead, type Variant } from '@locscope/proto/v1/inference';

/** How removed tokens are filled: a stored mean-embedding artifact, or zeros. */
export type Replacement = { kind: 'mean'; artifact: string } | { kind: 'zero' };

export function variant(name: string, interventions: Intervention[] = []): Variant {
  return { name, interventions };
}

/** Replace visual tokens (flat indices) with the mean embedding or zeros (paper §3.1). */
export function replaceTokens(flat: number[], replacement: Replacement): Intervention {
  const value = replacement.kind === 'mean' ? { $case: 'meanEmbedding' as const, value: replacement.artifact } : { $case: 'zero' as const, value: true };
  return { kind: { $case: 'replace', value: { positions: { flat, coordinates: [] }, value } } };
}

/** dst[i] ← src[i] over flat visual indices, read from the unmodified embeddings. */
export function moveTokens(moves: { dst: number; src: number }[]): Intervention {
  return { kind: { $case: 'move', value: { dst: moves.map((m) => m.dst), src: moves.map((m) => m.src) } } };
}

/** In `layers`, every position after the image cannot attend to the listed visual tokens (paper §3.3.1). */
export function knockout(layers: number[], keys: number[]): Intervention {
  return {
    kind: {
      $case: 'knockout',
      value: {
        layers,
        queries: { span: TextSpan.TEXT_SPAN_AFTER_IMAGE, explicit: [] },
        keys: { span: TextSpan.TEXT_SPAN_UNSPECIFIED, visual: { flat: keys, coordinates: [] }, explicit: [] },
      },
    },
  };
}

/** Zero the heads' outputs at every position (paper §3.3.3). */
export function ablateHeads(heads: LayerHead[]): Intervention {
  return { kind: { $case: 'ablate', value: { heads, positions: { span: TextSpan.TEXT_SPAN_ALL, explicit: [] } } } };
}

// The request enums of locscope.v1.Inference as the engine's domain values: the handler layer
// converts them here, so the engine never sees a wire enum (and an unknown value fails naming its
// field before any work).
import { AttributionBaseline, TokenMaskMode } from '@locscope/proto/v1/inference';
import { InvalidArgumentError } from '@locscope/server-kit';
import type { AttributionBaselineSpec } from './attribution-run.ts';
import type { TokenMaskPolicy } from './token-mask.ts';

export function tokenMaskPolicy(mode: TokenMaskMode, flags: boolean[]): TokenMaskPolicy {
  switch (mode) {
    case TokenMaskMode.TOKEN_MASK_MODE_UNSPECIFIED:
      return { kind: 'answer' };
    case TokenMaskMode.TOKEN_MASK_MODE_ALL:
      return { kind: 'all' };
    case TokenMaskMode.TOKEN_MASK_MODE_EXPLICIT:
      return { kind: 'explicit', flags };
    default:
      throw new InvalidArgumentError(`unknown mask mode ${mode}`, { field: 'mask_mode' });
  }
}

export function attributionBaselineSpec(kind: AttributionBaseline, meanEmbedding: string): AttributionBaselineSpec {
  switch (kind) {
    case AttributionBaseline.ATTRIBUTION_BASELINE_UNSPECIFIED:
    case AttributionBaseline.ATTRIBUTION_BASELINE_ZERO:
      return { kind: 'zero' };
    case AttributionBaseline.ATTRIBUTION_BASELINE_MEAN_EMBEDDING:
      if (!meanEmbedding) throw new InvalidArgumentError('is required for ATTRIBUTION_BASELINE_MEAN_EMBEDDING', { field: 'mean_embedding' });
      return { kind: 'mean-embedding', name: meanEmbedding };
    default:
      throw new InvalidArgumentError(`unknown baseline ${kind as number}`, { field: 'baseline' });
  }
}

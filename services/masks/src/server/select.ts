// The token selections that need no mask: random k, register tokens, top-k by score.
import { decodeFloat32 } from '@locscope/proto';
import type {
  SelectRandomRequest,
  SelectRandomResponse,
  SelectRegisterTokensRequest,
  SelectRegisterTokensResponse,
  SelectTopKRequest,
  SelectTopKResponse,
} from '@locscope/proto/v1/masks';
import { randomTokens } from '../selection/random.ts';
import { registerTokens, topKTokens } from '../selection/scores.ts';
import { layoutOf } from './grid-spec.ts';

export async function handleSelectRandom(request: SelectRandomRequest): Promise<SelectRandomResponse> {
  const layout = layoutOf(request.grid);
  return { indices: randomTokens(layout.tokenCount, request.k, request.seed, { exclude: request.exclude }) };
}

export async function handleSelectRegisterTokens(request: SelectRegisterTokensRequest): Promise<SelectRegisterTokensResponse> {
  const norms = decodeFloat32(request.norms, 'norms', { shape: [-1] });
  return registerTokens(norms, 'norms');
}

export async function handleSelectTopK(request: SelectTopKRequest): Promise<SelectTopKResponse> {
  const scores = decodeFloat32(request.scores, 'scores', { shape: [-1] });
  return { indices: topKTokens(scores, request.k, 'scores') };
}

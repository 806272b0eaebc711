// Perplexity: masked teacher-forced perplexity per sequence, with an explicit or a default mask.
import { decodeFloat32, decodeUint8 } from '@locscope/proto';
import { DType } from '@locscope/proto/v1/tensor';
import { TokenMaskKind, type PerplexityRequest, type PerplexityResponse, type TeacherForcedSequence } from '@locscope/proto/v1/metrics';
import { InvalidArgumentError } from '@locscope/server-kit';
import { answerWordMask, boxAnswerMask, maskedPerplexity } from '@locscope/perplexity';
import { withFieldPrefix } from './field-prefix.ts';

function maskOf(sequence: TeacherForcedSequence, length: number, field: string): boolean[] {
  const needTokens = () => {
    if (sequence.tokens.length !== length) {
      throw new InvalidArgumentError(`${sequence.tokens.length} tokens for ${length} log-probs`, { field: `${field}.tokens` });
    }
    return sequence.tokens;
  };
  switch (sequence.maskKind) {
    case TokenMaskKind.TOKEN_MASK_KIND_ALL:
      return new Array<boolean>(length).fill(true);
    case TokenMaskKind.TOKEN_MASK_KIND_BOX_ANSWER:
      return boxAnswerMask(needTokens());
    case TokenMaskKind.TOKEN_MASK_KIND_ANSWER_WORD:
      return withFieldPrefix(field, () => answerWordMask(needTokens()));
    case TokenMaskKind.TOKEN_MASK_KIND_UNSPECIFIED:
      if (!sequence.mask) throw new InvalidArgumentError('required unless mask_kind is set', { field: `${field}.mask` });
      return Array.from(decodeUint8(sequence.mask, `${field}.mask`, { shape: [length] }), (v) => v !== 0);
    default:
      throw new InvalidArgumentError(`unknown mask kind ${sequence.maskKind}`, { field: `${field}.mask_kind` });
  }
}

export async function perplexityHandler(request: PerplexityRequest): Promise<PerplexityResponse> {
  if (request.sequences.length === 0) throw new InvalidArgumentError('at least one sequence is required', { field: 'sequences' });
  const results = request.sequences.map((sequence, i) => {
    const field = `sequences[${i}]`;
    const logProbs = decodeFloat32(sequence.logProbs, `${field}.log_probs`, { shape: [-1] });
    const mask = maskOf(sequence, logProbs.length, field);
    const result = withFieldPrefix(field, () => maskedPerplexity(logProbs, mask));
    return {
      perplexity: result.perplexity,
      meanNll: result.meanNll,
      tokens: result.tokens,
      mask: { dtype: DType.D_TYPE_BOOL, shape: [mask.length], data: Buffer.from(mask.map(Number)) },
    };
  });
  return { results };
}

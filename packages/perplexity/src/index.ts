// Public surface of @locscope/perplexity: the perplexity of a teacher-forced target over a token
// mask (paper §3.3.2) and the default masks. Both the inference service (Score, HeadSweep) and the
// metrics service (Perplexity) compute it, so it lives below both.
export { maskedPerplexity, LOG_PROB_TOLERANCE, type Perplexity } from './perplexity.ts';
export { boxAnswerMask, answerWordMask, defaultAnswerMask, DEFAULT_ANSWER_WORDS } from './token-mask.ts';

// Reductions done in JS: the log-probability of one token from a logit row (log-softmax computed
// in float64 with the max subtracted, so no overflow for any finite logits) and row norms.

/** log softmax(row)[token] for row = logits[offset, offset + vocab). */
export function tokenLogProb(logits: Float32Array, offset: number, vocab: number, token: number): number {
  let max = -Infinity;
  for (let i = 0; i < vocab; i++) max = Math.max(max, logits[offset + i]);
  let sum = 0;
  for (let i = 0; i < vocab; i++) sum += Math.exp(logits[offset + i] - max);
  return logits[offset + token] - max - Math.log(sum);
}

/** L2 norm of each of `rows` consecutive vectors of length `width`. */
export function rowNorms(values: Float32Array, width: number): Float32Array {
  const rows = values.length / width;
  const norms = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let i = r * width; i < (r + 1) * width; i++) s += values[i] * values[i];
    norms[r] = Math.sqrt(s);
  }
  return norms;
}

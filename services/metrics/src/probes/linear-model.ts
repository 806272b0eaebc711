// The two probes of one layer (row and column) as one linear map: logits = W·x + b with W
// [R+C, dim], so one pass over a token's features yields both sets of logits.
//
// Speed (V8, no SIMD): every hot loop is a dot product over contiguous Float32Array memory with
// the sums kept in locals, blocked so that each loaded value feeds several multiply-adds (4 tokens
// × 2 classes in the forward pass, 2 dims × 4 classes in the gradient); no store in inner loops.

export interface LinearProbe {
  dim: number;
  gridRows: number;
  gridCols: number;
  /** gridRows + gridCols. */
  classes: number;
  /** [classes, dim] row-major. */
  weights: Float32Array;
  bias: Float32Array;
}

export function createProbe(dim: number, gridRows: number, gridCols: number): LinearProbe {
  const classes = gridRows + gridCols;
  return { dim, gridRows, gridCols, classes, weights: new Float32Array(dim * classes), bias: new Float32Array(classes) };
}

/** logits[n, classes] = x[n, dim] · Wᵀ + b for the first `n` tokens of `x`. */
export function forward(probe: LinearProbe, x: Float32Array, n: number, logits: Float32Array): void {
  const { dim, classes: k, weights: w, bias } = probe;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const x0 = i * dim, x1 = x0 + dim, x2 = x1 + dim, x3 = x2 + dim;
    let c = 0;
    for (; c + 2 <= k; c += 2) {
      const wa = c * dim, wb = wa + dim;
      let s0a = 0, s1a = 0, s2a = 0, s3a = 0, s0b = 0, s1b = 0, s2b = 0, s3b = 0;
      for (let d = 0; d < dim; d++) {
        const a = w[wa + d], b = w[wb + d];
        const v0 = x[x0 + d], v1 = x[x1 + d], v2 = x[x2 + d], v3 = x[x3 + d];
        s0a += v0 * a; s1a += v1 * a; s2a += v2 * a; s3a += v3 * a;
        s0b += v0 * b; s1b += v1 * b; s2b += v2 * b; s3b += v3 * b;
      }
      logits[i * k + c] = s0a + bias[c]; logits[(i + 1) * k + c] = s1a + bias[c];
      logits[(i + 2) * k + c] = s2a + bias[c]; logits[(i + 3) * k + c] = s3a + bias[c];
      logits[i * k + c + 1] = s0b + bias[c + 1]; logits[(i + 1) * k + c + 1] = s1b + bias[c + 1];
      logits[(i + 2) * k + c + 1] = s2b + bias[c + 1]; logits[(i + 3) * k + c + 1] = s3b + bias[c + 1];
    }
    for (; c < k; c++) for (let t = i; t < i + 4; t++) logits[t * k + c] = dot(x, t * dim, w, c * dim, dim) + bias[c];
  }
  for (; i < n; i++) for (let c = 0; c < k; c++) logits[i * k + c] = dot(x, i * dim, w, c * dim, dim) + bias[c];
}

function dot(a: Float32Array, ao: number, b: Float32Array, bo: number, length: number): number {
  let s = 0;
  for (let j = 0; j < length; j++) s += a[ao + j] * b[bo + j];
  return s;
}

/** Softmax over [from, to) of one token's logits, in place; returns log of the normalizer. */
function softmaxSegment(z: Float32Array, from: number, to: number): number {
  let max = -Infinity;
  for (let c = from; c < to; c++) if (z[c] > max) max = z[c];
  let sum = 0;
  for (let c = from; c < to; c++) {
    const e = Math.exp(z[c] - max);
    z[c] = e;
    sum += e;
  }
  for (let c = from; c < to; c++) z[c] /= sum;
  return max + Math.log(sum);
}

/**
 * Turns logits into the loss gradient dL/dz = softmax − onehot per segment (in place), for the
 * mean cross-entropy over `n` tokens of both axes; returns the summed cross-entropy.
 */
export function lossGradient(probe: LinearProbe, logits: Float32Array, rows: Int32Array, cols: Int32Array, n: number): number {
  const { gridRows: r, classes: k } = probe;
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const o = i * k;
    const rowTarget = logits[o + rows[i]];
    const colTarget = logits[o + r + cols[i]];
    loss += softmaxSegment(logits, o, o + r) - rowTarget;
    loss += softmaxSegment(logits, o + r, o + k) - colTarget;
    logits[o + rows[i]] -= 1;
    logits[o + r + cols[i]] -= 1;
  }
  const scale = 1 / n;
  for (let j = 0; j < n * k; j++) logits[j] *= scale;
  return loss;
}

/** Scratch for `backward`: the mini-batch and its gradient transposed, so sums run over tokens contiguously. */
export interface GradientScratch {
  xT: Float32Array;
  gT: Float32Array;
}

export function gradientScratch(probe: LinearProbe, batchSize: number): GradientScratch {
  return { xT: new Float32Array(probe.dim * batchSize), gT: new Float32Array(probe.classes * batchSize) };
}

/** gradW[classes, dim] = gᵀ · x and gradB = Σ g over the first `n` tokens (overwrites both). */
export function backward(
  probe: LinearProbe,
  x: Float32Array,
  g: Float32Array,
  n: number,
  gradW: Float32Array,
  gradB: Float32Array,
  scratch: GradientScratch,
): void {
  const { dim, classes: k } = probe;
  const { xT, gT } = scratch;
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < dim; d++) xT[d * n + i] = x[i * dim + d];
    for (let c = 0; c < k; c++) gT[c * n + i] = g[i * k + c];
  }
  for (let c = 0; c < k; c++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += gT[c * n + i];
    gradB[c] = s;
  }
  let d = 0;
  for (; d + 2 <= dim; d += 2) {
    const xa = d * n, xb = xa + n;
    let c = 0;
    for (; c + 4 <= k; c += 4) {
      const g0 = c * n, g1 = g0 + n, g2 = g1 + n, g3 = g2 + n;
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
      for (let i = 0; i < n; i++) {
        const va = xT[xa + i], vb = xT[xb + i];
        const h0 = gT[g0 + i], h1 = gT[g1 + i], h2 = gT[g2 + i], h3 = gT[g3 + i];
        a0 += va * h0; a1 += va * h1; a2 += va * h2; a3 += va * h3;
        b0 += vb * h0; b1 += vb * h1; b2 += vb * h2; b3 += vb * h3;
      }
      gradW[c * dim + d] = a0; gradW[(c + 1) * dim + d] = a1; gradW[(c + 2) * dim + d] = a2; gradW[(c + 3) * dim + d] = a3;
      gradW[c * dim + d + 1] = b0; gradW[(c + 1) * dim + d + 1] = b1; gradW[(c + 2) * dim + d + 1] = b2; gradW[(c + 3) * dim + d + 1] = b3;
    }
    for (; c < k; c++) {
      gradW[c * dim + d] = dot(xT, xa, gT, c * n, n);
      gradW[c * dim + d + 1] = dot(xT, xb, gT, c * n, n);
    }
  }
  for (; d < dim; d++) for (let c = 0; c < k; c++) gradW[c * dim + d] = dot(xT, d * n, gT, c * n, n);
}

/** Row and column predictions (argmax per segment) of one token's logits. */
export function predict(probe: LinearProbe, logits: Float32Array, token: number): [number, number] {
  const { gridRows: r, classes: k } = probe;
  const o = token * k;
  let bestRow = 0;
  for (let c = 1; c < r; c++) if (logits[o + c] > logits[o + bestRow]) bestRow = c;
  let bestCol = r;
  for (let c = r + 1; c < k; c++) if (logits[o + c] > logits[o + bestCol]) bestCol = c;
  return [bestRow, bestCol - r];
}

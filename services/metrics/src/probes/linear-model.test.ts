// The blocked kernels against the definition: logits by plain dot products, gradients by central
// finite differences of the loss.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../aggregate/rng.ts';
import { backward, createProbe, forward, gradientScratch, lossGradient } from './linear-model.ts';

function randomArray(length: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  return Float32Array.from({ length }, () => random.int(-1000, 1000) / 1000);
}

describe('linear probe kernels', () => {
  // Odd sizes exercise the remainder paths of every blocked loop.
  const [n, dim, rows, cols] = [7, 5, 3, 4];
  const probe = createProbe(dim, rows, cols);
  probe.weights.set(randomArray(probe.weights.length, 1));
  probe.bias.set(randomArray(probe.bias.length, 2));
  const x = randomArray(n * dim, 3);
  const rowLabels = Int32Array.from({ length: n }, (_, i) => i % rows);
  const colLabels = Int32Array.from({ length: n }, (_, i) => (i * 3) % cols);

  it('computes logits = W·x + b', () => {
    const logits = new Float32Array(n * probe.classes);
    forward(probe, x, n, logits);
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < probe.classes; c++) {
        let expected = probe.bias[c];
        for (let d = 0; d < dim; d++) expected += probe.weights[c * dim + d] * x[i * dim + d];
        expect(logits[i * probe.classes + c]).toBeCloseTo(expected, 5);
      }
    }
  });

  it('has gradients equal to finite differences of the mean cross-entropy', () => {
    const loss = () => {
      const logits = new Float32Array(n * probe.classes);
      forward(probe, x, n, logits);
      return lossGradient(probe, logits, rowLabels, colLabels, n) / n;
    };
    const logits = new Float32Array(n * probe.classes);
    forward(probe, x, n, logits);
    lossGradient(probe, logits, rowLabels, colLabels, n);
    const gradW = new Float32Array(probe.weights.length);
    const gradB = new Float32Array(probe.bias.length);
    backward(probe, x, logits, n, gradW, gradB, gradientScratch(probe, n));
    const h = 1e-2;
    for (const [params, grad] of [[probe.weights, gradW], [probe.bias, gradB]] as const) {
      for (let j = 0; j < params.length; j++) {
        const saved = params[j];
        params[j] = saved + h;
        const up = loss();
        params[j] = saved - h;
        const down = loss();
        params[j] = saved;
        expect(grad[j]).toBeCloseTo((up - down) / (2 * h), 3);
      }
    }
  });
});

// Adam (Kingma & Ba) over flat Float32Array parameters.

export interface AdamOptions {
  learningRate?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

export const DEFAULT_ADAM: Required<AdamOptions> = { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };

export class Adam {
  private readonly options: Required<AdamOptions>;
  private readonly m: Float32Array;
  private readonly v: Float32Array;
  private step = 0;

  constructor(
    private readonly params: Float32Array,
    options: AdamOptions = {},
  ) {
    this.options = { ...DEFAULT_ADAM, ...options };
    this.m = new Float32Array(params.length);
    this.v = new Float32Array(params.length);
  }

  update(grad: Float32Array): void {
    const { learningRate, beta1, beta2, epsilon } = this.options;
    this.step++;
    const stepSize = (learningRate * Math.sqrt(1 - beta2 ** this.step)) / (1 - beta1 ** this.step);
    const { params, m, v } = this;
    for (let j = 0; j < params.length; j++) {
      const g = grad[j];
      m[j] = beta1 * m[j] + (1 - beta1) * g;
      v[j] = beta2 * v[j] + (1 - beta2) * g * g;
      params[j] -= (stepSize * m[j]) / (Math.sqrt(v[j]) + epsilon);
    }
  }
}

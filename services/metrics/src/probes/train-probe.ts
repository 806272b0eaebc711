// Trains and evaluates the row/column position probes of one layer (paper §3.2) on a streamed
// source: a statistics pass (split sizes, per-dimension standardization), `epochs` passes of
// mini-batch Adam on the training split, and one evaluation pass on the held-out split.
import { CancelledError, InvalidArgumentError } from '@locscope/server-kit';
import { seededRandom } from '../aggregate/rng.ts';
import { Adam } from './adam.ts';
import { backward, createProbe, forward, gradientScratch, lossGradient, predict, type GradientScratch, type LinearProbe } from './linear-model.ts';
import { checkBatch, checkProbeShape, type ProbeBatch, type ProbeShape, type ProbeSource } from './probe-data.ts';
import { isHeldOut } from './split.ts';

export interface ProbeTrainingOptions {
  /** Passes over the training split (the paper trains for 10). */
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  /** Fraction of split keys held out for evaluation. */
  heldOutFraction?: number;
  seed?: number;
  /**
   * Standardize each feature dimension with the training split's mean and std. LLM hidden states
   * have a few dimensions orders of magnitude larger than the rest, which otherwise swamp SGD.
   */
  standardize?: boolean;
  signal?: AbortSignal;
}

export const DEFAULT_PROBE_TRAINING: Required<Omit<ProbeTrainingOptions, 'signal'>> = {
  epochs: 10,
  batchSize: 256,
  learningRate: 1e-3,
  heldOutFraction: 0.2,
  seed: 0,
  standardize: true,
};

export interface ProbeEvaluation {
  /** Held-out accuracy of the row probe. */
  rowAccuracy: number;
  colAccuracy: number;
  /** Both row and column right. */
  accuracy: number;
  /** [gridRows × gridCols] row-major: accuracy (both axes right) of the tokens at each position; NaN where none was held out. */
  positionAccuracy: Float64Array;
  /** Held-out tokens per position, same layout. */
  positionCounts: Int32Array;
  trainTokens: number;
  heldOutTokens: number;
  /** Mean cross-entropy (row + column) of each epoch. */
  epochLoss: number[];
  probe: LinearProbe;
}

interface Standardizer {
  mean: Float32Array;
  invStd: Float32Array;
}

/** Visits every token of one pass with its split; batches are validated on the way. */
async function eachBatch(
  source: ProbeSource,
  shape: ProbeShape,
  options: { seed: number; heldOutFraction: number; signal?: AbortSignal },
  visit: (batch: ProbeBatch, heldOut: Uint8Array, n: number) => void,
): Promise<void> {
  let index = 0;
  let offset = 0;
  for await (const batch of source()) {
    // Let the event loop breathe between batches (health checks, cancellation of a served call).
    await new Promise((resolve) => setImmediate(resolve));
    if (options.signal?.aborted) throw new CancelledError('probe training cancelled', { cause: options.signal.reason });
    const n = checkBatch(batch, shape, `batches[${index++}]`);
    const heldOut = new Uint8Array(n);
    for (let i = 0; i < n; i++) heldOut[i] = isHeldOut(batch.groups ? batch.groups[i] : offset + i, options.seed, options.heldOutFraction) ? 1 : 0;
    visit(batch, heldOut, n);
    offset += n;
  }
}

function checkOptions(shape: ProbeShape, o: Required<Omit<ProbeTrainingOptions, 'signal'>>): void {
  const positiveInt = (name: string, v: number) => {
    if (!Number.isInteger(v) || v < 1) throw new InvalidArgumentError(`must be a positive integer, got ${v}`, { field: name });
  };
  checkProbeShape(shape);
  positiveInt('epochs', o.epochs);
  positiveInt('batch_size', o.batchSize);
  if (!(o.learningRate > 0)) throw new InvalidArgumentError(`must be > 0, got ${o.learningRate}`, { field: 'learning_rate' });
  if (!(o.heldOutFraction > 0 && o.heldOutFraction < 1)) {
    throw new InvalidArgumentError(`must be in (0, 1), got ${o.heldOutFraction}`, { field: 'held_out_fraction' });
  }
}

export async function trainPositionProbe(source: ProbeSource, shape: ProbeShape, options: ProbeTrainingOptions = {}): Promise<ProbeEvaluation> {
  const o = { ...DEFAULT_PROBE_TRAINING, ...options };
  checkOptions(shape, o);
  const { dim, gridRows, gridCols } = shape;
  const passOptions = { seed: o.seed, heldOutFraction: o.heldOutFraction, signal: options.signal };

  // Statistics pass: split sizes, label variety, feature mean/variance over the training split.
  const sum = new Float64Array(dim);
  const sumSq = new Float64Array(dim);
  const rowsSeen = new Set<number>();
  const colsSeen = new Set<number>();
  let trainTokens = 0;
  let heldOutTokens = 0;
  await eachBatch(source, shape, passOptions, (batch, heldOut, n) => {
    for (let i = 0; i < n; i++) {
      if (heldOut[i]) {
        heldOutTokens++;
        continue;
      }
      trainTokens++;
      rowsSeen.add(batch.rows[i]);
      colsSeen.add(batch.cols[i]);
      const x = batch.features.subarray(i * dim, (i + 1) * dim);
      for (let d = 0; d < dim; d++) {
        sum[d] += x[d];
        sumSq[d] += x[d] * x[d];
      }
    }
  });
  if (trainTokens === 0 || heldOutTokens === 0) {
    throw new InvalidArgumentError(`split gave ${trainTokens} training and ${heldOutTokens} held-out tokens; both must be > 0`, { field: 'features' });
  }
  if (rowsSeen.size < 2) throw new InvalidArgumentError(`training split has a single row class (${[...rowsSeen]})`, { field: 'rows' });
  if (colsSeen.size < 2) throw new InvalidArgumentError(`training split has a single column class (${[...colsSeen]})`, { field: 'cols' });
  const standardizer = o.standardize ? standardizerFrom(sum, sumSq, trainTokens) : undefined;

  const probe = createProbe(dim, gridRows, gridCols);
  const trainer = new MiniBatchTrainer(probe, o.batchSize, o.learningRate);
  const random = seededRandom(o.seed);
  const epochLoss: number[] = [];
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    await eachBatch(source, shape, passOptions, (batch, heldOut, n) => {
      // Visit the batch's training tokens in a seeded random order (streams are often image-ordered).
      const order: number[] = [];
      for (let i = 0; i < n; i++) if (!heldOut[i]) order.push(i);
      for (let i = order.length - 1; i > 0; i--) {
        const j = random.int(0, i);
        [order[i], order[j]] = [order[j], order[i]];
      }
      for (const i of order) trainer.push(batch, i, standardizer);
    });
    trainer.flush();
    epochLoss.push(trainer.takeMeanLoss());
  }

  // Evaluation pass on the held-out split, in mini-batches like training.
  const evaluator = new HeldOutEvaluator(probe, o.batchSize);
  await eachBatch(source, shape, passOptions, (batch, heldOut, n) => {
    for (let i = 0; i < n; i++) if (heldOut[i]) evaluator.push(batch, i, standardizer);
  });
  evaluator.flush();
  const { positionCounts, positionCorrect, rowCorrect, colCorrect } = evaluator;
  const positionAccuracy = Float64Array.from(positionCorrect, (c, cell) => (positionCounts[cell] ? c / positionCounts[cell] : Number.NaN));
  const correct = positionCorrect.reduce((a, b) => a + b, 0);
  return {
    rowAccuracy: rowCorrect / heldOutTokens,
    colAccuracy: colCorrect / heldOutTokens,
    accuracy: correct / heldOutTokens,
    positionAccuracy,
    positionCounts,
    trainTokens,
    heldOutTokens,
    epochLoss,
    probe,
  };
}

function standardizerFrom(sum: Float64Array, sumSq: Float64Array, n: number): Standardizer {
  const mean = new Float32Array(sum.length);
  const invStd = new Float32Array(sum.length);
  for (let d = 0; d < sum.length; d++) {
    const mu = sum[d] / n;
    const variance = Math.max(0, sumSq[d] / n - mu * mu);
    mean[d] = mu;
    // A constant dimension carries no information; leave it at 0 instead of dividing by 0.
    invStd[d] = variance > 1e-12 ? 1 / Math.sqrt(variance) : 0;
  }
  return { mean, invStd };
}

function copyStandardized(features: Float32Array, token: number, dim: number, out: Float32Array, slot: number, s: Standardizer | undefined): void {
  const from = token * dim;
  const to = slot * dim;
  if (!s) {
    out.set(features.subarray(from, from + dim), to);
    return;
  }
  for (let d = 0; d < dim; d++) out[to + d] = (features[from + d] - s.mean[d]) * s.invStd[d];
}

/**
 * Collects standardized tokens across source batches into mini-batches of `batchSize` and hands
 * each full one (and the last, partial one, on flush) to `process` with its logits computed.
 */
abstract class TokenMiniBatches {
  protected readonly x: Float32Array;
  protected readonly rows: Int32Array;
  protected readonly cols: Int32Array;
  protected readonly logits: Float32Array;
  private count = 0;

  constructor(
    protected readonly probe: LinearProbe,
    private readonly batchSize: number,
  ) {
    this.x = new Float32Array(batchSize * probe.dim);
    this.rows = new Int32Array(batchSize);
    this.cols = new Int32Array(batchSize);
    this.logits = new Float32Array(batchSize * probe.classes);
  }

  push(batch: ProbeBatch, token: number, standardizer: Standardizer | undefined): void {
    copyStandardized(batch.features, token, this.probe.dim, this.x, this.count, standardizer);
    this.rows[this.count] = batch.rows[token];
    this.cols[this.count] = batch.cols[token];
    if (++this.count === this.batchSize) this.flush();
  }

  flush(): void {
    const n = this.count;
    if (n === 0) return;
    forward(this.probe, this.x, n, this.logits);
    this.process(n);
    this.count = 0;
  }

  /** The first `n` tokens of the buffers form a mini-batch whose logits are computed. */
  protected abstract process(n: number): void;
}

/** Takes one Adam step per mini-batch. */
class MiniBatchTrainer extends TokenMiniBatches {
  private readonly gradW: Float32Array;
  private readonly gradB: Float32Array;
  private readonly scratch: GradientScratch;
  private readonly adamW: Adam;
  private readonly adamB: Adam;
  private lossSum = 0;
  private lossTokens = 0;

  constructor(probe: LinearProbe, batchSize: number, learningRate: number) {
    super(probe, batchSize);
    this.gradW = new Float32Array(probe.weights.length);
    this.gradB = new Float32Array(probe.bias.length);
    this.scratch = gradientScratch(probe, batchSize);
    this.adamW = new Adam(probe.weights, { learningRate });
    this.adamB = new Adam(probe.bias, { learningRate });
  }

  protected process(n: number): void {
    this.lossSum += lossGradient(this.probe, this.logits, this.rows, this.cols, n);
    this.lossTokens += n;
    backward(this.probe, this.x, this.logits, n, this.gradW, this.gradB, this.scratch);
    this.adamW.update(this.gradW);
    this.adamB.update(this.gradB);
  }

  takeMeanLoss(): number {
    const mean = this.lossSum / this.lossTokens;
    this.lossSum = 0;
    this.lossTokens = 0;
    return mean;
  }
}

/** Scores held-out tokens in mini-batches: per-axis hits and per-position joint hits. */
class HeldOutEvaluator extends TokenMiniBatches {
  readonly positionCounts: Int32Array;
  readonly positionCorrect: Int32Array;
  rowCorrect = 0;
  colCorrect = 0;

  constructor(probe: LinearProbe, batchSize: number) {
    super(probe, batchSize);
    this.positionCounts = new Int32Array(probe.gridRows * probe.gridCols);
    this.positionCorrect = new Int32Array(probe.gridRows * probe.gridCols);
  }

  protected process(n: number): void {
    for (let t = 0; t < n; t++) {
      const [row, col] = predict(this.probe, this.logits, t);
      const cell = this.rows[t] * this.probe.gridCols + this.cols[t];
      this.positionCounts[cell]++;
      if (row === this.rows[t]) this.rowCorrect++;
      if (col === this.cols[t]) this.colCorrect++;
      if (row === this.rows[t] && col === this.cols[t]) this.positionCorrect[cell]++;
    }
  }
}

// Position-probe training throughput for `npm run bench`: one layer's row/column probes on a
// synthetic linearly decodable position code at LLM-like width (1024 dims, LLaVA's 24×24 grid).
import { syntheticPositionCode } from '../src/probes/synthetic-code.ts';
import { trainPositionProbe } from '../src/probes/train-probe.ts';

export interface ProbeBenchOptions {
  dim?: number;
  gridRows?: number;
  gridCols?: number;
  /** Images of gridRows × gridCols tokens each. */
  images?: number;
  epochs?: number;
  batchSize?: number;
}

export const DEFAULT_PROBE_BENCH: Required<ProbeBenchOptions> = { dim: 1024, gridRows: 24, gridCols: 24, images: 40, epochs: 2, batchSize: 256 };

export interface ProbeBenchResult {
  /** Training tokens × epochs per second of the whole call (statistics, training and evaluation passes). */
  probe_tokens_per_s: number;
  /** Extrapolated time of one epoch over 10⁶ tokens at this rate. */
  probe_s_per_epoch_1m_tokens: number;
  probe_dim: number;
  probe_classes: number;
  probe_train_tokens: number;
  probe_epochs: number;
  probe_seconds: number;
  probe_held_out_accuracy: number;
}

export async function benchProbes(options: ProbeBenchOptions = {}): Promise<ProbeBenchResult> {
  const o = { ...DEFAULT_PROBE_BENCH, ...options };
  const shape = { dim: o.dim, gridRows: o.gridRows, gridCols: o.gridCols };
  const source = syntheticPositionCode({ ...shape, images: o.images, imagesPerBatch: 4, noise: 4, seed: 1 });
  const started = performance.now();
  const result = await trainPositionProbe(source, shape, { epochs: o.epochs, batchSize: o.batchSize, learningRate: 3e-3 });
  const seconds = (performance.now() - started) / 1000;
  const rate = (result.trainTokens * o.epochs) / seconds;
  return {
    probe_tokens_per_s: rate,
    probe_s_per_epoch_1m_tokens: 1e6 / rate,
    probe_dim: o.dim,
    probe_classes: o.gridRows + o.gridCols,
    probe_train_tokens: result.trainTokens,
    probe_epochs: o.epochs,
    probe_seconds: seconds,
    probe_held_out_accuracy: result.accuracy,
  };
}

// Per-request cost limits of the metrics service, with named defaults that fit its pod
// (deploy/k8s/metrics.yaml: 2 GiB memory limit, half a core requested). Requests are priced
// against them (request-cost.ts) before any work starts.
import { readLimitOptions } from '@locscope/server-kit';

export interface MetricsLimits {
  /** Bootstrap resamples of one Summarize (each keeps one float64 mean; the paper uses 1000). */
  maxResamples: number;
  /** Random draws of one Summarize: resamples × values, once overall and once per breakdown. */
  maxBootstrapDraws: number;
  /** Feature width of a position probe (LLM hidden sizes are ≤ 16k). */
  maxProbeDim: number;
  /** Grid positions (rows × cols) of a position probe (the paper's largest grid is 24×24). */
  maxProbeGridCells: number;
  /** Bytes a probe's training state may take: weights, Adam moments, gradients, batch scratch. */
  maxProbeTrainingBytes: number;
  /** Passes over the data of one training call (the paper trains for 10). */
  maxProbeEpochs: number;
}

export const DEFAULT_METRICS_LIMITS: Readonly<MetricsLimits> = Object.freeze({
  maxResamples: 100_000,
  maxBootstrapDraws: 100_000_000,
  maxProbeDim: 16_384,
  maxProbeGridCells: 65_536,
  maxProbeTrainingBytes: 512 * 1024 * 1024,
  maxProbeEpochs: 1_000,
});

/**
 * `--max-resamples`, `--max-bootstrap-draws`, `--max-probe-dim`, `--max-probe-grid-cells`,
 * `--max-probe-training-bytes`, `--max-probe-epochs` (or LOCSCOPE_MAX_RESAMPLES, …) over the defaults.
 */
export function readMetricsLimits(argv: string[], env: NodeJS.ProcessEnv = process.env): MetricsLimits {
  const d = DEFAULT_METRICS_LIMITS;
  return readLimitOptions(argv, env, {
    maxResamples: { flag: 'max-resamples', env: 'LOCSCOPE_MAX_RESAMPLES', fallback: d.maxResamples },
    maxBootstrapDraws: { flag: 'max-bootstrap-draws', env: 'LOCSCOPE_MAX_BOOTSTRAP_DRAWS', fallback: d.maxBootstrapDraws },
    maxProbeDim: { flag: 'max-probe-dim', env: 'LOCSCOPE_MAX_PROBE_DIM', fallback: d.maxProbeDim },
    maxProbeGridCells: { flag: 'max-probe-grid-cells', env: 'LOCSCOPE_MAX_PROBE_GRID_CELLS', fallback: d.maxProbeGridCells },
    maxProbeTrainingBytes: { flag: 'max-probe-training-bytes', env: 'LOCSCOPE_MAX_PROBE_TRAINING_BYTES', fallback: d.maxProbeTrainingBytes },
    maxProbeEpochs: { flag: 'max-probe-epochs', env: 'LOCSCOPE_MAX_PROBE_EPOCHS', fallback: d.maxProbeEpochs },
  });
}

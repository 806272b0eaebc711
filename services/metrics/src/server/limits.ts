// Per-request cost limits of the metrics service, with named defaults that fit its pod
// (deploy/k8s/metrics.yaml: 2 GiB memory limit, half a core requested). Requests are priced
// against them (request-cost.ts) before any work starts.
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

// The cost model of the metrics RPCs that do unbounded work: the bootstrap of Summarize and the
// position probes. Each request is priced from its sizes alone and refused with
// RESOURCE_EXHAUSTED, naming the field and the limit, before anything is allocated (issue 13:
// resamples = 2³¹−1 allocated ~18 GB; a huge batch size or grid ended INTERNAL).
import type { ProbeTraining, SummarizeRequest } from '@locscope/proto/v1/metrics';
import { ResourceExhaustedError } from '@locscope/server-kit';
import { DEFAULT_BOOTSTRAP } from '../aggregate/bootstrap.ts';
import type { ProbeShape } from '../probes/probe-data.ts';
import { DEFAULT_PROBE_TRAINING } from '../probes/train-probe.ts';
import type { MetricsLimits } from './limits.ts';

function refuse(cost: string, limit: number, flag: string, field: string): never {
  throw new ResourceExhaustedError(`${cost} exceeds the server's limit of ${limit} (${flag})`, { field });
}

export function checkSummarizeCost(request: SummarizeRequest, limits: MetricsLimits): void {
  const resamples = request.resamples ?? DEFAULT_BOOTSTRAP.resamples;
  if (resamples > limits.maxResamples) refuse(`${resamples} resamples`, limits.maxResamples, 'max-resamples', 'resamples');
  // Breakdowns bootstrap every value once more (each value is in one group / one bucket).
  const passes = 1 + (request.groupKeys.length > 0 ? 1 : 0) + (request.objectAreas.length > 0 ? 1 : 0);
  const draws = Math.max(0, resamples) * request.values.length * passes;
  if (draws > limits.maxBootstrapDraws) {
    refuse(`${resamples} resamples × ${request.values.length} values × ${passes} (overall + breakdowns) = ${draws} draws`, limits.maxBootstrapDraws, 'max-bootstrap-draws', 'resamples');
  }
}

/** Field names of the probe's shape in the request being priced. */
export interface ProbeShapeFields {
  dim: string;
  gridRows: string;
}

/** A probe's feature width and grid against the limits (shape already validated). */
export function checkProbeShapeCost(shape: ProbeShape, limits: MetricsLimits, fields: ProbeShapeFields): void {
  if (shape.dim > limits.maxProbeDim) refuse(`a feature width of ${shape.dim}`, limits.maxProbeDim, 'max-probe-dim', fields.dim);
  const cells = shape.gridRows * shape.gridCols;
  if (cells > limits.maxProbeGridCells) refuse(`a ${shape.gridRows}×${shape.gridCols} grid`, limits.maxProbeGridCells, 'max-probe-grid-cells', fields.gridRows);
}

/**
 * Float32 bytes a training run holds: weights, their gradient and two Adam moments
 * ([dim, rows + cols] each), the mini-batch and its transposes, the per-position evaluation.
 */
export function probeTrainingBytes(shape: ProbeShape, batchSize: number): number {
  const classes = shape.gridRows + shape.gridCols;
  return 4 * (4 * shape.dim * classes + 2 * batchSize * (shape.dim + classes) + 2 * batchSize) + 12 * shape.gridRows * shape.gridCols + 16 * shape.dim;
}

/** Shape, epochs and batch size of one training call; `training` is the request's field name. */
export function checkProbeTrainingCost(shape: ProbeShape, training: ProbeTraining | undefined, limits: MetricsLimits, fields: ProbeShapeFields): void {
  checkProbeShapeCost(shape, limits, fields);
  const epochs = training?.epochs ?? DEFAULT_PROBE_TRAINING.epochs;
  if (epochs > limits.maxProbeEpochs) refuse(`${epochs} epochs`, limits.maxProbeEpochs, 'max-probe-epochs', 'training.epochs');
  const batchSize = Math.max(1, training?.batchSize ?? DEFAULT_PROBE_TRAINING.batchSize);
  const bytes = probeTrainingBytes(shape, batchSize);
  if (bytes > limits.maxProbeTrainingBytes) {
    const field = probeTrainingBytes(shape, 1) > limits.maxProbeTrainingBytes ? fields.dim : 'training.batch_size';
    refuse(`training state of ${bytes} bytes (dim ${shape.dim}, ${shape.gridRows}+${shape.gridCols} classes, batch ${batchSize})`, limits.maxProbeTrainingBytes, 'max-probe-training-bytes', field);
  }
}

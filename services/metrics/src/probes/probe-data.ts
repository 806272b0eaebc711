// Streamed training data of a position probe: batches of visual-token hidden states with the grid
// row and column of each token. Re-openable, because every epoch reads the stream again (10⁶
// tokens × 1k dims is 4 GB of float32, more than we want to hold).
import { InvalidArgumentError } from '@locscope/server-kit';

export interface ProbeBatch {
  /** [n, dim] row-major hidden states. */
  features: Float32Array;
  /** Grid row of each token, in [0, gridRows). */
  rows: Int32Array;
  /** Grid column of each token, in [0, gridCols). */
  cols: Int32Array;
  /**
   * Split key per token (e.g. the image index): tokens with the same key land in the same split,
   * so no image is seen in training and evaluation. Defaults to the token's index in the stream.
   */
  groups?: Int32Array;
}

/** Opens the stream from its start; called once per pass over the data. */
export type ProbeSource = () => AsyncIterable<ProbeBatch> | Iterable<ProbeBatch>;

export interface ProbeShape {
  dim: number;
  gridRows: number;
  gridCols: number;
}

/** A probe needs at least 2 classes per axis. */
export function checkGrid(gridRows: number, gridCols: number): void {
  for (const [name, v] of [['grid_rows', gridRows], ['grid_cols', gridCols]] as const) {
    if (!Number.isInteger(v) || v < 2) throw new InvalidArgumentError(`a probe needs at least 2 classes, got ${v}`, { field: name });
  }
}

export function checkProbeShape(shape: ProbeShape): void {
  if (!Number.isInteger(shape.dim) || shape.dim < 1) throw new InvalidArgumentError(`must be a positive integer, got ${shape.dim}`, { field: 'dim' });
  checkGrid(shape.gridRows, shape.gridCols);
}

/** Checks one batch against the probe's shape; errors name `field` (e.g. "batches[3]") and the entry. */
export function checkBatch(batch: ProbeBatch, shape: ProbeShape, field: string): number {
  const n = batch.rows.length;
  if (batch.features.length !== n * shape.dim) {
    throw new InvalidArgumentError(`${batch.features.length} values for ${n} tokens × ${shape.dim} dims`, { field: `${field}.features` });
  }
  if (batch.cols.length !== n) throw new InvalidArgumentError(`${batch.cols.length} columns for ${n} rows`, { field: `${field}.cols` });
  if (batch.groups && batch.groups.length !== n) {
    throw new InvalidArgumentError(`${batch.groups.length} groups for ${n} tokens`, { field: `${field}.groups` });
  }
  for (let i = 0; i < n; i++) {
    if (!(batch.rows[i] >= 0 && batch.rows[i] < shape.gridRows)) {
      throw new InvalidArgumentError(`row ${batch.rows[i]} outside [0, ${shape.gridRows})`, { field: `${field}.rows[${i}]` });
    }
    if (!(batch.cols[i] >= 0 && batch.cols[i] < shape.gridCols)) {
      throw new InvalidArgumentError(`column ${batch.cols[i]} outside [0, ${shape.gridCols})`, { field: `${field}.cols[${i}]` });
    }
  }
  for (let i = 0; i < batch.features.length; i++) {
    if (!Number.isFinite(batch.features[i])) {
      throw new InvalidArgumentError(`non-finite value at token ${Math.floor(i / shape.dim)}, dim ${i % shape.dim}`, { field: `${field}.features` });
    }
  }
  return n;
}

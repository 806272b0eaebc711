// Position-probe RPCs: TrainPositionProbe (data in the request, handed to the trainer in chunks so
// the event loop stays responsive) and the session RPCs for data larger than one message.
import { decodeFloat32, float32Tensor, int32Tensor } from '@locscope/proto';
import type {
  AppendProbeFeaturesRequest,
  AppendProbeFeaturesResponse,
  CreateProbeSessionRequest,
  CreateProbeSessionResponse,
  DeleteProbeSessionRequest,
  DeleteProbeSessionResponse,
  ProbeFeatures,
  ProbeResult,
  ProbeTraining,
  TrainPositionProbeRequest,
  TrainPositionProbeResponse,
  TrainProbeSessionRequest,
  TrainProbeSessionResponse,
} from '@locscope/proto/v1/metrics';
import { InvalidArgumentError, type CallContext } from '@locscope/server-kit';
import { checkBatch, checkGrid, checkProbeShape, type ProbeBatch, type ProbeShape } from '../probes/probe-data.ts';
import { trainPositionProbe, type ProbeEvaluation, type ProbeTrainingOptions } from '../probes/train-probe.ts';
import type { MetricsLimits } from './limits.ts';
import type { ProbeSessionStore } from './probe-sessions.ts';
import { checkProbeTrainingCost } from './request-cost.ts';

/** Tokens per chunk handed to the trainer. */
export const PROBE_CHUNK_TOKENS = 4096;

function labels(values: number[], n: number, field: string): Int32Array {
  if (values.length !== n) throw new InvalidArgumentError(`${values.length} labels for ${n} feature rows`, { field });
  return Int32Array.from(values);
}

/** Decodes a ProbeFeatures message and checks it against the probe's shape. */
function decodeBatch(data: ProbeFeatures | undefined, field: string, shape: ProbeShape): ProbeBatch {
  if (!data) throw new InvalidArgumentError('required', { field });
  const dims = data.features?.shape ?? [];
  if (dims.length !== 2 || dims[1] !== shape.dim) {
    throw new InvalidArgumentError(`expected shape [tokens, ${shape.dim}], got [${dims.join(', ')}]`, { field: `${field}.features` });
  }
  const n = dims[0];
  const batch: ProbeBatch = {
    features: decodeFloat32(data.features, `${field}.features`),
    rows: labels(data.rows, n, `${field}.rows`),
    cols: labels(data.cols, n, `${field}.cols`),
  };
  if (data.groups.length > 0) batch.groups = labels(data.groups, n, `${field}.groups`);
  checkBatch(batch, shape, field);
  return batch;
}

function trainingOptions(training: ProbeTraining | undefined, signal?: AbortSignal): ProbeTrainingOptions {
  const options: ProbeTrainingOptions = signal ? { signal } : {};
  if (!training) return options;
  for (const key of ['epochs', 'batchSize', 'learningRate', 'heldOutFraction', 'seed', 'standardize'] as const) {
    if (training[key] !== undefined) (options as Record<string, unknown>)[key] = training[key];
  }
  return options;
}

function resultToProto(result: ProbeEvaluation): ProbeResult {
  const grid = [result.probe.gridRows, result.probe.gridCols];
  return {
    rowAccuracy: result.rowAccuracy,
    colAccuracy: result.colAccuracy,
    accuracy: result.accuracy,
    positionAccuracy: float32Tensor(Float32Array.from(result.positionAccuracy), grid),
    positionCounts: int32Tensor(result.positionCounts, grid),
    trainTokens: result.trainTokens,
    heldOutTokens: result.heldOutTokens,
    epochLoss: result.epochLoss,
  };
}

/**
 * TrainPositionProbe, priced against `limits` before its data is decoded. It runs in a worker
 * thread (worker-tasks.ts), which cancellation terminates: the trainer gets no signal.
 */
export async function trainPositionProbeRequest(request: TrainPositionProbeRequest, limits: MetricsLimits): Promise<TrainPositionProbeResponse> {
  const dims = request.data?.features?.shape ?? [];
  const shape = { dim: dims.length === 2 ? dims[1] : 0, gridRows: request.gridRows, gridCols: request.gridCols };
  // Grid first: with a bad grid every label would look out of range.
  checkGrid(request.gridRows, request.gridCols);
  checkProbeTrainingCost(shape, request.training, limits, { dim: 'data.features', gridRows: 'grid_rows' });
  const batch = decodeBatch(request.data, 'data', shape);
  const n = batch.rows.length;
  const groups = batch.groups ?? Int32Array.from({ length: n }, (_, i) => i);
  const chunks: ProbeBatch[] = [];
  for (let from = 0; from < n; from += PROBE_CHUNK_TOKENS) {
    const to = Math.min(n, from + PROBE_CHUNK_TOKENS);
    const features = batch.features.subarray(from * shape.dim, to * shape.dim);
    chunks.push({ features, rows: batch.rows.subarray(from, to), cols: batch.cols.subarray(from, to), groups: groups.subarray(from, to) });
  }
  const result = await trainPositionProbe(() => chunks, shape, trainingOptions(request.training));
  return { result: resultToProto(result) };
}

export function probeSessionHandlers(store: ProbeSessionStore, limits: MetricsLimits) {
  const sessionFields = { dim: 'dim', gridRows: 'grid_rows' };
  return {
    createProbeSession: async (request: CreateProbeSessionRequest, call: CallContext): Promise<CreateProbeSessionResponse> => {
      const shape = { dim: request.dim, gridRows: request.gridRows, gridCols: request.gridCols };
      checkProbeShape(shape);
      // A session that could not be trained with the default settings is refused before it spills anything.
      checkProbeTrainingCost(shape, undefined, limits, sessionFields);
      return { sessionId: await store.create(shape, call.owner) };
    },
    appendProbeFeatures: async (request: AppendProbeFeaturesRequest, call: CallContext): Promise<AppendProbeFeaturesResponse> => {
      const batch = decodeBatch(request.data, 'data', store.shapeOf(request.sessionId, call.owner));
      return { tokens: await store.append(request.sessionId, call.owner, batch, 'data') };
    },
    trainProbeSession: async (request: TrainProbeSessionRequest, call: CallContext): Promise<TrainProbeSessionResponse> => {
      checkProbeTrainingCost(store.shapeOf(request.sessionId, call.owner), request.training, limits, sessionFields);
      const result = await store.use(request.sessionId, call.owner, (file) => trainPositionProbe(file.source(PROBE_CHUNK_TOKENS), file.shape, trainingOptions(request.training, call.signal)));
      return { result: resultToProto(result) };
    },
    deleteProbeSession: async (request: DeleteProbeSessionRequest, call: CallContext): Promise<DeleteProbeSessionResponse> => {
      await store.delete(request.sessionId, call.owner);
      return {};
    },
  };
}

// onnxruntime sessions over graphs built in memory whose weights are external data inside the
// checkpoint directory, and a cache of them by graph-variant key (built and loaded once each).
import { availableParallelism } from 'node:os';
import * as ort from 'onnxruntime-node';
import { promoteToFloat64 } from '../onnx/float64.ts';
import type { PreparedWeights } from '../onnx/prepared-weights.ts';

export type ExecutionProvider = 'cpu' | 'cuda';

export interface SessionSettings {
  executionProvider: ExecutionProvider;
  /** Threads per operator (default: every core the process may use). */
  intraOpNumThreads?: number;
  /**
   * 'float64' promotes every (float32) graph to double precision behind its float32 interface
   * (parity runs); 'float32' and 'float16' graphs are built in their dtype and loaded as they are.
   */
  precision?: Precision;
  /**
   * Let onnxruntime repack weight matrices for its MatMul kernels: each session then holds its own
   * repacked copy of every weight (memory × graph variants). Off: MatMuls read the mapped prepared
   * weight files, which all sessions of a model share.
   */
  prepackWeights?: boolean;
}

/** A model's compute precision (see LoadModelOptions.precision). */
export type Precision = 'float32' | 'float16' | 'float64';

// onnxruntime-node's own default ran single-threaded here (2 cores: 233 ms vs 159 ms for one
// 607-token forward of the bench model), so the thread count is set explicitly.
export const DEFAULT_SESSION_SETTINGS: SessionSettings = { executionProvider: 'cpu', intraOpNumThreads: availableParallelism() };

export class SessionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SessionError';
  }
}

/** Creates a session for model bytes whose external-data locations are relative to `weightsDir`. */
export async function createSession(name: string, bytes: Uint8Array, weightsDir: string, settings: SessionSettings): Promise<ort.InferenceSession> {
  const options: ort.InferenceSession.SessionOptions = {
    executionProviders: settings.executionProvider === 'cuda' ? ['cuda', 'cpu'] : ['cpu'],
    // Extended fusions emit float-only contrib ops (QuickGelu, …) even over double tensors, so
    // float64 graphs get the basic level (constant folding, no fusions).
    graphOptimizationLevel: settings.precision === 'float64' ? 'basic' : 'all',
    extra: {
      session: {
        // Resolves the external data of an in-memory model (onnxruntime ≥ 1.19 session config key).
        model_external_initializers_file_folder_path: weightsDir,
        disable_prepacking: settings.prepackWeights ? '0' : '1',
      },
    },
  };
  if (settings.intraOpNumThreads !== undefined) options.intraOpNumThreads = settings.intraOpNumThreads;
  try {
    return await ort.InferenceSession.create(settings.precision === 'float64' ? promoteToFloat64(bytes) : bytes, options);
  } catch (error) {
    throw new SessionError(`graph ${name}: onnxruntime could not load it: ${(error as Error).message}`, { cause: error });
  }
}

/** Builds and loads each graph variant once; concurrent requests for one key share the promise. */
export class SessionCache {
  private readonly sessions = new Map<string, Promise<ort.InferenceSession>>();

  constructor(
    private readonly weights: PreparedWeights,
    private readonly settings: SessionSettings,
  ) {}

  /** The session of graph `key`; `build` builds it over this cache's weights (whose files are written before the session loads). */
  get(key: string, build: () => Uint8Array): Promise<ort.InferenceSession> {
    let session = this.sessions.get(key);
    if (!session) {
      session = Promise.resolve().then(async () => {
        const bytes = build();
        await this.weights.flush();
        return createSession(key, bytes, this.weights.dir, this.settings);
      });
      this.sessions.set(key, session);
      // A failed build must not poison the cache for a later retry.
      session.catch(() => this.sessions.delete(key));
    }
    return session;
  }

  get size(): number {
    return this.sessions.size;
  }

  async dispose(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.allSettled(all.map(async (s) => (await s).release()));
  }
}

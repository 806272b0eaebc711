// onnxruntime sessions over graphs built in memory whose weights are external data inside the
// checkpoint directory, and a cache of them by graph-variant key (built and loaded once each).
import { availableParallelism } from 'node:os';
import * as ort from 'onnxruntime-node';
import { promoteToFloat64 } from '@locscope/onnx-graph';
import { ModelProto } from '@locscope/onnx-graph/onnx';
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
   * repacked copy of every weight it uses. Off: MatMuls read the mapped prepared weight files,
   * which all sessions of a model share.
   */
  prepackWeights?: boolean;
}

/** A model's compute precision (see LoadModelOptions.precision). */
export type Precision = 'float32' | 'float16' | 'float64';

/** Per-graph session choices that differ from the model's settings. */
export interface GraphSessionOptions {
  /**
   * Free each run's activations when it ends instead of keeping them in onnxruntime's CPU arena
   * and memory-pattern block. For graphs whose runs need gigabytes (the attribution graph): with
   * both kept, Attribute with 256 steps on the demo model left RSS at 5.2 GB after one call and
   * 10.2 GB after two (the arena, then a second block when the pattern was replayed), for good.
   */
  releaseActivations?: boolean;
  /**
   * onnxruntime's constant folding (default: on, but off for float16 models on the CPU, see
   * createSession). Off for graphs that cast float16 weights to
   * float32 as they use them: folded, each Cast would become a private float32 copy of its weight.
   * Off also means the basic optimization level: an extended-level optimizer folds a Cast of an
   * initializer too (checked on onnxruntime's optimized model output), constant folding disabled or not.
   */
  foldConstants?: boolean;
}

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
export async function createSession(
  name: string,
  bytes: Uint8Array,
  weightsDir: string,
  settings: SessionSettings,
  graph: GraphSessionOptions = {},
): Promise<ort.InferenceSession> {
  // onnxruntime's CPU provider has no float16 MatMul kernel here: it wraps each one in Casts to
  // float32. Folded, the Cast of a weight becomes a private float32 copy of it (a float16 7B model
  // then needs 28 GB); unfolded, the weight files stay mapped and each MatMul converts its weight
  // as it runs (bench model, one forward: +106 MB anonymous with all 80 MB of float16 weights
  // mapped, against +101 MB with only 48 MB mapped and the rest copied when folded).
  const foldConstants = graph.foldConstants ?? !(settings.precision === 'float16' && settings.executionProvider === 'cpu');
  const options: ort.InferenceSession.SessionOptions = {
    executionProviders: settings.executionProvider === 'cuda' ? ['cuda', 'cpu'] : ['cpu'],
    // Extended fusions emit float-only contrib ops (QuickGelu, …) even over double tensors, so
    // float64 graphs get the basic level (constant folding, no fusions).
    graphOptimizationLevel: settings.precision === 'float64' || !foldConstants ? 'basic' : 'all',
    extra: {
      session: {
        // Resolves the external data of an in-memory model (onnxruntime ≥ 1.19 session config key).
        model_external_initializers_file_folder_path: weightsDir,
        disable_prepacking: settings.prepackWeights ? '0' : '1',
      },
      ...(!foldConstants ? { optimization: { disable_specified_optimizers: 'ConstantFolding' } } : {}),
    },
  };
  if (settings.intraOpNumThreads !== undefined) options.intraOpNumThreads = settings.intraOpNumThreads;
  if (graph.releaseActivations) {
    options.enableCpuMemArena = false;
    options.enableMemPattern = false;
  } else if (!foldConstants) {
    // The same unfolded Casts make every run allocate a float32 copy of each weight it multiplies
    // by. Without memory patterns (one planned block per input shape) the bench model in float16
    // peaked at 1,927 MB instead of 2,648 MB at the same speed (InternVL-8B: 9.5 and 12.6 GB of
    // anonymous memory after Capture and Generate either way, what the arena keeps). The arena
    // stays: without it every run page-faults its copies in afresh (bench model, back to back at
    // load 3: decode 36 → 4.4 tokens/s with both off, 35.8 with patterns off).
    options.enableMemPattern = false;
  }
  try {
    return await ort.InferenceSession.create(settings.precision === 'float64' ? promoteToFloat64(bytes) : bytes, options);
  } catch (error) {
    throw new SessionError(`graph ${name}: onnxruntime could not load it: ${(error as Error).message}`, { cause: error });
  }
}

/** Builds and loads each graph once; concurrent requests for one key share the promise. */
export class SessionCache {
  private readonly sessions = new Map<string, Promise<ort.InferenceSession>>();
  /** Initializer names of each built graph (what its session holds), by key. */
  private readonly initializers = new Map<string, readonly string[]>();

  constructor(
    private readonly weights: PreparedWeights,
    private readonly settings: SessionSettings,
  ) {}

  /** The session of graph `key`; `build` builds it over this cache's weights (whose files are written before the session loads). */
  get(key: string, build: () => Uint8Array, graph: GraphSessionOptions = {}): Promise<ort.InferenceSession> {
    let session = this.sessions.get(key);
    if (!session) {
      session = Promise.resolve().then(async () => {
        const bytes = build();
        this.initializers.set(key, ModelProto.decode(bytes).graph?.initializer.map((t) => t.name) ?? []);
        await this.weights.flush();
        return createSession(key, bytes, this.weights.dir, this.settings, graph);
      });
      this.sessions.set(key, session);
      // A failed build must not poison the cache for a later retry.
      session.catch(() => {
        this.sessions.delete(key);
        this.initializers.delete(key);
      });
    }
    return session;
  }

  get size(): number {
    return this.sessions.size;
  }

  get keys(): string[] {
    return [...this.sessions.keys()];
  }

  /** Sessions built so far whose graph has an initializer `holds` accepts. */
  countHolding(holds: (initializer: string) => boolean): number {
    return [...this.initializers.values()].filter((names) => names.some(holds)).length;
  }

  async dispose(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    this.initializers.clear();
    await Promise.allSettled(all.map(async (s) => (await s).release()));
  }
}

// The locscope.v1.Masks registration for the server kit (health, reflection, tracing and
// error mapping come from the kit), and the starter the orchestrator and main.ts use.
import { apiDescriptorSet } from '@locscope/proto';
import { MasksService, type MasksServer } from '@locscope/proto/v1/masks';
import { service, startServer, WorkerPool, type CallContext, type Logger, type RunningServer, type ServiceConfig, type ServiceRegistration, type WorkerPoolOptions } from '@locscope/server-kit';
import { handleConvertBox } from './convert-box.ts';
import { DEFAULT_MASKS_LIMITS, type MasksLimits } from './limits.ts';
import type { MasksTask } from './worker-tasks.ts';

export const MASKS_SERVICE_NAME = 'locscope.v1.Masks';
const WORKER_TASKS = new URL('./worker-tasks.ts', import.meta.url);

export interface MasksServiceOptions {
  /** Per-request cost limits (default DEFAULT_MASKS_LIMITS). */
  limits?: MasksLimits;
  /** Worker threads of the CPU-heavy RPCs (default: all cores but one). */
  workers?: WorkerPoolOptions;
}

/** The registration, with the worker pool its heavy RPCs run on (the caller closes it). */
export function masksService(pool: WorkerPool, options: MasksServiceOptions = {}): ServiceRegistration {
  const limits = options.limits ?? DEFAULT_MASKS_LIMITS;
  const offload =
    <R, S>(task: string) =>
    (request: R, call: CallContext) =>
      pool.run<S>(task, { request, limits } satisfies MasksTask<R>, call.signal);
  return service<MasksServer>({
    name: MASKS_SERVICE_NAME,
    definition: MasksService,
    implementation: {
      preprocess: offload('preprocess'),
      project: offload('project'),
      // The selections are linear to n log n in the tokens, and a request may carry millions of
      // them (top-k over 16M scores took 55 s): run on the main thread they blocked health.
      selectRandom: offload('selectRandom'),
      selectRegisterTokens: offload('selectRegisterTokens'),
      selectTopK: offload('selectTopK'),
      containerize: offload('containerize'),
      convertBox: handleConvertBox,
      filterDataset: offload('filterDataset'),
    },
    descriptorSet: apiDescriptorSet,
  });
}

/** The masks service alone on `config` (its launcher starts it this way); shutdown also stops its workers. */
export async function startMasksServer(config: ServiceConfig, options: MasksServiceOptions & { logger: Logger }): Promise<RunningServer> {
  const pool = new WorkerPool(WORKER_TASKS, options.workers);
  const server = await startServer(config, [masksService(pool, options)], options.logger);
  return { ...server, shutdown: () => server.shutdown().finally(() => pool.close()) };
}

// The locscope.v1.Masks registration for the server kit (health, reflection, tracing and
// error mapping come from the kit), and the starter the orchestrator and main.ts use.
import { protoFile, protoRoot } from '@locscope/proto';
import { MasksService, type MasksServer } from '@locscope/proto/v1/masks';
import { service, startServer, type Logger, type RunningServer, type ServiceConfig, type ServiceRegistration } from '@locscope/server-kit';
import { handleConvertBox } from './convert-box.ts';
import { handleFilterDataset } from './filter.ts';
import { handlePreprocess } from './preprocess.ts';
import { DEFAULT_MASKS_LIMITS, type MasksLimits } from './limits.ts';
import { projectionHandlers } from './project.ts';
import { handleSelectRandom, handleSelectRegisterTokens, handleSelectTopK } from './select.ts';

export const MASKS_SERVICE_NAME = 'locscope.v1.Masks';
/** Port of `main.ts` when neither --port nor LOCSCOPE_PORT is given. */
export const DEFAULT_MASKS_PORT = 50052;

export interface MasksServiceOptions {
  /** Per-request cost limits (default DEFAULT_MASKS_LIMITS). */
  limits?: MasksLimits;
}

export function masksService(options: MasksServiceOptions = {}): ServiceRegistration {
  const limits = options.limits ?? DEFAULT_MASKS_LIMITS;
  return service<MasksServer>({
    name: MASKS_SERVICE_NAME,
    definition: MasksService,
    implementation: {
      preprocess: handlePreprocess,
      ...projectionHandlers(limits),
      selectRandom: handleSelectRandom,
      selectRegisterTokens: handleSelectRegisterTokens,
      selectTopK: handleSelectTopK,
      convertBox: handleConvertBox,
      filterDataset: handleFilterDataset,
    },
    protoFiles: [protoFile('masks')],
    includeDirs: [protoRoot],
  });
}

/** The orchestrator's `StartServer` seam: the masks service alone on `config`. */
export function startMasksServer(config: ServiceConfig, options: MasksServiceOptions & { logger: Logger }): Promise<RunningServer> {
  return startServer(config, [masksService(options)], options.logger);
}

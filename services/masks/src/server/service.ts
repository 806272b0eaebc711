// The locscope.v1.Masks registration for the server kit (health, reflection, tracing and
// error mapping come from the kit), and the starter the orchestrator and main.ts use.
import { apiDescriptorSet } from '@locscope/proto';
import { MasksService, type MasksServer } from '@locscope/proto/v1/masks';
import { service, startServer, type Logger, type RunningServer, type ServiceConfig, type ServiceRegistration } from '@locscope/server-kit';
import { handleConvertBox } from './convert-box.ts';
import { handleFilterDataset } from './filter.ts';
import { handlePreprocess } from './preprocess.ts';
import { handleContainerize, handleProject } from './project.ts';
import { handleSelectRandom, handleSelectRegisterTokens, handleSelectTopK } from './select.ts';

export const MASKS_SERVICE_NAME = 'locscope.v1.Masks';
/** Port of `main.ts` when neither --port nor LOCSCOPE_PORT is given. */
export const DEFAULT_MASKS_PORT = 50052;

export function masksService(): ServiceRegistration {
  return service<MasksServer>({
    name: MASKS_SERVICE_NAME,
    definition: MasksService,
    implementation: {
      preprocess: handlePreprocess,
      project: handleProject,
      selectRandom: handleSelectRandom,
      selectRegisterTokens: handleSelectRegisterTokens,
      selectTopK: handleSelectTopK,
      containerize: handleContainerize,
      convertBox: handleConvertBox,
      filterDataset: handleFilterDataset,
    },
    descriptorSet: apiDescriptorSet,
  });
}

/** The orchestrator's `StartServer` seam: the masks service alone on `config`. */
export function startMasksServer(config: ServiceConfig, options: { logger: Logger }): Promise<RunningServer> {
  return startServer(config, [masksService()], options.logger);
}

// The locscope.v1.Inpainting registration for the server kit (health, reflection, tracing and
// error mapping come from the kit).
import { apiDescriptorSet } from '@locscope/proto';
import { InpaintingService, type InpaintingServer } from '@locscope/proto/v1/inpainting';
import { service, type ServiceRegistration } from '@locscope/server-kit';
import { handleRemove, type RemoveHandlerOptions } from './remove-handler.ts';

export const INPAINTING_SERVICE_NAME = 'locscope.v1.Inpainting';
/** Port of `main.ts` when neither --port nor LOCSCOPE_PORT is given. */
export const DEFAULT_INPAINTING_PORT = 50054;

export function inpaintingService(options: RemoveHandlerOptions = {}): ServiceRegistration {
  return service<InpaintingServer>({
    name: INPAINTING_SERVICE_NAME,
    definition: InpaintingService,
    implementation: { remove: (request) => handleRemove(request, options) },
    descriptorSet: apiDescriptorSet,
  });
}

// The locscope.v1.Inpainting registration for the server kit (health, reflection, tracing and
// error mapping come from the kit).
import { protoFile, protoRoot } from '@locscope/proto';
import { InpaintingService, type InpaintingServer } from '@locscope/proto/v1/inpainting';
import { service, type ServiceRegistration } from '@locscope/server-kit';
import { handleRemove, type RemoveHandlerOptions } from './remove-handler.ts';

export const INPAINTING_SERVICE_NAME = 'locscope.v1.Inpainting';

export function inpaintingService(options: RemoveHandlerOptions = {}): ServiceRegistration {
  return service<InpaintingServer>({
    name: INPAINTING_SERVICE_NAME,
    definition: InpaintingService,
    implementation: { remove: (request) => handleRemove(request, options) },
    protoFiles: [protoFile('inpainting')],
    includeDirs: [protoRoot],
  });
}

// The locscope.v1.Inpainting registration for the server kit (health, reflection, tracing and
// error mapping come from the kit).
import { apiDescriptorSet } from '@locscope/proto';
import { InpaintMethod, InpaintingService, type InpaintingServer } from '@locscope/proto/v1/inpainting';
import { service, type ServiceRegistration, type WorkerPool } from '@locscope/server-kit';
import { handleRemove, type RemoveHandlerOptions } from './remove-handler.ts';

export const INPAINTING_SERVICE_NAME = 'locscope.v1.Inpainting';

/** Tasks of the worker pool `inpaintingService` is given. */
export const INPAINTING_WORKER_TASKS = new URL('./worker-tasks.ts', import.meta.url);

/** The registration; classical Remove runs on `pool` (tasks INPAINTING_WORKER_TASKS; the caller closes it). */
export function inpaintingService(pool: WorkerPool, options: RemoveHandlerOptions = {}): ServiceRegistration {
  return service<InpaintingServer>({
    name: INPAINTING_SERVICE_NAME,
    definition: InpaintingService,
    implementation: {
      remove: (request, call) =>
        request.method === InpaintMethod.INPAINT_METHOD_ONNX ? handleRemove(request, options) : pool.run('removeClassical', { request }, call.signal),
    },
    descriptorSet: apiDescriptorSet,
  });
}

// Classical inpainting (Telea / Navier–Stokes in opencv-js WASM, image decoding and PNG encoding
// around it) is synchronous CPU work, so Remove runs as a task of the service's worker pool: health
// and other calls keep being answered meanwhile (issue 13). The learned method stays on the main
// thread: onnxruntime already runs off the event loop, and its session is loaded once there.
import type { RemoveRequest } from '@locscope/proto/v1/inpainting';
import { handleRemove } from './remove-handler.ts';

export const removeClassical = ({ request }: { request: RemoveRequest }) => handleRemove(request, {});

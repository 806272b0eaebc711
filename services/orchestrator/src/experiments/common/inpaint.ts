// The object-removed image of a sample (paper §2.2: the target inpainted), made once per run by the
// inpainting service and kept in the run's artifact store: the control set and CMA's base runs
// (paper §3.3.2) read the same image, and a resumed run does not inpaint again.
import { decodeRle, segmentationToRle, type Segmentation } from '@locscope/masks';
import { uint8Tensor } from '@locscope/proto';
import { InpaintingClient, InpaintMethod } from '@locscope/proto/v1/inpainting';
import type { ArtifactStore } from '../../store/artifacts.ts';
import type { ServiceCalls } from '../../services/clients.ts';
import { unary } from '../../services/unary.ts';
import type { ControlSetParams } from '../control-set/params.ts';
import { readImage } from './evaluate.ts';
import type { ObjectSample } from './samples.ts';

export type InpaintOptions = ControlSetParams['inpaint'];

const METHODS: Record<InpaintOptions['method'], InpaintMethod> = {
  telea: InpaintMethod.INPAINT_METHOD_TELEA,
  ns: InpaintMethod.INPAINT_METHOD_NS,
  onnx: InpaintMethod.INPAINT_METHOD_ONNX,
};

export function inpaintedArtifactName(object: Pick<ObjectSample, 'id'>, options: InpaintOptions): string {
  return `inpainted/${object.id}-${options.method}-d${options.dilate}-r${options.radius}.png`;
}

/** PNG bytes of the image with the object removed (from the artifact store once made). */
export async function inpaintedImage(calls: ServiceCalls & { artifacts: ArtifactStore }, object: ObjectSample, options: InpaintOptions): Promise<Uint8Array> {
  const name = inpaintedArtifactName(object, options);
  const stored = await calls.artifacts.get(name);
  if (stored) return stored;
  const mask = decodeRle(segmentationToRle(object.segmentation as Segmentation, object.height, object.width, 'object.segmentation'));
  const client = await calls.clients.client('inpainting', InpaintingClient);
  const response = await unary(client.remove.bind(client), {
    image: Buffer.from(await readImage(object.imagePath)),
    mask: { $case: 'maskTensor', value: uint8Tensor(mask.data, [mask.height, mask.width]) },
    dilatePx: options.dilate,
    method: METHODS[options.method],
    radius: options.radius,
    returnDilatedMask: false,
  }, calls.signal);
  await calls.artifacts.put(name, response.png);
  return response.png;
}

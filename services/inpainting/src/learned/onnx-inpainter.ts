// The learned backend (the paper used LaMa): an ONNX inpainting model run by onnxruntime-node
// at its fixed input size, with the result pasted back into the original pixels.
import { FailedPreconditionError } from '@locscope/server-kit';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import type { BinaryMask, RgbImage } from '../image.ts';
import { loadOpenCv } from '../opencv/runtime.ts';
import { letterbox, unletterbox } from './letterbox.ts';
import { pasteMasked } from './paste.ts';
import { readSignature, type ModelSignature } from './signature.ts';
import { chwToImage, imageToChw, maskToPlane, type OutputRange } from './tensors.ts';

import { DEFAULT_IMAGE_INPUT, DEFAULT_MASK_INPUT, DEFAULT_ONNX_INPUT_SIZE, DEFAULT_OUTPUT, DEFAULT_OUTPUT_RANGE, type OnnxInpainterOptions } from './config.ts';

export class OnnxInpainter {
  private constructor(
    private readonly session: InferenceSession,
    readonly signature: ModelSignature,
    readonly outputRange: OutputRange,
    readonly modelPath: string,
  ) {}

  static async load(options: OnnxInpainterOptions): Promise<OnnxInpainter> {
    let session: InferenceSession;
    try {
      session = await InferenceSession.create(options.modelPath);
    } catch (error) {
      throw new FailedPreconditionError(`cannot load ONNX model ${options.modelPath}: ${(error as Error).message}`, {
        field: 'model',
        cause: error,
      });
    }
    const names = {
      imageInput: options.imageInput ?? DEFAULT_IMAGE_INPUT,
      maskInput: options.maskInput ?? DEFAULT_MASK_INPUT,
      output: options.output ?? DEFAULT_OUTPUT,
    };
    try {
      const signature = readSignature(session, names, options.size ?? DEFAULT_ONNX_INPUT_SIZE, options.modelPath);
      return new OnnxInpainter(session, signature, options.outputRange ?? DEFAULT_OUTPUT_RANGE, options.modelPath);
    } catch (error) {
      await session.release();
      throw error;
    }
  }

  /** Fills the non-zero pixels of `hole`; all other pixels are returned unchanged. */
  async inpaint(image: RgbImage, hole: BinaryMask): Promise<RgbImage> {
    const cv = await loadOpenCv();
    const { width, height, imageInput, maskInput, output } = this.signature;
    const boxed = letterbox(cv, image, hole, width, height);
    const feeds = {
      [imageInput]: new Tensor('float32', imageToChw(boxed.image), [1, 3, height, width]),
      [maskInput]: new Tensor('float32', maskToPlane(boxed.hole), [1, 1, height, width]),
    };
    const results = await this.session.run(feeds, [output]);
    const result = results[output];
    try {
      const dims = result.dims.join(', ');
      if (result.type !== 'float32' || dims !== `1, 3, ${height}, ${width}`) {
        throw new FailedPreconditionError(
          `ONNX model ${this.modelPath}: output "${output}" is ${result.type} [${dims}], expected float32 [1, 3, ${height}, ${width}]`,
          { field: `model.${output}` },
        );
      }
      const generated = chwToImage(result.data as Float32Array, width, height, this.outputRange);
      return pasteMasked(image, unletterbox(cv, generated, boxed.content, image.width, image.height), hole);
    } finally {
      result.dispose();
    }
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}

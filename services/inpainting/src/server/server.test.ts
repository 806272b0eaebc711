// locscope.v1.Inpainting over a real socket: health, reflection, tracing, cv2-exact results
// through both mask encodings, the learned backend, and a precise status for every bad input.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials, status, type ServiceError } from '@grpc/grpc-js';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '@locscope/masks';
import { uint8Tensor } from '@locscope/proto';
import { InpaintingClient, InpaintMethod, type RemoveRequest, type RemoveResponse } from '@locscope/proto/v1/inpainting';
import { DType } from '@locscope/proto/v1/tensor';
import { createLogger, setupTelemetry, type RunningServer, type Telemetry } from '@locscope/server-kit';
import { checkHealth, listServicesByReflection } from '@locscope/server-kit/testing';
import { maskFromAnnotation } from '../coco-mask.ts';
import { FILL_RGB, writeFillModel } from '../learned/test-models.ts';
import { encodeMaskPng } from '../png.ts';
import { COCO_ANNOTATIONS, COCO_IMAGES, cv2Cases } from '../test-data.ts';
import { INPAINTING_SERVICE_NAME } from './service.ts';
import { startInpaintingServer, type StartedInpainting } from './start.ts';

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
const config = { host: '127.0.0.1', port: 0, maxMessageBytes: 16 * 1024 * 1024, shutdownGraceMs: 2000 };
const logger = createLogger({ level: 'silent' });
const dir = mkdtempSync(join(tmpdir(), 'locscope-inpainting-server-'));

let telemetry: Telemetry;
let classicalServer: StartedInpainting;
let classical: RunningServer;
let learnedServer: StartedInpainting;

beforeAll(async () => {
  telemetry = setupTelemetry({ serviceName: 'inpainting-test', inMemory: true });
  classicalServer = await startInpaintingServer(config, undefined, logger);
  classical = classicalServer.server;
  learnedServer = await startInpaintingServer(config, { modelPath: writeFillModel(dir, 'fill.onnx'), size: 64 }, logger);
});

afterAll(async () => {
  await Promise.all([classicalServer?.shutdown(), learnedServer?.shutdown()]);
  rmSync(dir, { recursive: true, force: true });
});

async function remove(server: RunningServer, request: Partial<RemoveRequest>): Promise<RemoveResponse> {
  const client = new InpaintingClient(server.address, credentials.createInsecure());
  const full: RemoveRequest = { image: Buffer.alloc(0), mask: undefined, method: InpaintMethod.INPAINT_METHOD_UNSPECIFIED, returnDilatedMask: false, ...request };
  try {
    return await new Promise((resolve, reject) => client.remove(full, (error, response) => (error ? reject(error) : resolve(response))));
  } finally {
    client.close();
  }
}

async function rawRgb(png: Uint8Array): Promise<{ data: Buffer; width: number; height: number; channels: number }> {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

/** The single channel of a greyscale PNG (sharp widens it to RGB unless told otherwise). */
function grey(png: Uint8Array): Promise<Buffer> {
  return sharp(png).extractChannel(0).raw().toBuffer();
}

describe('locscope.v1.Inpainting server', () => {
  const [telea, ns] = cv2Cases();
  let jpeg: Buffer;
  let maskPng: Buffer;
  let maskTensor: ReturnType<typeof uint8Tensor>;

  beforeAll(async () => {
    expect([telea.name, ns.name]).toEqual(['scissors-telea-default', 'scissors-ns-default']);
    jpeg = await readFile(`${COCO_IMAGES}/${telea.image}`);
    const mask = await maskFromAnnotation(COCO_ANNOTATIONS, telea.annotation_id);
    maskPng = await encodeMaskPng(mask);
    maskTensor = uint8Tensor(mask.data, [mask.height, mask.width]);
  });

  it('reports health and announces itself by reflection', async () => {
    expect(await checkHealth(classical.address)).toBe('SERVING');
    expect(await checkHealth(classical.address, INPAINTING_SERVICE_NAME)).toBe('SERVING');
    expect(await listServicesByReflection(classical.address)).toContain(INPAINTING_SERVICE_NAME);
  });

  it('returns cv2.inpaint (Telea, defaults) for a PNG mask, with the dilated mask, and traces the call', async () => {
    const response = await remove(classical, { image: jpeg, mask: { $case: 'maskImage', value: maskPng }, returnDilatedMask: true });
    expect([response.width, response.height, response.maskPixels]).toEqual([telea.width, telea.height, telea.dilated_pixels]);
    const image = await rawRgb(response.png);
    expect([image.width, image.height, image.channels]).toEqual([telea.width, telea.height, 3]);
    expect(sha256(image.data)).toBe(telea.output_sha256);
    expect((await sharp(response.dilatedMaskPng).metadata()).channels).toBe(1);
    expect(sha256(await grey(response.dilatedMaskPng))).toBe(telea.dilated_sha256);
    const spans = telemetry.memory!.getFinishedSpans().map((span) => span.name);
    expect(spans).toContain('locscope.v1.Inpainting/Remove');
  });

  it('returns cv2.inpaint (Navier–Stokes) for a mask tensor, without the dilated mask unless asked', async () => {
    const response = await remove(classical, {
      image: jpeg,
      mask: { $case: 'maskTensor', value: maskTensor },
      method: InpaintMethod.INPAINT_METHOD_NS,
      dilatePx: ns.dilate_px,
      radius: ns.radius,
    });
    expect(sha256((await rawRgb(response.png)).data)).toBe(ns.output_sha256);
    expect(response.dilatedMaskPng.length).toBe(0);
  });

  it('runs the configured ONNX model for INPAINT_METHOD_ONNX', async () => {
    const response = await remove(learnedServer.server, {
      image: jpeg,
      mask: { $case: 'maskTensor', value: maskTensor },
      method: InpaintMethod.INPAINT_METHOD_ONNX,
      returnDilatedMask: true,
    });
    const original = await decodeImage(jpeg);
    const [result, dilated] = [await rawRgb(response.png), await grey(response.dilatedMaskPng)];
    let filled = 0;
    for (let p = 0; p < dilated.length; p++) {
      const pixel = [...result.data.subarray(3 * p, 3 * p + 3)];
      if (dilated[p] === 0) expect(pixel).toEqual([...original.data.subarray(3 * p, 3 * p + 3)]);
      else if (pixel.every((v, c) => v === FILL_RGB[c])) filled++;
    }
    // Edge pixels mix with the surroundings when scaled back from 64 px; the bulk is the fill.
    expect(filled / response.maskPixels).toBeGreaterThan(0.5);
  });

  it('works in the EXIF-oriented frame, as the masks service decodes images', async () => {
    // Stored 48×32 with orientation 6 (rotate 90° clockwise to display): displayed 32×48.
    const stored = await sharp(jpeg).resize(48, 32, { fit: 'fill' }).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const displayed = new Uint8Array(32 * 48);
    displayed.fill(1, 10 * 32 + 4, 10 * 32 + 12);
    const response = await remove(classical, { image: stored, mask: { $case: 'maskTensor', value: uint8Tensor(displayed, [48, 32]) } });
    expect([response.width, response.height]).toEqual([32, 48]);
    const failure = remove(classical, { image: stored, mask: { $case: 'maskTensor', value: uint8Tensor(displayed, [32, 48]) } });
    await expect(failure).rejects.toMatchObject({ code: status.INVALID_ARGUMENT, details: expect.stringMatching(/^mask: mask is 48×32 but the image is 32×48/) });
  });

  const badRequests: [string, () => Partial<RemoveRequest>, status, RegExp][] = [
    ['undecodable image', () => ({ image: Buffer.from('not an image'), mask: { $case: 'maskImage', value: maskPng } }), status.INVALID_ARGUMENT, /^image: cannot decode image/],
    ['missing mask', () => ({ image: jpeg }), status.INVALID_ARGUMENT, /^mask: one of mask_image or mask_tensor is required/],
    ['undecodable mask image', () => ({ image: jpeg, mask: { $case: 'maskImage', value: Buffer.from([1, 2, 3]) } }), status.INVALID_ARGUMENT, /^mask_image: cannot decode image/],
    ['empty mask', () => ({ image: jpeg, mask: { $case: 'maskTensor', value: uint8Tensor(new Uint8Array(640 * 480), [480, 640]) } }), status.INVALID_ARGUMENT, /^mask: .*no non-zero pixel/],
    ['mask of the wrong size', () => ({ image: jpeg, mask: { $case: 'maskTensor', value: uint8Tensor(new Uint8Array(640 * 480).fill(1), [640, 480]) } }), status.INVALID_ARGUMENT, /^mask: mask is 480×640 but the image is 640×480/],
    ['mask tensor of another dtype', () => ({ image: jpeg, mask: { $case: 'maskTensor', value: { ...maskTensor, dtype: DType.D_TYPE_FLOAT32 } } }), status.INVALID_ARGUMENT, /^mask_tensor: expected dtype UINT8 or BOOL/],
    ['mask tensor shorter than its shape', () => ({ image: jpeg, mask: { $case: 'maskTensor', value: { ...maskTensor, data: maskTensor.data.subarray(1) } } }), status.INVALID_ARGUMENT, /^mask_tensor: shape \[480, 640\] needs 307200 bytes/],
    ['unknown method', () => ({ image: jpeg, mask: { $case: 'maskImage', value: maskPng }, method: 99 as InpaintMethod }), status.INVALID_ARGUMENT, /^method: unknown inpainting method 99/],
    ['ONNX without a model', () => ({ image: jpeg, mask: { $case: 'maskImage', value: maskPng }, method: InpaintMethod.INPAINT_METHOD_ONNX }), status.FAILED_PRECONDITION, /^method: .*none is configured/],
    ['negative dilation', () => ({ image: jpeg, mask: { $case: 'maskImage', value: maskPng }, dilatePx: -1 }), status.INVALID_ARGUMENT, /^dilate_px: /],
    ['zero radius', () => ({ image: jpeg, mask: { $case: 'maskImage', value: maskPng }, radius: 0 }), status.INVALID_ARGUMENT, /^radius: /],
  ];

  it.each(badRequests)('answers %s with a status naming the field', async (_, request, code, details) => {
    const failure = remove(classical, request());
    await expect(failure).rejects.toMatchObject({ code });
    await expect(failure.catch((error: ServiceError) => error.details)).resolves.toMatch(details);
  });
});

// `locscope inpaint` against the cv2 references: in-process for the flag combinations, and once
// through the real `locscope` executable, as users and the lead's held-out check run it.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FailedPreconditionError, NotFoundError, UsageError } from '@locscope/server-kit';
import { maskFromAnnotation } from '../coco-mask.ts';
import { FILL_RGB, writeFillModel } from '../learned/test-models.ts';
import { encodeMaskPng } from '../png.ts';
import { COCO_ANNOTATIONS, COCO_IMAGES, cv2Cases, type Cv2Case } from '../test-data.ts';
import { inpaintCommand } from './index.ts';

const LOCSCOPE_BIN = fileURLToPath(new URL('../../../orchestrator/bin/locscope.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'locscope-inpaint-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
const pixels = async (png: string) => sharp(png).raw().toBuffer();
const byName = (name: string): Cv2Case => cv2Cases().find((c) => c.name === name)!;
const imageOf = (testCase: Cv2Case) => `${COCO_IMAGES}/${testCase.image}`;

/** Flags of a reference case; defaults are left out so that they are exercised too. */
function caseFlags(testCase: Cv2Case): string[] {
  return [
    ...(testCase.method === 'telea' ? [] : ['--method', testCase.method]),
    ...(testCase.dilate_px === 8 ? [] : ['--dilate', String(testCase.dilate_px)]),
    ...(testCase.radius === 3 ? [] : ['--radius', String(testCase.radius)]),
  ];
}

describe('locscope inpaint', () => {
  let maskPng: string;
  const scissors = byName('scissors-telea-default');

  beforeAll(async () => {
    maskPng = join(dir, 'scissors-mask.png');
    writeFileSync(maskPng, await encodeMaskPng(await maskFromAnnotation(COCO_ANNOTATIONS, scissors.annotation_id)));
  });

  for (const name of ['potted-plant-icc-telea', 'bird-icc-ns-d4-r5', 'bat-telea-r2.5']) {
    it(`equals cv2 for ${name} with --annotations/--ann`, async () => {
      const testCase = byName(name);
      const out = join(dir, `${name}.png`);
      const argv = ['--image', imageOf(testCase), '--annotations', COCO_ANNOTATIONS, '--ann', String(testCase.annotation_id), ...caseFlags(testCase), '--out', out];
      expect(await inpaintCommand.run(argv)).toBe(0);
      expect(sha256(await pixels(out))).toBe(testCase.output_sha256);
    });
  }

  it('equals cv2 with a --mask PNG and writes the dilated mask with --mask-out', async () => {
    const out = join(dir, 'scissors.png');
    const maskOut = join(dir, 'scissors-dilated.png');
    expect(await inpaintCommand.run(['--image', imageOf(scissors), '--mask', maskPng, '--out', out, '--mask-out', maskOut])).toBe(0);
    expect(sha256(await pixels(out))).toBe(scissors.output_sha256);
    expect(sha256(await sharp(maskOut).extractChannel(0).raw().toBuffer())).toBe(scissors.dilated_sha256);
  });

  it('runs an ONNX model with --method onnx --model', async () => {
    const model = writeFillModel(dir, 'fill.onnx', { range: 'byte' });
    const out = join(dir, 'onnx.png');
    const maskOut = join(dir, 'onnx-dilated.png');
    const argv = ['--image', imageOf(scissors), '--mask', maskPng, '--method', 'onnx', '--model', model, '--model-size', '128', '--model-output-range', 'byte', '--out', out, '--mask-out', maskOut];
    expect(await inpaintCommand.run(argv)).toBe(0);
    const [result, dilated] = [await pixels(out), await sharp(maskOut).extractChannel(0).raw().toBuffer()];
    let filled = 0;
    for (let p = 0; p < dilated.length; p++) {
      if (dilated[p] !== 0 && [0, 1, 2].every((c) => result[3 * p + c] === FILL_RGB[c])) filled++;
    }
    expect(filled / scissors.dilated_pixels).toBeGreaterThan(0.5);
  });

  const out = () => join(dir, 'unused.png');
  it.each([
    ['no --out', () => ['--image', imageOf(scissors), '--mask', maskPng], /--out is required/],
    ['no --image', () => ['--mask', maskPng, '--out', out()], /--image is required/],
    ['no mask', () => ['--image', imageOf(scissors), '--out', out()], /either --mask, or --annotations with --ann/],
    ['--mask and --annotations', () => ['--image', imageOf(scissors), '--mask', maskPng, '--annotations', COCO_ANNOTATIONS, '--ann', '1', '--out', out()], /either --mask, or --annotations/],
    ['--annotations without --ann', () => ['--image', imageOf(scissors), '--annotations', COCO_ANNOTATIONS, '--out', out()], /--annotations and --ann go together/],
    ['a non-integer --ann', () => ['--image', imageOf(scissors), '--annotations', COCO_ANNOTATIONS, '--ann', 'x1', '--out', out()], /--ann must be an annotation id/],
    ['a negative --dilate', () => ['--image', imageOf(scissors), '--mask', maskPng, '--dilate=-1', '--out', out()], /--dilate must be an integer/],
    ['a fractional --dilate', () => ['--image', imageOf(scissors), '--mask', maskPng, '--dilate', '2.5', '--out', out()], /--dilate must be an integer/],
    ['an unknown --method', () => ['--image', imageOf(scissors), '--mask', maskPng, '--method', 'lama', '--out', out()], /--method must be one of telea, ns, onnx/],
    ['a zero --radius', () => ['--image', imageOf(scissors), '--mask', maskPng, '--radius', '0', '--out', out()], /--radius must be a number/],
    ['--method onnx without --model', () => ['--image', imageOf(scissors), '--mask', maskPng, '--method', 'onnx', '--out', out()], /--method onnx needs --model/],
    ['--model with telea', () => ['--image', imageOf(scissors), '--mask', maskPng, '--model', 'm.onnx', '--out', out()], /--model is only used with --method onnx/],
    ['an unknown flag', () => ['--image', imageOf(scissors), '--mask', maskPng, '--out', out(), '--colour', 'red'], /--colour/],
  ])('rejects %s as a usage error', async (_, argv, message) => {
    const failure = inpaintCommand.run(argv());
    await expect(failure).rejects.toBeInstanceOf(UsageError);
    await expect(failure).rejects.toThrow(message);
  });

  it('reports an annotation id that is not in the file', async () => {
    const failure = inpaintCommand.run(['--image', imageOf(scissors), '--annotations', COCO_ANNOTATIONS, '--ann', '42', '--out', out()]);
    await expect(failure).rejects.toBeInstanceOf(NotFoundError);
    await expect(failure).rejects.toThrow(/^ann: annotation 42 is not in .*instances_val2017_subset\.json/);
  });

  it.each([
    ['a missing image', () => ['--image', join(dir, 'absent.jpg'), '--mask', maskPng, '--out', out()], NotFoundError, /^image: cannot read .*absent\.jpg/],
    ['a missing mask', () => ['--image', imageOf(scissors), '--mask', join(dir, 'absent.png'), '--out', out()], NotFoundError, /^mask: cannot read .*absent\.png/],
    ['a missing annotations file', () => ['--image', imageOf(scissors), '--annotations', join(dir, 'absent.json'), '--ann', '1', '--out', out()], NotFoundError, /^annotations: cannot read .*absent\.json/],
    ['an unwritable output', () => ['--image', imageOf(scissors), '--mask', maskPng, '--out', join(dir, 'no-such-dir', 'out.png')], FailedPreconditionError, /^out: cannot write .*out\.png/],
  ])('reports %s naming the flag', async (_, argv, errorClass, message) => {
    const failure = inpaintCommand.run(argv());
    await expect(failure).rejects.toBeInstanceOf(errorClass);
    await expect(failure).rejects.toThrow(message);
  });

  it('reports a mask whose size is not the image size', async () => {
    const other = byName('potted-plant-icc-telea');
    const failure = inpaintCommand.run(['--image', imageOf(other), '--mask', maskPng, '--out', out()]);
    await expect(failure).rejects.toThrow(/^mask: mask is 640×480 but the image is 480×640/);
  });

  it('is registered as `locscope inpaint`: the executable writes the cv2 result', async () => {
    const run = promisify(execFile);
    const testCase = byName('laptop-border-ns-d12-r2');
    const target = join(dir, 'bin.png');
    const argv = [LOCSCOPE_BIN, 'inpaint', '--image', imageOf(testCase), '--annotations', COCO_ANNOTATIONS, '--ann', String(testCase.annotation_id), ...caseFlags(testCase), '--out', target];
    await run(process.execPath, argv);
    expect(sha256(await pixels(target))).toBe(testCase.output_sha256);
  });
});

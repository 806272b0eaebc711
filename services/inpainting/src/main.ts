// Starts the inpainting service alone: `tsx services/inpainting/src/main.ts [--port N] [--model FILE.onnx …]`
// (the flags of `locscope serve inpainting --help`, or their LOCSCOPE_* env vars). The process exits
// after draining, which also frees the ONNX session.
import { serviceMain } from '@locscope/server-kit';
import { inpaintingLauncher } from './launcher.ts';

await serviceMain(inpaintingLauncher, process.argv.slice(2));

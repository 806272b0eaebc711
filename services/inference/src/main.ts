// Starts locscope.v1.Inference alone: `tsx services/inference/src/main.ts [--port P] [--models FILE] …`
// (the flags of `locscope serve inference --help`, or their LOCSCOPE_* env vars).
import { serviceMain } from '@locscope/server-kit';
import { inferenceLauncher } from './launcher.ts';

await serviceMain(inferenceLauncher, process.argv.slice(2));

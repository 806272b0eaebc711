// Starts the masks service alone: `tsx services/masks/src/main.ts [--port N] [--host H] …`
// (the flags of `locscope serve masks --help`, or their LOCSCOPE_* env vars).
import { serviceMain } from '@locscope/server-kit';
import { masksLauncher } from './launcher.ts';

await serviceMain(masksLauncher, process.argv.slice(2));

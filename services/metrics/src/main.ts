// Starts the metrics service alone: `tsx services/metrics/src/main.ts [--port N] [--host H] …`
// (the flags of `locscope serve metrics --help`, or their LOCSCOPE_* env vars).
import { serviceMain } from '@locscope/server-kit';
import { metricsLauncher } from './launcher.ts';

await serviceMain(metricsLauncher, process.argv.slice(2));

// Preprocessing throughput for `npm run bench` (and by hand:
// `npx tsx -e "import('./services/masks/src/preprocess/bench.ts').then(async (m) => console.log(await m.benchPreprocess()))"`).
// Median wall time per call of each pipeline on the 640×427 parity image.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decodeImage } from './decode.ts';
import { preprocessInternVL } from './internvl.ts';
import { preprocessLlava } from './llava.ts';

export interface PreprocessBenchOptions {
  /** Timed calls per pipeline (after as many untimed warm-up calls). */
  repeats?: number;
  /** Image file; default the 640×427 HF parity image in ../shared. */
  image?: string;
}

export const DEFAULT_BENCH_REPEATS = 20;
const DEFAULT_BENCH_IMAGE = fileURLToPath(new URL('../../../../../shared/fixtures/hf-parity/preprocess/landscape_640x427.png', import.meta.url));

export type PreprocessBenchResult = Record<string, { medianMs: number; repeats: number }>;

async function medianMs(repeats: number, run: () => unknown): Promise<number> {
  for (let i = 0; i < repeats; i++) await run();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
}

export async function benchPreprocess(options: PreprocessBenchOptions = {}): Promise<PreprocessBenchResult> {
  const repeats = options.repeats ?? DEFAULT_BENCH_REPEATS;
  const bytes = readFileSync(options.image ?? DEFAULT_BENCH_IMAGE);
  const image = await decodeImage(bytes);
  const cases: Record<string, () => unknown> = {
    decode: () => decodeImage(bytes),
    'llava-1.5 pad 336': () => preprocessLlava(image),
    'llava-1.5 crop 336': () => preprocessLlava(image, { mode: 'crop' }),
    'internvl-3.5 448 max 12': () => preprocessInternVL(image),
    'internvl-3.5 448 max 6': () => preprocessInternVL(image, { maxTiles: 6 }),
  };
  const result: PreprocessBenchResult = {};
  for (const [name, run] of Object.entries(cases)) result[name] = { medianMs: await medianMs(repeats, run), repeats };
  return result;
}

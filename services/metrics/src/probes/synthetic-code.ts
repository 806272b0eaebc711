// Synthetic position codes for probe tests and the bench: every token's features are a fixed random
// embedding of its row plus one of its column plus Gaussian noise, hence linearly decodable.
import { seededRandom } from '../aggregate/rng.ts';
import type { ProbeBatch, ProbeSource } from './probe-data.ts';

export interface SyntheticCodeOptions {
  dim: number;
  gridRows: number;
  gridCols: number;
  /** Images; each contributes every grid position once. */
  images: number;
  /** Images per streamed batch. */
  imagesPerBatch: number;
  noise: number;
  seed: number;
  /** Permute the labels across tokens, destroying any relation to the features. */
  shuffleLabels?: boolean;
}

function gaussian(random: ReturnType<typeof seededRandom>): number {
  const u = (random.int(1, 2 ** 30) / 2 ** 30);
  const v = random.int(0, 2 ** 30) / 2 ** 30;
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Materializes the batches once (tests are small) and replays them on every pass. */
export function syntheticPositionCode(o: SyntheticCodeOptions): ProbeSource {
  const random = seededRandom(o.seed);
  const code = (count: number) => Array.from({ length: count }, () => Float32Array.from({ length: o.dim }, () => gaussian(random)));
  const rowCode = code(o.gridRows);
  const colCode = code(o.gridCols);
  const perImage = o.gridRows * o.gridCols;
  const batches: ProbeBatch[] = [];
  for (let first = 0; first < o.images; first += o.imagesPerBatch) {
    const images = Math.min(o.imagesPerBatch, o.images - first);
    const n = images * perImage;
    const batch: ProbeBatch = { features: new Float32Array(n * o.dim), rows: new Int32Array(n), cols: new Int32Array(n), groups: new Int32Array(n) };
    for (let t = 0; t < n; t++) {
      const cell = t % perImage;
      const [r, c] = [Math.floor(cell / o.gridCols), cell % o.gridCols];
      batch.rows[t] = r;
      batch.cols[t] = c;
      batch.groups![t] = first + Math.floor(t / perImage);
      for (let d = 0; d < o.dim; d++) batch.features[t * o.dim + d] = rowCode[r][d] + colCode[c][d] + o.noise * gaussian(random);
    }
    if (o.shuffleLabels) {
      for (let i = n - 1; i > 0; i--) {
        const j = random.int(0, i);
        [batch.rows[i], batch.rows[j]] = [batch.rows[j], batch.rows[i]];
        [batch.cols[i], batch.cols[j]] = [batch.cols[j], batch.cols[i]];
      }
    }
    batches.push(batch);
  }
  return () => batches;
}

// Probe training data spilled to disk, so a layer's features can be collected batch by batch
// (over gRPC or from a capture run) and replayed every epoch without holding 10⁶ × 1k floats in
// memory. Two files in one directory: features.f32 ([N, dim] little-endian float32) and
// labels.i32 ([N, 3] int32: row, column, split key).
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProbeBatch, ProbeShape, ProbeSource } from './probe-data.ts';
import { checkBatch } from './probe-data.ts';

/** Tokens per batch when the file is read back. */
export const DEFAULT_READ_CHUNK_TOKENS = 4096;

export class ProbeFeatureFile {
  private tokens = 0;

  private constructor(
    readonly shape: ProbeShape,
    readonly directory: string,
    private readonly features: FileHandle,
    private readonly labels: FileHandle,
  ) {}

  /** A new empty file pair in a fresh directory under `parent` (default: the OS temp dir). */
  static async create(shape: ProbeShape, parent = tmpdir()): Promise<ProbeFeatureFile> {
    const directory = await mkdtemp(join(parent, 'locscope-probe-'));
    const features = await open(join(directory, 'features.f32'), 'w+');
    const labels = await open(join(directory, 'labels.i32'), 'w+');
    return new ProbeFeatureFile(shape, directory, features, labels);
  }

  get tokenCount(): number {
    return this.tokens;
  }

  get byteSize(): number {
    return this.tokens * (this.shape.dim * 4 + 12);
  }

  /** Appends a validated batch (errors name `field`); tokens without a split key get their index in the file. */
  async append(batch: ProbeBatch, field = 'batch'): Promise<void> {
    const n = checkBatch(batch, this.shape, field);
    const labels = new Int32Array(n * 3);
    for (let i = 0; i < n; i++) {
      labels[i * 3] = batch.rows[i];
      labels[i * 3 + 1] = batch.cols[i];
      labels[i * 3 + 2] = batch.groups ? batch.groups[i] : this.tokens + i;
    }
    const featureBytes = new Uint8Array(batch.features.buffer, batch.features.byteOffset, batch.features.byteLength);
    await this.features.write(featureBytes, 0, featureBytes.length, this.tokens * this.shape.dim * 4);
    await this.labels.write(new Uint8Array(labels.buffer), 0, labels.byteLength, this.tokens * 12);
    this.tokens += n;
  }

  /** Re-readable source over everything appended so far, `chunkTokens` tokens per batch. */
  source(chunkTokens = DEFAULT_READ_CHUNK_TOKENS): ProbeSource {
    const { dim } = this.shape;
    const total = this.tokens;
    const read = async function* (this: ProbeFeatureFile): AsyncIterable<ProbeBatch> {
      for (let from = 0; from < total; from += chunkTokens) {
        const n = Math.min(chunkTokens, total - from);
        const features = new Float32Array(n * dim);
        const labels = new Int32Array(n * 3);
        await this.features.read(new Uint8Array(features.buffer), 0, features.byteLength, from * dim * 4);
        await this.labels.read(new Uint8Array(labels.buffer), 0, labels.byteLength, from * 12);
        const rows = new Int32Array(n);
        const cols = new Int32Array(n);
        const groups = new Int32Array(n);
        for (let i = 0; i < n; i++) {
          rows[i] = labels[i * 3];
          cols[i] = labels[i * 3 + 1];
          groups[i] = labels[i * 3 + 2];
        }
        yield { features, rows, cols, groups };
      }
    };
    return () => read.call(this);
  }

  /** Closes and deletes the files. */
  async remove(): Promise<void> {
    await Promise.allSettled([this.features.close(), this.labels.close()]);
    await rm(this.directory, { recursive: true, force: true });
  }
}

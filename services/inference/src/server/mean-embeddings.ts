// MeanEmbedding artifacts: the running mean of visual-token embeddings stored per model under a
// name, extended by each MeanEmbedding call and read by `mean_embedding` replacements and the
// attribution baseline.
import { InvalidArgumentError, NotFoundError } from '@locscope/server-kit';

export interface MeanEmbeddingArtifact {
  mean: Float32Array;
  count: number;
}

/** Artifact names: safe in logs and file names. */
const ARTIFACT_NAME = /^[\w.-]+$/;

export function checkArtifactName(name: string, field: string): void {
  if (!ARTIFACT_NAME.test(name)) throw new InvalidArgumentError('name must be letters, digits, ".", "_" or "-"', { field });
}

export class MeanEmbeddings {
  private readonly artifacts = new Map<string, MeanEmbeddingArtifact>();

  /** The artifact `name` of `model`, undefined when absent. */
  get(model: string, name: string): MeanEmbeddingArtifact | undefined {
    return this.artifacts.get(key(model, name));
  }

  /** The artifact, else NotFoundError naming `field`. */
  require(model: string, name: string, field: string): MeanEmbeddingArtifact {
    const artifact = this.get(model, name);
    if (!artifact) throw new NotFoundError(`no mean-embedding artifact "${name}" for this model (MeanEmbedding first)`, { field });
    return artifact;
  }

  /**
   * Adds each embedding batch `features` [n, hidden] yields to the running mean `name` (checked
   * by checkArtifactName; summed in float64, one batch at a time) and stores the result.
   */
  async extend(model: string, name: string, hidden: number, features: AsyncIterable<Float32Array>): Promise<MeanEmbeddingArtifact> {
    const artifact = this.get(model, name) ?? { mean: new Float32Array(hidden), count: 0 };
    const sum = Float64Array.from(artifact.mean, (m) => m * artifact.count);
    let count = artifact.count;
    for await (const batch of features) {
      const n = batch.length / hidden;
      for (let t = 0; t < n; t++) for (let c = 0; c < hidden; c++) sum[c] += batch[t * hidden + c];
      count += n;
    }
    if (count === 0) throw new InvalidArgumentError('no images given and no stored mean to return', { field: 'images' });
    const updated = { mean: Float32Array.from(sum, (s) => s / count), count };
    this.artifacts.set(key(model, name), updated);
    return updated;
  }
}

function key(model: string, name: string): string {
  return `${model}|${name}`;
}

// Recomputes every tensor of a parity reference with our graphs and compares. What to run is read
// from the reference itself: a tensor named `<group>.<output>` is output `<output>` of the run that
// group describes (base run without prefix; `ablate`, `knockout`, `patch_source`, `patch_all`,
// `patch_last`, `real`), with the intervention parameters taken from reference.json. Base,
// source, ablation and knockout share one batched forward; both patch runs share a second.
import type { Model, TensorData } from '../runtime/model.ts';
import type { Intervention } from '../interventions/intervention.ts';
import { join } from 'node:path';
import { REFERENCE_JSON_FILE, Reference, type ReferenceJson } from './reference.ts';
import { ReferenceFormatError } from './errors.ts';

export const DEFAULT_ATOL = 1e-4;

/** Reference tensors that are inputs of the runs, not results. */
const INPUTS = new Set(['input_ids', 'pixel_values', 'pixel_values_b', 'real.input_ids', 'real.pixel_values']);
const GROUPS = ['ablate', 'knockout', 'patch_source', 'patch_all', 'patch_last', 'real'] as const;
type Group = (typeof GROUPS)[number] | 'base';

export interface ParityLine {
  name: string;
  /** Undefined for inputs. */
  maxAbsDiff?: number;
  /** The largest difference allowed for this tensor (undefined for inputs). */
  tolerance?: number;
  ok: boolean;
  /** Why a tensor could not be compared (shape mismatch, unknown output). */
  problem?: string;
}

/**
 * Greedy (argmax) tokens of every logits tensor, ours against the reference's, position by
 * position. A disagreement where the reference's two best logits are within 2·tolerance of each
 * other is a tie at that tolerance (either token is right within it) and does not fail the check.
 */
export interface GreedyCheck {
  positions: number;
  agree: number;
  ties: number;
}

export interface ParityReport {
  lines: ParityLine[];
  maxAbsDiff: number;
  greedy: GreedyCheck;
  ok: boolean;
}

/** The allowed max |diff| of reference output `output` (run-group prefix removed) given its reference values. */
export type Tolerance = number | ((output: string, expected: Float32Array) => number);

/** Splits `name` into its run group and the output name inside that run. */
export function groupOf(name: string): { group: Group; output: string } {
  const dot = name.indexOf('.');
  const head = dot < 0 ? '' : name.slice(0, dot);
  return (GROUPS as readonly string[]).includes(head) ? { group: head as Group, output: name.slice(dot + 1) } : { group: 'base', output: name };
}

export async function runParity(model: Model, reference: Reference, tolerance: Tolerance = DEFAULT_ATOL): Promise<ParityReport> {
  const runs = new ParityRuns(model, reference);
  const lines: ParityLine[] = [];
  const greedy: GreedyCheck = { positions: 0, agree: 0, ties: 0 };
  for (const name of reference.names) {
    if (INPUTS.has(name)) {
      lines.push({ name, ok: true });
      continue;
    }
    const expected = reference.tensor(name);
    const { group, output } = groupOf(name);
    let actual: Float32Array | undefined;
    try {
      actual = (await runs.outputs(group)).get(output);
    } catch (error) {
      // A run the reference cannot drive (missing input or parameters) fails its tensors, not the whole report.
      if (!(error instanceof ReferenceFormatError)) throw error;
      lines.push({ name, ok: false, problem: error.message });
      continue;
    }
    if (!actual) {
      lines.push({ name, ok: false, problem: `the ${group} run has no output '${output}'` });
      continue;
    }
    const count = expected.shape.reduce((a, b) => a * b, 1);
    if (actual.length !== count) {
      lines.push({ name, ok: false, problem: `${actual.length} values computed, reference has [${expected.shape.join(', ')}]` });
      continue;
    }
    const data = expected.data as Float32Array;
    const diff = maxAbsDiff(data, actual);
    const tol = typeof tolerance === 'number' ? tolerance : tolerance(output, data);
    lines.push({ name, maxAbsDiff: diff, tolerance: tol, ok: diff <= tol });
    if (output === 'logits') compareGreedy(data, actual, expected.shape[expected.shape.length - 1], tol, greedy);
  }
  const maxDiff = lines.reduce((m, l) => Math.max(m, l.maxAbsDiff ?? 0), 0);
  return { lines, maxAbsDiff: maxDiff, greedy, ok: lines.every((l) => l.ok) && greedy.agree + greedy.ties === greedy.positions };
}

/** Adds the argmax agreement of each row of `vocab` logits to `check`. */
function compareGreedy(expected: Float32Array, actual: Float32Array, vocab: number, tolerance: number, check: GreedyCheck): void {
  for (let row = 0; row < expected.length; row += vocab) {
    const ref = argmax(expected, row, vocab);
    check.positions++;
    if (argmax(actual, row, vocab) === ref) check.agree++;
    else if (expected[ref] - secondLargest(expected, row, vocab, ref) <= 2 * tolerance) check.ties++;
  }
}

/** Index (into `values`) of the first largest of values[start, start + length). */
function argmax(values: Float32Array, start: number, length: number): number {
  let best = start;
  for (let i = start + 1; i < start + length; i++) if (values[i] > values[best]) best = i;
  return best;
}

function secondLargest(values: Float32Array, start: number, length: number, skip: number): number {
  let second = -Infinity;
  for (let i = start; i < start + length; i++) if (i !== skip && values[i] > second) second = values[i];
  return second;
}

/** NaN-propagating max |a − b| (a NaN anywhere makes the result NaN, which fails any atol). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= max)) max = d;
  }
  return max;
}

type Outputs = Map<string, Float32Array>;

/** Runs each group at most once, on first demand. */
class ParityRuns {
  private readonly cache = new Map<string, Promise<Map<Group, Outputs>>>();
  private readonly groupErrors = new Map<Group, ReferenceFormatError>();
  private readonly json: ReferenceJson;

  constructor(
    private readonly model: Model,
    private readonly ref: Reference,
  ) {
    this.json = ref.json;
  }

  async outputs(group: Group): Promise<Outputs> {
    const batch = group === 'real' ? 'real' : group === 'patch_all' || group === 'patch_last' ? 'patch' : 'main';
    let runs = this.cache.get(batch);
    if (!runs) {
      runs = batch === 'real' ? this.realRun() : batch === 'patch' ? this.patchRuns() : this.mainRuns();
      this.cache.set(batch, runs);
    }
    const outputs = (await runs).get(group);
    if (!outputs) throw this.groupErrors.get(group) ?? new ReferenceFormatError(this.jsonFile, `the ${group} run needs pixel_values_b, which the reference lacks`);
    return outputs;
  }

  private get jsonFile(): string {
    return join(this.ref.dir, REFERENCE_JSON_FILE);
  }

  /** Base, source image, head ablation and knockout in one batch of 4 variants. */
  private async mainRuns(): Promise<Map<Group, Outputs>> {
    const ids = this.ref.ids('input_ids');
    const base = await this.imageRun('pixel_values');
    const groups: { group: Group; variant: Intervention; embeds: Float32Array; vision: Outputs }[] = [
      { group: 'base', variant: {}, embeds: await this.model.embedWithImage(ids, base.get('image_features')!), vision: base },
    ];
    if (this.ref.has('pixel_values_b')) {
      const source = await this.imageRun('pixel_values_b');
      groups.push({ group: 'patch_source', variant: {}, embeds: await this.model.embedWithImage(ids, source.get('image_features')!), vision: source });
    }
    const add = (group: Group, variant: () => Intervention) => {
      if (!this.wants(group)) return;
      try {
        groups.push({ group, variant: variant(), embeds: groups[0].embeds, vision: base });
      } catch (error) {
        // Missing parameters fail only this group's tensors (reported by outputs()).
        if (!(error instanceof ReferenceFormatError)) throw error;
        this.groupErrors.set(group, error);
      }
    };
    add('ablate', () => {
      const a = this.params('ablate');
      return { ablations: [{ layer: a.layer, head: a.head }] };
    });
    add('knockout', () => {
      const k = this.params('knockout');
      return { knockouts: [{ layers: k.layers, queryPositions: k.query_positions, keyPositions: k.key_positions }] };
    });
    return this.batch(ids.length, groups);
  }

  /** Head patching from the source run: at every position, and at the last position only. */
  private async patchRuns(): Promise<Map<Group, Outputs>> {
    const ids = this.ref.ids('input_ids');
    const p = this.params('patch');
    const source = await this.outputs('patch_source');
    const captured = source.get(`attn_pre_o_proj.${p.layer}`);
    if (!captured) throw new ReferenceFormatError(this.jsonFile, `field 'patch.layer': ${p.layer} has no attn_pre_o_proj capture in the source run`);
    const T = ids.length;
    const D = this.model.info.headDim;
    const HD = this.model.info.heads * D;
    const headValues = (positions: number[]) => {
      const values = new Float32Array(positions.length * D);
      positions.forEach((pos, j) => values.set(captured.subarray(pos * HD + p.head * D, pos * HD + (p.head + 1) * D), j * D));
      return { layer: p.layer, head: p.head, positions, values };
    };
    const all = Array.from({ length: T }, (_, i) => i);
    const base = await this.outputs('base');
    const embeds = base.get('inputs_embeds')!;
    return this.batch(T, [
      { group: 'patch_all', variant: { patches: [headValues(all)] }, embeds, vision: base },
      // "last": the final prompt position, where the answer's first token is predicted.
      { group: 'patch_last', variant: { patches: [headValues([T - 1])] }, embeds, vision: base },
    ]);
  }

  /** The run on the real preprocessed image (its own ids when the reference has them). */
  private async realRun(): Promise<Map<Group, Outputs>> {
    const ids = this.ref.has('real.input_ids') ? this.ref.ids('real.input_ids') : this.ref.ids('input_ids');
    const vision = await this.imageRun('real.pixel_values');
    const embeds = await this.model.embedWithImage(ids, vision.get('image_features')!);
    return this.batch(ids.length, [{ group: 'real', variant: {}, embeds, vision }]);
  }

  private async imageRun(name: string): Promise<Outputs> {
    const encoded = await this.model.encodeImage(this.ref.floats(name), { captures: true });
    const out: Outputs = new Map([['image_features', encoded.features]]);
    for (const [key, t] of Object.entries(encoded.captures)) out.set(key, t.data);
    return out;
  }

  private async batch(seqLen: number, rows: { group: Group; variant: Intervention; embeds: Float32Array; vision: Outputs }[]): Promise<Map<Group, Outputs>> {
    const rowSize = seqLen * this.model.info.hidden;
    const embeds = new Float32Array(rowSize * rows.length);
    rows.forEach((r, b) => embeds.set(r.embeds, b * rowSize));
    const result = await this.model.forward({
      inputsEmbeds: embeds,
      seqLen,
      variants: rows.map((r) => r.variant),
      captures: { hiddenStates: true, layerOutputs: true, attnPreOProj: true, attnProbs: true, rope: true },
    });
    const all = { logits: result.logits, ...result.captures };
    return new Map(
      rows.map((r, b) => {
        const outputs: Outputs = new Map(r.vision);
        outputs.set('inputs_embeds', r.embeds);
        for (const [name, t] of Object.entries(all)) outputs.set(name, batchRow(t, b));
        return [r.group, outputs];
      }),
    );
  }

  private wants(group: Group): boolean {
    return this.ref.names.some((n) => groupOf(n).group === group);
  }

  private params<K extends 'ablate' | 'knockout' | 'patch'>(key: K): NonNullable<ReferenceJson[K]> {
    const value = this.json[key];
    if (!value) throw new ReferenceFormatError(this.jsonFile, `field '${key}' is required by its reference tensors`);
    return value as NonNullable<ReferenceJson[K]>;
  }
}

/** Row b of a [B, ...] batch output; batch-free outputs (rope tables) are returned whole. */
function batchRow(t: TensorData, b: number): Float32Array {
  const rowSize = t.data.length / t.dims[0];
  return t.dims[0] === 1 ? t.data : t.data.subarray(b * rowSize, (b + 1) * rowSize);
}

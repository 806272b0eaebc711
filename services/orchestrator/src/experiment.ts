// What an experiment is: (config, dataset) → per-sample jobs → per-sample records → aggregate.
// Each experiment of the study is a module implementing this interface; the embedded runner and
// the NATS workers execute the same modules, so wiring one experiment makes it run everywhere.
import type { Logger } from '@locscope/server-kit';
import type { z } from 'zod';
import type { JsonValue } from './canonical-json.ts';
import type { ResolvedConfig } from './config/resolve.ts';
import type { Dataset } from './dataset.ts';
import type { JobKey, SampleRecord } from './keys.ts';
import type { Aggregate } from './report/model.ts';
import type { ArtifactStore } from './store/artifacts.ts';
import type { ServiceCalls } from './services/clients.ts';

/** One unit of work as `plan` produces it: a sample id (unique within the experiment) and its input. */
export interface PlannedJob<In extends JsonValue = JsonValue> {
  sample: string;
  input: In;
}

/** A job as a worker receives it: self-contained, so any process can run it. */
export interface Job<In extends JsonValue = JsonValue, P = unknown> extends JobKey {
  /** The experiment module's version; a worker running another version refuses the job. */
  version: number;
  config: ResolvedConfig<P>;
  input: In;
}

/** One result of a sample: one (variant, seed) of it. */
export interface RecordValue<V extends JsonValue = JsonValue> {
  variant: string;
  seed: number;
  value: V;
}

/** A stored record (defined beside its key: the store layer uses it without the experiment contract). */
export type { SampleRecord };

export interface PlanContext<P> {
  runId: string;
  config: ResolvedConfig<P>;
  /** The config's dataset, loaded on first use (experiments with synthetic inputs never load it). */
  dataset(): Promise<Dataset>;
  /** Aggregate of an experiment listed in `dependsOn` (e.g. the control set, or CMA's head ranking). */
  upstream(experiment: string): Promise<Aggregate>;
}

/** The clients and the run's abort signal (which cancels in-flight calls), plus artifacts and a logger. */
export interface SampleContext extends ServiceCalls {
  artifacts: ArtifactStore;
  logger: Logger;
}

export interface Experiment<P = unknown, In extends JsonValue = JsonValue, V extends JsonValue = JsonValue> {
  id: string;
  /** Module version: bump when results would change; stored in the run manifest and in every job. */
  version: number;
  /** Validates and fills defaults of the config's `params`. */
  params: z.ZodType<P>;
  /** Experiments whose aggregates `plan` reads; they run first. */
  dependsOn: string[];
  plan(ctx: PlanContext<P>): Promise<PlannedJob<In>[]>;
  /** Does one sample's work over gRPC; must be deterministic for a given job (records are idempotent). */
  runSample(job: Job<In, P>, ctx: SampleContext): Promise<RecordValue<V>[]>;
  /** Pure: records arrive sorted by key, so equal records give byte-identical aggregates. */
  aggregate(records: SampleRecord<V>[], config: ResolvedConfig<P>): Aggregate;
}

/** Type-erased experiment, as the registry stores it. */
export type AnyExperiment = Experiment<any, any, any>;

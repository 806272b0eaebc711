// Where finished work goes. A job's records are stored together, durably, before the job counts as
// done; storing the same job twice stores the same bytes (jobs are deterministic), which is what
// makes redelivered NATS messages and resumed runs harmless.
import type { JobKey, SampleRecord } from '../keys.ts';

export interface JobResult {
  key: JobKey;
  records: SampleRecord[];
}

/** A job that failed for good (NATS: after max deliveries); retried when the run is resumed. */
export interface JobFailure {
  key: JobKey;
  error: string;
  attempts: number;
}

export interface RecordStore {
  /** True when the job's records are stored. */
  has(key: JobKey): Promise<boolean>;
  put(result: JobResult): Promise<void>;
  putFailure(failure: JobFailure): Promise<void>;
  /** Results of one experiment in one run, in job-key order. */
  list(run: string, experiment: string): Promise<JobResult[]>;
  failures(run: string, experiment: string): Promise<JobFailure[]>;
}

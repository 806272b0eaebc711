// Names of everything locscope keeps in NATS. One set per NATS account; runs are separated by
// their id inside subjects and keys.
import { keyToken, type JobKey } from '../keys.ts';

/** Work-queue stream holding per-sample jobs: a message is removed once a worker acks it. */
export const JOB_STREAM = 'LOCSCOPE_JOBS';
export const JOB_SUBJECTS = 'locscope.jobs.>';
/** The durable pull consumer every worker shares (a work queue admits one consumer per subject). */
export const WORKER_CONSUMER = 'locscope-workers';
/** Records (`r.`) and final failures (`f.`) per job. */
export const RECORDS_BUCKET = 'locscope-records';
/** Run manifest and state per run. */
export const RUNS_BUCKET = 'locscope-runs';
/** Large artifacts (captures, images) and rendered reports. */
export const ARTIFACTS_BUCKET = 'locscope-artifacts';

export function jobSubject(run: string): string {
  return `locscope.jobs.${run}`;
}

/** Stream keeping every run's events, so a watcher can replay them from a sequence number. */
export const EVENT_STREAM = 'LOCSCOPE_EVENTS';
export const EVENT_SUBJECTS = 'locscope.run.>';

export type EventKind = 'progress' | 'sample' | 'done';

/** Progress, per-sample and completion events of a run. */
export function eventSubject(run: string, kind: EventKind): string {
  return `locscope.run.${run}.${kind}`;
}

/** Subject filter matching every event of one run. */
export function runEventsFilter(run: string): string {
  return `locscope.run.${run}.*`;
}

export function recordKey(key: JobKey): string {
  return `r.${key.run}.${keyToken(key.experiment)}.${keyToken(key.sample)}`;
}

export function failureKey(key: JobKey): string {
  return `f.${key.run}.${keyToken(key.experiment)}.${keyToken(key.sample)}`;
}

// Runs one job: the experiment's per-sample work inside its own trace, then checks and keys the
// records. Shared by the embedded runner and the NATS workers.
import { InvalidArgumentError, withSpan } from '@locscope/server-kit';
import { ROOT_CONTEXT, type Context } from '@opentelemetry/api';
import { setMaxListeners } from 'node:events';
import type { Job, SampleContext, SampleRecord } from '../experiment.ts';
import { NotWiredError, RunConflictError, SampleFailedError } from '../errors.ts';
import { compareRecordKeys } from '../keys.ts';
import { findExperiment } from '../registry.ts';
import type { JobResult } from '../store/records.ts';

/**
 * `parent` is the trace context the job arrived with (NATS headers); embedded jobs start a new
 * trace, so every sample is one trace.
 */
export async function executeJob(job: Job, ctx: SampleContext, parent: Context = ROOT_CONTEXT): Promise<JobResult> {
  const attributes = { 'locscope.run': job.run, 'locscope.experiment': job.experiment, 'locscope.sample': job.sample };
  return withSpan(
    `sample ${job.experiment}/${job.sample}`,
    attributes,
    async () => {
      const experiment = findExperiment(job.experiment);
      if (!experiment) throw new NotWiredError(`experiment "${job.experiment}" is not implemented in this process`);
      if (experiment.version !== job.version) {
        throw new RunConflictError(
          `job ${job.experiment}/${job.sample} is for version ${job.version}, this process runs version ${experiment.version}`,
        );
      }
      // Every in-flight call listens on the run's signal to cancel itself, dozens at once across
      // concurrent jobs (containerization alone starts ~20): no leak, so no listener-count warning.
      setMaxListeners(0, ctx.signal);
      let values;
      try {
        values = await experiment.runSample(job, ctx);
      } catch (error) {
        throw new SampleFailedError(job.experiment, job.sample, error);
      }
      const key = { run: job.run, experiment: job.experiment, sample: job.sample };
      const records: SampleRecord[] = values.map((v) => ({ ...key, variant: v.variant, seed: v.seed, value: v.value }));
      checkRecords(records, job);
      return { key, records: records.sort(compareRecordKeys) };
    },
    parent,
  );
}

function checkRecords(records: SampleRecord[], job: Job): void {
  const seen = new Set<string>();
  for (const r of records) {
    if (r.variant === '' || !Number.isInteger(r.seed)) {
      throw new InvalidArgumentError(`${job.experiment}/${job.sample}: record needs a non-empty variant and an integer seed`, {
        field: 'records',
      });
    }
    const id = `${r.variant}\u0000${r.seed}`;
    if (seen.has(id)) {
      throw new InvalidArgumentError(`${job.experiment}/${job.sample}: duplicate record (${r.variant}, seed ${r.seed})`, {
        field: 'records',
      });
    }
    seen.add(id);
  }
}

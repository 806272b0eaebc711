// From stored job results to an experiment's aggregate. Records are flattened and sorted by key
// first, so the aggregate never depends on which worker finished first.
import { compareRecordKeys } from '../keys.ts';
import type { Aggregate } from '../report/model.ts';
import type { JobFailure, JobResult } from '../store/records.ts';
import type { Stage } from './plan.ts';

/** How many failure messages a note lists before summarizing. */
const FAILURES_LISTED = 5;

export function aggregateStage(stage: Stage, results: JobResult[], failures: JobFailure[], planned: number): Aggregate {
  const records = results.flatMap((r) => r.records).sort(compareRecordKeys);
  const aggregate = stage.experiment.aggregate(records, stage.config);
  if (failures.length === 0) return aggregate;
  const sorted = [...failures].sort((a, b) => (a.key.sample < b.key.sample ? -1 : a.key.sample > b.key.sample ? 1 : 0));
  const listed = sorted.slice(0, FAILURES_LISTED).map((f) => `${f.key.sample}: ${f.error}`);
  const more = sorted.length > FAILURES_LISTED ? ` (and ${sorted.length - FAILURES_LISTED} more)` : '';
  return {
    ...aggregate,
    notes: [
      ...aggregate.notes,
      `${failures.length} of ${planned} samples failed and are not in these results${more}: ${listed.join('; ')}`,
    ],
  };
}

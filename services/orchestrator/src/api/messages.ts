// The orchestrator's run state and events in their locscope.v1 message form.
import {
  ExperimentStatus,
  RunStatus,
  type ExperimentProgress as ExperimentProgressMessage,
  type Run,
  type WatchRunResponse,
} from '@locscope/proto/v1/orchestrator';
import type { SequencedEvent } from '../execution/event-log.ts';
import type { ExperimentProgress, RunState } from '../execution/state.ts';

const RUN_STATUS: Record<RunState['status'], RunStatus> = {
  running: RunStatus.RUN_STATUS_RUNNING,
  done: RunStatus.RUN_STATUS_DONE,
  failed: RunStatus.RUN_STATUS_FAILED,
  interrupted: RunStatus.RUN_STATUS_INTERRUPTED,
};

const EXPERIMENT_STATUS: Record<ExperimentProgress['status'], ExperimentStatus> = {
  pending: ExperimentStatus.EXPERIMENT_STATUS_PENDING,
  running: ExperimentStatus.EXPERIMENT_STATUS_RUNNING,
  done: ExperimentStatus.EXPERIMENT_STATUS_DONE,
};

export function runMessage(state: RunState): Run {
  const experiments: Record<string, ExperimentProgressMessage> = {};
  for (const [id, p] of Object.entries(state.experiments)) {
    experiments[id] = { total: p.total, done: p.done, failed: p.failed, status: EXPERIMENT_STATUS[p.status] };
  }
  return { runId: state.run, status: RUN_STATUS[state.status], experiments, report: state.report ?? '', error: state.error ?? '' };
}

export function eventMessage(event: SequencedEvent): WatchRunResponse {
  switch (event.kind) {
    case 'progress':
      return { sequence: event.sequence, event: { $case: 'progress', value: runMessage(event.state) } };
    case 'done':
      return { sequence: event.sequence, event: { $case: 'done', value: runMessage(event.state) } };
    case 'sample': {
      const { run, experiment, sample, ok, error, worker } = event.sample;
      return { sequence: event.sequence, event: { $case: 'sample', value: { runId: run, experiment, sample, ok, error: error ?? '', worker: worker ?? '' } } };
    }
  }
}

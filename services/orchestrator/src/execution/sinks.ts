// Observers of a run's progress: the state file `locscope status` reads, and the progress bar.
import cliProgress from 'cli-progress';
import type { RunDirectory } from '../store/run-directory.ts';
import type { RunSink, RunState } from './state.ts';

/** Keeps `state.json` current (atomically replaced, so a reader never sees half a file). */
export function stateFileSink(directory: RunDirectory): RunSink {
  return { state: (state) => directory.writeJson(state, 'state.json') };
}

/**
 * One progress bar per experiment with rate and ETA, on stderr (stdout carries only the report
 * path). Drawn only on a terminal; redirected output gets the structured log lines instead.
 */
export function progressBarSink(stream: NodeJS.WriteStream = process.stderr): RunSink | undefined {
  if (!stream.isTTY) return undefined;
  let bar: cliProgress.SingleBar | undefined;
  let current: string | undefined;
  const stop = () => {
    bar?.stop();
    bar = undefined;
    current = undefined;
  };
  return {
    state(state: RunState) {
      const running = Object.entries(state.experiments).find(([, p]) => p.status === 'running');
      if (!running) return stop();
      const [experiment, progress] = running;
      if (experiment !== current) {
        stop();
        current = experiment;
        bar = new cliProgress.SingleBar(
          {
            stream,
            format: `${experiment.padEnd(16)} {bar} {value}/{total} | {failed} failed | {duration_formatted} elapsed | ETA {eta_formatted}`,
            hideCursor: true,
            etaBuffer: 20,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(progress.total, progress.done, { failed: progress.failed });
      }
      bar?.update(progress.done + progress.failed, { failed: progress.failed });
    },
    done: stop,
  };
}

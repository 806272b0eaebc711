// A liveness watch for fault and fuzz suites: polls grpc.health.v1 Check the way a kubelet probe
// does (a fresh connection each time, a per-check timeout) while hostile work runs, and records
// the slowest answer and the checks that failed or timed out. Latency counts from when a check
// was due, not when it was sent: with the server in the same process, a blocked event loop
// delays the sending too, and a probe from outside would have waited that long.
import { checkHealth } from './testing.ts';

export interface HealthWatchOptions {
  /** Pause between checks (default 100 ms). */
  intervalMs?: number;
  /** A check slower than this counts as failed (default 5 s: generous, a liveness bound, not a speed target). */
  timeoutMs?: number;
  /** Service name checked ('' = the whole server). */
  service?: string;
}

/** One check: when it was due (performance.now()) and how long after that it was answered. */
export interface HealthSample {
  dueMs: number;
  latencyMs: number;
}

export interface HealthWatchReport {
  checks: number;
  /** Every check, in order (so that a suite can tell which of its phases slowed health down). */
  samples: HealthSample[];
  /** Checks that errored, answered other than SERVING, or answered more than timeoutMs after they were due. */
  failures: string[];
  worstLatencyMs: number;
}

export const DEFAULT_HEALTH_WATCH_INTERVAL_MS = 100;
export const DEFAULT_HEALTH_WATCH_TIMEOUT_MS = 5_000;

/** Starts polling `address`; `stop()` ends the watch and reports. */
export function watchHealth(address: string, options: HealthWatchOptions = {}): { stop(): Promise<HealthWatchReport> } {
  const intervalMs = options.intervalMs ?? DEFAULT_HEALTH_WATCH_INTERVAL_MS;
  const timeoutMs = options.timeoutMs ?? DEFAULT_HEALTH_WATCH_TIMEOUT_MS;
  const report: HealthWatchReport = { checks: 0, samples: [], failures: [], worstLatencyMs: 0 };
  let running = true;
  const loop = (async () => {
    let due = performance.now();
    while (running) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<string>((resolve) => (timer = setTimeout(() => resolve(`no answer within ${timeoutMs} ms`), timeoutMs)));
      const outcome = await Promise.race([
        checkHealth(address, options.service ?? '').then(
          (status) => (status === 'SERVING' ? '' : `answered ${status}`),
          (error: Error) => `failed: ${error.message}`,
        ),
        timeout,
      ]);
      clearTimeout(timer);
      const latency = performance.now() - due;
      report.checks++;
      report.samples.push({ dueMs: due, latencyMs: latency });
      report.worstLatencyMs = Math.max(report.worstLatencyMs, latency);
      const late = latency > timeoutMs ? `answered ${latency.toFixed(0)} ms after it was due` : '';
      if (outcome || late) report.failures.push(`check ${report.checks}: ${outcome || late}`);
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
      due += latency + intervalMs;
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return report;
    },
  };
}

// The metrics server's limits as serve flags: `--help` lists each with its named default, flags win
// over env over defaults, a bad value names its flag, and the limits given on the command line are
// the ones the running server prices requests and probe sessions against.
import { credentials, status, type ServiceError } from '@grpc/grpc-js';
import { MetricsClient } from '@locscope/proto/v1/metrics';
import { commandHelp, createLogger, parseFlags, SERVICE_FLAGS, type RunningServer } from '@locscope/server-kit';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_METRICS_PORT, metricsLauncher } from '../launcher.ts';
import { DEFAULT_METRICS_LIMITS } from './limits.ts';
import { DEFAULT_PROBE_SESSION_LIMITS } from './probe-sessions.ts';

const spec = { name: 'serve metrics', summary: '', flags: { ...SERVICE_FLAGS, ...metricsLauncher.flags } };
const read = (argv: string[], env: NodeJS.ProcessEnv = {}) => metricsLauncher.readConfig(parseFlags(spec, argv).values, env, DEFAULT_METRICS_PORT);

let server: RunningServer | undefined;
afterAll(() => server?.shutdown());

describe('metrics server config', () => {
  it('lists every cost and probe-session limit in --help with its default and env var', () => {
    const help = commandHelp(spec).replace(/\s+/g, ' ');
    for (const [flag, env, value] of [
      ['max-resamples', 'LOCSCOPE_MAX_RESAMPLES', DEFAULT_METRICS_LIMITS.maxResamples],
      ['max-bootstrap-draws', 'LOCSCOPE_MAX_BOOTSTRAP_DRAWS', DEFAULT_METRICS_LIMITS.maxBootstrapDraws],
      ['max-probe-dim', 'LOCSCOPE_MAX_PROBE_DIM', DEFAULT_METRICS_LIMITS.maxProbeDim],
      ['max-probe-grid-cells', 'LOCSCOPE_MAX_PROBE_GRID_CELLS', DEFAULT_METRICS_LIMITS.maxProbeGridCells],
      ['max-probe-training-bytes', 'LOCSCOPE_MAX_PROBE_TRAINING_BYTES', DEFAULT_METRICS_LIMITS.maxProbeTrainingBytes],
      ['max-probe-epochs', 'LOCSCOPE_MAX_PROBE_EPOCHS', DEFAULT_METRICS_LIMITS.maxProbeEpochs],
      ['max-probe-sessions', 'LOCSCOPE_MAX_PROBE_SESSIONS', DEFAULT_PROBE_SESSION_LIMITS.maxSessions],
      ['max-probe-sessions-per-caller', 'LOCSCOPE_MAX_PROBE_SESSIONS_PER_CALLER', DEFAULT_PROBE_SESSION_LIMITS.maxSessionsPerOwner],
      ['max-probe-session-bytes', 'LOCSCOPE_MAX_PROBE_SESSION_BYTES', DEFAULT_PROBE_SESSION_LIMITS.maxSessionBytes],
      ['max-probe-sessions-bytes', 'LOCSCOPE_MAX_PROBE_SESSIONS_BYTES', DEFAULT_PROBE_SESSION_LIMITS.maxTotalBytes],
      ['probe-session-ttl-ms', 'LOCSCOPE_PROBE_SESSION_TTL_MS', DEFAULT_PROBE_SESSION_LIMITS.ttlMs],
    ] as const) {
      // The flag, its description (no `--` inside), then its default and env var.
      expect(help).toMatch(new RegExp(`--${flag} <N> (?:(?!--).)*\\(default: ${value}; env: ${env}\\)`));
    }
  });

  it('takes flags over env over the named defaults, and names the flag of a bad value', () => {
    expect(read([])).toMatchObject({ limits: DEFAULT_METRICS_LIMITS, probeSessions: DEFAULT_PROBE_SESSION_LIMITS });
    const env = { LOCSCOPE_MAX_RESAMPLES: '50', LOCSCOPE_PROBE_SESSION_TTL_MS: '1000' };
    expect(read([], env)).toMatchObject({ limits: { ...DEFAULT_METRICS_LIMITS, maxResamples: 50 }, probeSessions: { ...DEFAULT_PROBE_SESSION_LIMITS, ttlMs: 1000 } });
    expect(read(['--max-resamples', '60', '--max-probe-sessions', '2'], env)).toMatchObject({
      limits: { ...DEFAULT_METRICS_LIMITS, maxResamples: 60 },
      probeSessions: { ...DEFAULT_PROBE_SESSION_LIMITS, ttlMs: 1000, maxSessions: 2 },
    });
    expect(() => read(['--max-resamples', '-5'])).toThrowError(/^max-resamples: expected an integer in \[1, /);
    expect(() => read([], { LOCSCOPE_MAX_PROBE_SESSIONS_PER_CALLER: '2.5' })).toThrowError(/^max-probe-sessions-per-caller: .*got "2\.5"/);
  });

  it('prices requests and probe sessions against the limits it was started with', { timeout: 60_000 }, async () => {
    const config = read(['--port', '0', '--max-resamples', '10', '--max-probe-sessions', '1']);
    server = await metricsLauncher.start({ ...config, shutdownGraceMs: 1000 }, createLogger({ level: 'silent' }));
    const client = new MetricsClient(server.address, credentials.createInsecure());
    const call = (method: 'summarize' | 'createProbeSession', request: object) =>
      new Promise<ServiceError | null>((resolve) => (client[method] as Function).call(client, request, (e: ServiceError | null) => resolve(e)));

    expect(await call('summarize', { groupKeys: [], objectAreas: [], values: [0.1, 0.5, 0.9], resamples: 10 })).toBeNull();
    const resamples = await call('summarize', { groupKeys: [], objectAreas: [], values: [0.1, 0.5, 0.9], resamples: 11 });
    expect(resamples?.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(resamples?.details).toMatch(/^resamples: .*\(max-resamples\)/);

    expect(await call('createProbeSession', { dim: 4, gridRows: 2, gridCols: 2 })).toBeNull();
    const second = await call('createProbeSession', { dim: 4, gridRows: 2, gridCols: 2 });
    client.close();
    expect(second?.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(second?.details).toContain('(limit 1, max-probe-sessions)');
  });
});

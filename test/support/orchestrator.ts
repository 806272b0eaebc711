// Paths and helpers for driving the real `locscope` CLI from integration tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const LOCSCOPE_BIN = fileURLToPath(new URL('../../services/orchestrator/bin/locscope.js', import.meta.url));
/** The test-only arith experiment: plugin module and config directory. */
export const ARITH_PLUGIN = fileURLToPath(new URL('../../services/orchestrator/src/testing/arith-plugin.ts', import.meta.url));

export function spawnLocscope(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): ChildProcess {
  return spawn(process.execPath, [LOCSCOPE_BIN, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...process.env, LOCSCOPE_LOG_LEVEL: 'warn', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Resolves with exit code, stdout and stderr. */
export function finished(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

/** Calls `onLine` with each JSON log line the child writes on stderr (other output is skipped). */
export function watchLines(child: ChildProcess, onLine: (line: Record<string, unknown>) => void): void {
  let buffer = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop()!;
    for (const line of lines) {
      try {
        onLine(JSON.parse(line));
      } catch {
        // not a log line
      }
    }
  });
}

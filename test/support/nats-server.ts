// Starts a real nats-server with JetStream on a random loopback port and a fresh store directory.
// nats-server is a system dependency the test setup installs (scripts/ensure-system-deps.mjs).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface NatsServer {
  url: string;
  stop(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 20_000;

export interface NatsServerOptions {
  /** Replace the default JetStream arguments (`-js -sd <fresh dir>`), e.g. with `-c FILE`. */
  args?: string[];
  /** Added to the server's environment (a config file may read `$NAME` from it). */
  env?: Record<string, string>;
}

export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServer> {
  const storeDir = await mkdtemp(join(tmpdir(), 'locscope-nats-'));
  const child: ChildProcess = spawn('nats-server', ['-a', '127.0.0.1', '-p', '-1', ...(options.args ?? ['-js', '-sd', storeDir])], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  const url = await new Promise<string>((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => reject(new Error(`nats-server did not start:\n${log}`)), STARTUP_TIMEOUT_MS);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      const match = /Listening for client connections on ([\d.]+:\d+)/.exec(log);
      if (match) {
        clearTimeout(timer);
        resolve(`nats://${match[1]}`);
      }
    });
  });
  return {
    url,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(storeDir, { recursive: true, force: true });
    },
  };
}

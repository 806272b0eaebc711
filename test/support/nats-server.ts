// Starts a real nats-server with JetStream on a random loopback port and a fresh store directory,
// or with the arguments given (e.g. `-c FILE` for TLS and authorization). `pause` stops the server
// and keeps its store; `resume` starts it again on the same port (an outage). nats-server is a
// system dependency the test setup installs (scripts/ensure-system-deps.mjs).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface NatsServer {
  url: string;
  port: number;
  /** Stops the server (SIGTERM), keeping its JetStream store. */
  pause(): Promise<void>;
  /** Starts it again on the same port with the same arguments and store. */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

export interface NatsServerOptions {
  /** Replace the default JetStream arguments (`-js -sd <fresh dir>`), e.g. with `-c FILE`. */
  args?: string[];
  /** Added to the server's environment (a config file may read `$NAME` from it). */
  env?: Record<string, string>;
  /** URL scheme clients use (`tls` for a TLS-only server). */
  scheme?: 'nats' | 'tls';
}

const STARTUP_TIMEOUT_MS = 20_000;

export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServer> {
  const storeDir = await mkdtemp(join(tmpdir(), 'locscope-nats-'));
  const args = options.args ?? ['-js', '-sd', storeDir];
  let child: ChildProcess;
  const launch = (port: number) => {
    child = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port), ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, ...options.env },
    });
    return listening(child);
  };
  const halt = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  const address = await launch(-1);
  const port = Number(address.split(':')[1]);
  return {
    url: `${options.scheme ?? 'nats'}://${address}`,
    port,
    pause: halt,
    async resume() {
      await launch(port);
    },
    async stop() {
      await halt();
      await rm(storeDir, { recursive: true, force: true });
    },
  };
}

function listening(child: ChildProcess): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => reject(new Error(`nats-server did not start:\n${log}`)), STARTUP_TIMEOUT_MS);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`nats-server exited with ${code}:\n${log}`));
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      const match = /Listening for client connections on ([\d.]+:\d+)/.exec(log);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
  });
}

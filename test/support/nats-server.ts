// Starts a real nats-server with JetStream on a random loopback port and a fresh store directory,
// optionally with a config file (TLS, authorization). `pause` stops the server and keeps its store;
// `resume` starts it again on the same port (an outage). nats-server is a system dependency the
// test setup installs (scripts/ensure-system-deps.mjs).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface NatsServer {
  url: string;
  port: number;
  /** Stops the server (SIGTERM), keeping its JetStream store. */
  pause(): Promise<void>;
  /** Starts it again on the same port with the same store. */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

export interface NatsServerOptions {
  /** nats-server config file contents (e.g. `tls {…}` and `authorization {…}` blocks). */
  config?: string;
  /** URL scheme clients use (`tls` for a TLS-only server). */
  scheme?: 'nats' | 'tls';
}

const STARTUP_TIMEOUT_MS = 20_000;

export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServer> {
  const storeDir = await mkdtemp(join(tmpdir(), 'locscope-nats-'));
  const configArgs: string[] = [];
  if (options.config !== undefined) {
    const file = join(storeDir, 'server.conf');
    await writeFile(file, options.config);
    configArgs.push('-c', file);
  }
  let child: ChildProcess;
  const launch = async (port: number) => {
    child = spawn('nats-server', [...configArgs, '-a', '127.0.0.1', '-p', String(port), '-js', '-sd', join(storeDir, 'js')], {
      stdio: ['ignore', 'ignore', 'pipe'],
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

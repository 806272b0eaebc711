// The worker side of worker-pool.ts: runs one named export of the task module per task. Typed
// errors cannot cross the thread boundary as classes (structured cloning keeps only Error's
// message), so they travel as their status code, field and message and are rebuilt by the pool.
import type { status } from '@grpc/grpc-js';
import { LocscopeError } from './errors.ts';

/** A task as it crosses to the worker. */
export interface WorkerTask {
  name: string;
  input: unknown;
}

/** A task's outcome as it crosses back. */
export type WorkerOutcome = { value: unknown } | { error: { code: status; field: string | undefined; message: string } };

type TaskModule = Record<string, (input: never) => unknown>;

export async function taskRunner(moduleUrl: string): Promise<(task: WorkerTask) => Promise<WorkerOutcome>> {
  const tasks = (await import(moduleUrl)) as TaskModule;
  return async ({ name, input }) => {
    const task = tasks[name];
    if (typeof task !== 'function') throw new Error(`worker task module ${moduleUrl} has no task "${name}"`);
    try {
      return { value: await task(input as never) };
    } catch (error) {
      if (!(error instanceof LocscopeError)) throw error;
      const prefix = error.field ? `${error.field}: ` : '';
      return { error: { code: error.code, field: error.field, message: error.message.slice(prefix.length) } };
    }
  };
}

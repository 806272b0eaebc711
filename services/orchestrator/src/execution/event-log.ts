// The embedded run's event log, `events.jsonl` in the run directory: the progress, sample and done
// events a NATS run publishes on `locscope.run.<id>.*`, numbered 1, 2, … across every execution
// of the run (a resume appends). The orchestrator service's WatchRun replays and follows it, so a
// watcher that lost its stream resumes from the last sequence it saw, whichever process ran the run.
import { appendFile, open, readFile, truncate } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { setTimeout as sleep } from 'node:timers/promises';
import { compactJson } from '../canonical-json.ts';
import type { RunDirectory } from '../store/run-directory.ts';
import type { RunSink, RunState, SampleEvent } from './state.ts';

export const EVENT_LOG_FILE = 'events.jsonl';
/** How often a follower looks for new lines (the writer may be another process, so no in-process signal). */
export const EVENT_POLL_MS = 200;

export type RunEvent = { kind: 'progress'; state: RunState } | { kind: 'sample'; sample: SampleEvent } | { kind: 'done'; state: RunState };
export type SequencedEvent = RunEvent & { sequence: number };

/** Appends every event of the run to its log (the tracker calls sinks one at a time, in order). */
export function eventLogSink(directory: RunDirectory): RunSink {
  const file = directory.file(EVENT_LOG_FILE);
  let next: Promise<number> | undefined;
  const append = async (event: RunEvent) => {
    const sequence = await (next ??= lastSequence(file));
    next = Promise.resolve(sequence + 1);
    await appendFile(file, `${compactJson({ sequence: sequence + 1, ...event })}\n`);
  };
  return {
    state: (state) => append({ kind: 'progress', state }),
    sample: (sample) => append({ kind: 'sample', sample }),
    done: (state) => append({ kind: 'done', state }),
  };
}

/**
 * The last complete line's sequence (0 for a new log). A process killed mid-append can leave half
 * a line; it is cut off so the next event starts on a line of its own.
 */
async function lastSequence(file: string): Promise<number> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  const end = text.lastIndexOf('\n') + 1;
  if (end < text.length) await truncate(file, Buffer.byteLength(text.slice(0, end)));
  const lines = text.slice(0, end).split('\n').filter((l) => l !== '');
  return lines.length === 0 ? 0 : (JSON.parse(lines[lines.length - 1]) as SequencedEvent).sequence;
}

/**
 * Events with a sequence above `after`, as they are appended, until (and including) the first done
 * event among them, or until `signal` aborts.
 */
export async function* followEventLog(directory: RunDirectory, after: number, signal: AbortSignal): AsyncGenerator<SequencedEvent> {
  const file = directory.file(EVENT_LOG_FILE);
  let offset = 0;
  let pending = '';
  // A read can end inside a multi-byte character; the decoder holds its first bytes back.
  const decoder = new StringDecoder('utf8');
  while (!signal.aborted) {
    const chunk = await readFrom(file, offset);
    offset += chunk.length;
    pending += decoder.write(chunk);
    const end = pending.lastIndexOf('\n') + 1;
    const lines = pending.slice(0, end).split('\n').filter((l) => l !== '');
    pending = pending.slice(end);
    for (const line of lines) {
      const event = JSON.parse(line) as SequencedEvent;
      if (event.sequence <= after) continue;
      yield event;
      if (event.kind === 'done') return;
    }
    if (chunk.length === 0) await sleep(EVENT_POLL_MS, undefined, { signal }).catch(() => undefined);
  }
}

async function readFrom(file: string, offset: number): Promise<Buffer> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    // Not written yet: the run has not emitted its first event.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return Buffer.alloc(0);
    throw error;
  }
  try {
    const { size } = await handle.stat();
    if (size <= offset) return Buffer.alloc(0);
    const buffer = Buffer.alloc(size - offset);
    await handle.read(buffer, 0, buffer.length, offset);
    return buffer;
  } finally {
    await handle.close();
  }
}

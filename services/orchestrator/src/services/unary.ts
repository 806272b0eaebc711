// Promise form of a generated unary gRPC method, with the orchestrator's deadline and the run's
// abort signal: a stopped run cancels its in-flight calls instead of waiting out their deadlines
// (a Generate or HeadSweep can take minutes).
import { Metadata, type CallOptions, type ClientUnaryCall, type ServiceError } from '@grpc/grpc-js';
import { CancelledError } from '@locscope/server-kit';
import { DEFAULT_CALL_DEADLINE_MS } from './clients.ts';

type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: ServiceError | null, response: Res) => void,
) => ClientUnaryCall;

function cancelled(signal: AbortSignal, cause: unknown): CancelledError {
  return new CancelledError(`call cancelled: ${String(signal.reason ?? 'aborted')}`, { cause });
}

/** Calls `method`; rejects with a CancelledError once `signal` aborts (the call is cancelled on the wire). */
export function unary<Req, Res>(method: UnaryMethod<Req, Res>, request: Req, signal: AbortSignal, deadlineMs = DEFAULT_CALL_DEADLINE_MS): Promise<Res> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(cancelled(signal, signal.reason));
      return;
    }
    const cancel = () => call.cancel();
    const call = method(request, new Metadata(), { deadline: new Date(Date.now() + deadlineMs) }, (error, response) => {
      signal.removeEventListener('abort', cancel);
      if (error) reject(signal.aborted ? cancelled(signal, error) : error);
      else resolve(response);
    });
    signal.addEventListener('abort', cancel, { once: true });
  });
}

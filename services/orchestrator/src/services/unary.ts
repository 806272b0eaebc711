// Promise form of a generated unary gRPC method, with the orchestrator's deadline.
import { Metadata, type CallOptions, type ClientUnaryCall, type ServiceError } from '@grpc/grpc-js';
import { DEFAULT_CALL_DEADLINE_MS } from './clients.ts';

type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: ServiceError | null, response: Res) => void,
) => ClientUnaryCall;

export function unary<Req, Res>(method: UnaryMethod<Req, Res>, request: Req, deadlineMs = DEFAULT_CALL_DEADLINE_MS): Promise<Res> {
  return new Promise((resolve, reject) =>
    method(request, new Metadata(), { deadline: new Date(Date.now() + deadlineMs) }, (error, response) =>
      error ? reject(error) : resolve(response),
    ),
  );
}

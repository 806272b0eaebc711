// Rich gRPC error details: a google.rpc.Status (code, message, details as google.protobuf.Any) in the
// `grpc-status-details-bin` trailer, as googleapis' error model defines it, so that any gRPC client
// library can read e.g. a RetryInfo. The messages are declared here by their wire contract (field
// numbers of google/rpc/status.proto and error_details.proto) and encoded with protobufjs.
import { Metadata, type status } from '@grpc/grpc-js';
import protobuf from 'protobufjs';

const root = protobuf.Root.fromJSON({
  nested: {
    google: {
      nested: {
        protobuf: {
          nested: {
            Any: { fields: { type_url: { type: 'string', id: 1 }, value: { type: 'bytes', id: 2 } } },
            Duration: { fields: { seconds: { type: 'int64', id: 1 }, nanos: { type: 'int32', id: 2 } } },
          },
        },
        rpc: {
          nested: {
            Status: {
              fields: {
                code: { type: 'int32', id: 1 },
                message: { type: 'string', id: 2 },
                details: { rule: 'repeated', type: 'google.protobuf.Any', id: 3 },
              },
            },
            RetryInfo: { fields: { retry_delay: { type: 'google.protobuf.Duration', id: 1 } } },
          },
        },
      },
    },
  },
});

const StatusType = root.lookupType('google.rpc.Status');
const RetryInfoType = root.lookupType('google.rpc.RetryInfo');

/** The trailer gRPC clients read a google.rpc.Status from. */
export const STATUS_DETAILS_KEY = 'grpc-status-details-bin';

/** One google.protobuf.Any of a status's details. */
export interface StatusDetail {
  typeUrl: string;
  value: Uint8Array;
}

/** google.rpc.RetryInfo: the client should wait `delayMs` before retrying. */
export function retryInfo(delayMs: number): StatusDetail {
  const ms = Math.max(0, Math.ceil(delayMs));
  const message = RetryInfoType.fromObject({ retry_delay: { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 } });
  return { typeUrl: `type.googleapis.com/${RetryInfoType.fullName.slice(1)}`, value: RetryInfoType.encode(message).finish() };
}

/** Encoded google.rpc.Status. */
export function encodeStatus(code: status, message: string, details: StatusDetail[]): Buffer {
  const encoded = StatusType.encode(
    StatusType.fromObject({ code, message, details: details.map((d) => ({ type_url: d.typeUrl, value: d.value })) }),
  ).finish();
  return Buffer.from(encoded);
}

/** Trailing metadata carrying the status and its details (for a grpc-js status object's `metadata`). */
export function statusDetailsMetadata(code: status, message: string, details: StatusDetail[]): Metadata {
  const metadata = new Metadata();
  metadata.set(STATUS_DETAILS_KEY, encodeStatus(code, message, details));
  return metadata;
}

/** Decodes a google.rpc.Status trailer (clients and tests): code, message, and any RetryInfo delay. */
export function decodeStatusDetails(bytes: Uint8Array): { code: number; message: string; retryDelayMs: number | undefined } {
  const decoded = StatusType.toObject(StatusType.decode(bytes), { longs: Number }) as {
    code?: number;
    message?: string;
    details?: { type_url: string; value: Uint8Array }[];
  };
  const retry = decoded.details?.find((d) => d.type_url.endsWith('/google.rpc.RetryInfo'));
  let retryDelayMs: number | undefined;
  if (retry) {
    const info = RetryInfoType.toObject(RetryInfoType.decode(retry.value), { longs: Number }) as { retry_delay?: { seconds?: number; nanos?: number } };
    retryDelayMs = (info.retry_delay?.seconds ?? 0) * 1000 + (info.retry_delay?.nanos ?? 0) / 1e6;
  }
  return { code: decoded.code ?? 0, message: decoded.message ?? '', retryDelayMs };
}

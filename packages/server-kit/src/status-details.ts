// google.rpc.Status details for typed errors, in the `grpc-status-details-bin` trailer that
// Google's error model defines: BadRequest field violations for INVALID_ARGUMENT, ResourceInfo for
// NOT_FOUND, RetryInfo for RESOURCE_EXHAUSTED. The status message stays the one callers already
// read; the details let clients act on the field, the resource or the delay without parsing it.
import { Metadata, status } from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import type { LocscopeError } from './errors.ts';

export const STATUS_DETAILS_KEY = 'grpc-status-details-bin';
const TYPE_URL_PREFIX = 'type.googleapis.com/';

/** One google.protobuf.Any: its type's full name and the encoded message. */
interface Detail {
  type: string;
  value: Uint8Array;
}

/** Trailing metadata carrying the error's details, or undefined when it has none. */
export function statusDetailsMetadata(error: LocscopeError): Metadata | undefined {
  const details = detailsOf(error);
  if (details.length === 0) return undefined;
  const metadata = new Metadata();
  metadata.set(STATUS_DETAILS_KEY, Buffer.from(encodeStatus(error.code, error.message, details)));
  return metadata;
}

function detailsOf(error: LocscopeError): Detail[] {
  switch (error.code) {
    case status.INVALID_ARGUMENT:
      return error.field ? [{ type: 'google.rpc.BadRequest', value: badRequest(error.field, error.description) }] : [];
    case status.NOT_FOUND: {
      const resource = error.resource ?? { type: error.field ?? '', name: '' };
      return [{ type: 'google.rpc.ResourceInfo', value: resourceInfo(resource.type, resource.name, error.description) }];
    }
    case status.RESOURCE_EXHAUSTED:
      return error.retryAfterMs === undefined ? [] : [{ type: 'google.rpc.RetryInfo', value: retryInfo(error.retryAfterMs) }];
    default:
      return [];
  }
}

// Field numbers below are those of google/rpc/status.proto, google/rpc/error_details.proto,
// google/protobuf/any.proto and duration.proto. Wire type 2 (length-delimited) for strings and
// messages, 0 (varint) for integers.
const tag = (field: number, wireType: number) => (field << 3) | wireType;

function encodeStatus(code: number, message: string, details: Detail[]): Uint8Array {
  const w = protobuf.Writer.create().uint32(tag(1, 0)).int32(code).uint32(tag(2, 2)).string(message);
  for (const d of details) {
    w.uint32(tag(3, 2)).fork().uint32(tag(1, 2)).string(TYPE_URL_PREFIX + d.type).uint32(tag(2, 2)).bytes(d.value).ldelim();
  }
  return w.finish();
}

/** BadRequest { repeated FieldViolation field_violations = 1 } with FieldViolation { field = 1; description = 2 }. */
function badRequest(field: string, description: string): Uint8Array {
  return protobuf.Writer.create().uint32(tag(1, 2)).fork().uint32(tag(1, 2)).string(field).uint32(tag(2, 2)).string(description).ldelim().finish();
}

/** ResourceInfo { resource_type = 1; resource_name = 2; owner = 3; description = 4 }. */
function resourceInfo(type: string, name: string, description: string): Uint8Array {
  return protobuf.Writer.create().uint32(tag(1, 2)).string(type).uint32(tag(2, 2)).string(name).uint32(tag(4, 2)).string(description).finish();
}

/** RetryInfo { Duration retry_delay = 1 } with Duration { int64 seconds = 1; int32 nanos = 2 }. */
function retryInfo(delayMs: number): Uint8Array {
  const seconds = Math.floor(delayMs / 1000);
  const nanos = Math.round((delayMs - seconds * 1000) * 1e6);
  return protobuf.Writer.create().uint32(tag(1, 2)).fork().uint32(tag(1, 0)).int64(seconds).uint32(tag(2, 0)).int32(nanos).ldelim().finish();
}

/** Decodes a google.rpc.Status trailer (clients and tests): code, message, and any RetryInfo delay. */
export function decodeStatusDetails(bytes: Uint8Array): { code: number; message: string; retryDelayMs: number | undefined } {
  let code = 0;
  let message = '';
  let retryDelayMs: number | undefined;
  readFields(bytes, (field, r) => {
    if (field === 1) code = r.int32();
    else if (field === 2) message = r.string();
    else if (field === 3) {
      let type = '';
      let value: Uint8Array = new Uint8Array();
      readFields(r.bytes(), (f, a) => {
        if (f === 1) type = a.string();
        else if (f === 2) value = a.bytes();
        else return false;
        return true;
      });
      if (type === TYPE_URL_PREFIX + 'google.rpc.RetryInfo') retryDelayMs = decodeRetryDelayMs(value);
    } else return false;
    return true;
  });
  return { code, message, retryDelayMs };
}

/** RetryInfo's retry_delay in milliseconds. */
function decodeRetryDelayMs(bytes: Uint8Array): number {
  let ms = 0;
  readFields(bytes, (field, r) => {
    if (field !== 1) return false;
    readFields(r.bytes(), (f, d) => {
      if (f === 1) ms += Number(d.int64()) * 1000;
      else if (f === 2) ms += d.int32() / 1e6;
      else return false;
      return true;
    });
    return true;
  });
  return ms;
}

/** Walks a message's fields; `read` consumes a known field and returns false to have it skipped. */
function readFields(bytes: Uint8Array, read: (field: number, reader: protobuf.Reader) => boolean): void {
  const r = protobuf.Reader.create(bytes);
  while (r.pos < r.len) {
    const t = r.uint32();
    if (!read(t >>> 3, r)) r.skipType(t & 7);
  }
}

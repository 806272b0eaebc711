// The fuzzing kit's generators against protobufjs itself: generated messages are well-formed
// wire bytes of their type (every scalar kind, enums with unknown values, oneofs set or not,
// nesting), overrides steer the named fields, and the "undecodable" payloads really do not decode.
import { status } from '@grpc/grpc-js';
import fc from 'fast-check';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { encodeMessage, FuzzTally, messageArbitrary, undecodableBytes, type FuzzResult } from './fuzz.ts';

const schema = protobuf.parse(`
  syntax = "proto3";
  package t;
  enum Color { COLOR_UNSPECIFIED = 0; COLOR_RED = 1; }
  message Inner { repeated int32 values = 1; Inner child = 2; }
  message Outer {
    int32 a = 1; uint32 b = 2; int64 c = 3; sint64 d = 4; double e = 5; float f = 6; bool g = 7;
    string h = 8; bytes i = 9; Color color = 10; repeated Inner inners = 11; optional int32 maybe = 12;
    oneof choice { string name = 13; Inner inner = 14; }
  }
`).root;
schema.resolveAll();
const Outer = schema.lookupType('t.Outer');

describe('messageArbitrary', () => {
  it('yields well-formed wire bytes of the type (decode, re-encode: the same bytes)', () => {
    fc.assert(
      fc.property(messageArbitrary(Outer), (value) => {
        const bytes = encodeMessage(Outer, value);
        expect(Buffer.from(Outer.encode(Outer.decode(bytes)).finish())).toEqual(Buffer.from(bytes));
        expect(['name', 'inner'].filter((k) => value[k] !== undefined).length).toBeLessThanOrEqual(1);
      }),
      { numRuns: 300 },
    );
  });

  it('covers unknown enum values, unset oneofs, both oneof members and nested messages', () => {
    const samples = fc.sample(messageArbitrary(Outer), { numRuns: 400, seed: 1 });
    expect(samples.some((s) => (s.color as number) > 1 || (s.color as number) < 0)).toBe(true);
    expect(samples.some((s) => s.name === undefined && s.inner === undefined)).toBe(true);
    expect(samples.some((s) => s.name !== undefined) && samples.some((s) => s.inner !== undefined)).toBe(true);
    expect(samples.some((s) => (s.inners as { child?: unknown }[]).some((i) => i.child !== undefined))).toBe(true);
  });

  it('applies overrides by Type.field before field name', () => {
    const arbitrary = messageArbitrary(Outer, { overrides: { 'Outer.a': fc.constant(7), a: fc.constant(8), values: fc.constant([5]) } });
    for (const s of fc.sample(arbitrary, { numRuns: 50, seed: 2 })) {
      expect(s.a).toBe(7);
      for (const inner of s.inners as { values: number[] }[]) expect(inner.values).toEqual([5]);
    }
  });
});

describe('undecodableBytes', () => {
  it('never decodes, whatever the message type', () => {
    fc.assert(
      fc.property(undecodableBytes(), fc.constantFrom(Outer, schema.lookupType('t.Inner')), (bytes, type) => {
        expect(() => type.decode(bytes)).toThrow();
      }),
      { numRuns: 200 },
    );
  });
});

describe('FuzzTally', () => {
  const result = (method: string, code: status, sentMs: number, answeredMs: number): FuzzResult<unknown> => ({ input: {}, outcome: { code, details: '' }, method, sentMs, answeredMs });

  it('counts statuses per RPC and gives each the slowest health check due while its calls ran', () => {
    const tally = new FuzzTally();
    tally.add([result('project', status.OK, 0, 50), result('project', status.INVALID_ARGUMENT, 10, 100), result('project', status.OK, 20, 90)]);
    tally.add([result('filter', status.INTERNAL, 200, 300)]);
    tally.add([result('project', status.UNKNOWN, 400, 410)]);
    // Checks due at 5 and 405 fall in project's two batches, 250 in filter's, 150 in neither.
    const samples = [
      { dueMs: 5, latencyMs: 30 },
      { dueMs: 150, latencyMs: 900 },
      { dueMs: 250, latencyMs: 12 },
      { dueMs: 405, latencyMs: 70 },
    ];
    const text = tally.summary('masks', { checks: 4, failures: [], worstLatencyMs: 900, samples });
    expect(tally.calls).toBe(5);
    expect(text.split('\n')).toEqual([
      'fuzz summary masks: calls 5, INTERNAL 1, UNKNOWN 1, health worst 900 ms over 4 checks (0 failed)',
      '| service | RPC | calls | statuses | INTERNAL | UNKNOWN | health checks | health worst ms |',
      '|---|---|---|---|---|---|---|---|',
      '| masks | project | 4 | OK 2, INVALID_ARGUMENT 1, UNKNOWN 1 | 0 | 1 | 2 | 70 |',
      '| masks | filter | 1 | INTERNAL 1 | 1 | 0 | 1 | 12 |',
    ]);
  });
});

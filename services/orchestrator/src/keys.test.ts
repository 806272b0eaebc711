import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkRunId, compareRecordKeys, keyPart, keyToken } from './keys.ts';

describe('key tokens', () => {
  it('round-trip any non-empty string and use only the file/KV-safe alphabet', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, unit: 'binary' }), (s) => {
        const token = keyToken(s);
        expect(token).toMatch(/^[A-Za-z0-9_=-]+$/);
        expect(keyPart(token)).toBe(s);
      }),
    );
  });

  it('are injective', () => {
    fc.assert(fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (a, b) => {
      fc.pre(a !== b);
      return keyToken(a) !== keyToken(b);
    }));
  });

  it('leave plain ids readable', () => {
    expect(keyToken('ann-1234')).toBe('ann-1234');
    expect(keyToken('a.b/c')).toBe('a=2Eb=2Fc');
  });
});

describe('record order', () => {
  const key = fc.record({ run: fc.string(), experiment: fc.string(), sample: fc.string(), variant: fc.string(), seed: fc.integer() });
  it('is a total order (antisymmetric, consistent with equality)', () => {
    fc.assert(
      fc.property(key, key, (a, b) => {
        const ab = compareRecordKeys(a, b);
        expect(Math.sign(ab)).toBe(-Math.sign(compareRecordKeys(b, a)) || 0);
        if (ab === 0) expect(a).toEqual(b);
      }),
    );
  });
});

describe('run ids', () => {
  it('reject path and subject metacharacters', () => {
    for (const bad of ['../x', 'a.b', 'a b', '', '-x', 'a*']) expect(() => checkRunId(bad)).toThrow(/run-id/);
    expect(checkRunId('20261123-2245-ab12')).toBe('20261123-2245-ab12');
  });
});

// Limit flags: one declaration gives the help text (default and env shown) and the parse (flag over
// env over the named default, each value range-checked with an error naming its flag).
import { describe, expect, it } from 'vitest';
import { commandHelp, parseFlags } from './command.ts';
import { InvalidArgumentError } from './errors.ts';
import { defineLimitFlags, limitFlagSpecs, readLimitFlags } from './limit-flags.ts';

interface Limits {
  maxWidgets: number;
  graceMs: number;
}
const DEFAULTS: Limits = { maxWidgets: 64, graceMs: 0 };
const LIMITS = defineLimitFlags<Limits>()({
  'max-widgets': { field: 'maxWidgets', env: 'TEST_MAX_WIDGETS', max: 1000, description: 'widgets per request' },
  'grace-ms': { field: 'graceMs', env: 'TEST_GRACE_MS', min: 0, max: 60_000, description: 'grace period' },
});
const spec = { name: 'serve', summary: 'test', flags: limitFlagSpecs(LIMITS, DEFAULTS) };
const read = (argv: string[], env: NodeJS.ProcessEnv = {}) => readLimitFlags(LIMITS, DEFAULTS, parseFlags(spec, argv).values, env);

describe('limit flags', () => {
  it('lists every limit in help with its default and env var', () => {
    const help = commandHelp(spec).replace(/\s+/g, ' ');
    expect(help).toContain('--max-widgets <N> widgets per request (default: 64; env: TEST_MAX_WIDGETS)');
    expect(help).toContain('--grace-ms <N> grace period (default: 0; env: TEST_GRACE_MS)');
  });

  it('takes the flag over env over the named default', () => {
    expect(read([])).toEqual(DEFAULTS);
    expect(read([], { TEST_MAX_WIDGETS: '5', TEST_GRACE_MS: '' })).toEqual({ maxWidgets: 5, graceMs: 0 });
    expect(read(['--max-widgets', '7', '--grace-ms', '10'], { TEST_MAX_WIDGETS: '5' })).toEqual({ maxWidgets: 7, graceMs: 10 });
  });

  it('refuses values outside the range or not integers, naming the flag', () => {
    expect(() => read(['--max-widgets', '0'])).toThrowError(InvalidArgumentError);
    expect(() => read(['--max-widgets', '0'])).toThrowError('max-widgets: expected an integer in [1, 1000], got "0"');
    expect(() => read([], { TEST_MAX_WIDGETS: '1e9' })).toThrowError(/^max-widgets: /);
    expect(() => read(['--grace-ms', '1.5'])).toThrowError(/^grace-ms: expected an integer in \[0, 60000\]/);
    expect(() => read(['--grace-ms', '-1'])).toThrowError(/^grace-ms: /);
  });
});

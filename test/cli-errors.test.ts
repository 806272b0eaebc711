// Concise CLI errors: usage errors exit 2 with the usage line, expected failures exit 1 with one
// line naming the field, and neither prints a stack trace.
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { finished, spawnLocscope } from './support/orchestrator.ts';

const root = tmpdir();

describe('locscope errors', () => {
  it('are concise for bad flags and unknown runs', async () => {
    const usage = await finished(spawnLocscope(['run', '--profile', 'laptop']));
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^locscope run: --profile must be one of demo, paper, got "laptop"\nusage: locscope run /);
    const missing = await finished(spawnLocscope(['status', 'no-such-run', '--out', root]));
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toMatch(/^locscope status: RUN: no run "no-such-run"/);
    expect(missing.stderr).not.toMatch(/\n\s+at /);
  });
});

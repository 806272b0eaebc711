import { createLogger } from '@locscope/server-kit';
import { describe, expect, it } from 'vitest';
import { ThrottledWarning } from './throttled-warning.ts';

function recorder() {
  const lines: Record<string, unknown>[] = [];
  return { lines, logger: createLogger({ level: 'debug', write: (line) => lines.push(JSON.parse(line)) }) };
}

describe('ThrottledWarning', () => {
  it('logs the first occurrence at once, then one line per interval with the count since the last', () => {
    const { lines, logger } = recorder();
    let now = 0;
    const warning = new ThrottledWarning(logger, 'pull failed', 1000, () => now);
    for (let i = 0; i < 10_000; i++) {
      warning.record(new Error(`failure ${i}`));
      now += 1; // 10 000 failures over 10 s
    }
    warning.flush();
    expect(lines.map((l) => l.count)).toEqual([1, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 999]);
    expect(lines.reduce((sum, l) => sum + Number(l.count), 0)).toBe(10_000);
    expect(lines.at(-1)).toMatchObject({ level: 'warn', message: 'pull failed', error: { message: 'failure 9999' } });
  });

  it('logs nothing on flush when nothing happened since the last line', () => {
    const { lines, logger } = recorder();
    const warning = new ThrottledWarning(logger, 'pull failed', 1000, () => 0);
    warning.flush();
    warning.record('once');
    warning.flush();
    expect(lines).toHaveLength(1);
  });
});

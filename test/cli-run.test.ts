// `locscope run/status/report` as a user runs them: a real process, SIGKILLed mid-run and resumed,
// must end with the same aggregates and report as an undisturbed run.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARITH_PLUGIN, finished, spawnLocscope } from './support/orchestrator.ts';

let root: string;
let configs: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'locscope-cli-'));
  configs = join(root, 'configs');
  await mkdir(configs);
  await writeFile(
    join(configs, 'arith.yaml'),
    'experiment: arith\nversion: 1\ndescription: slow arithmetic\nparams:\n  count: 12\n  seeds: [0, 1]\n  delayMs: 250\n',
  );
});
afterAll(() => rm(root, { recursive: true, force: true }));

const runArgs = (out: string) => ['run', '--experiments', 'arith', '--run-id', 'c1', '--out', out, '--configs', configs, '--plugin', ARITH_PLUGIN, '--concurrency', '2'];

async function countRecords(out: string): Promise<number> {
  return (await readdir(join(out, 'c1/records/arith')).catch(() => [])).filter((f) => f.endsWith('.json')).length;
}

describe('locscope run', () => {
  it('prints the report path last; a SIGKILLed run resumes to identical aggregates', async () => {
    const a = join(root, 'a');
    const undisturbed = await finished(spawnLocscope(runArgs(a)));
    expect(undisturbed.code, undisturbed.stderr).toBe(0);
    const lines = undisturbed.stdout.trim().split('\n');
    expect(lines[lines.length - 1]).toBe(join(a, 'c1/report/index.html'));

    const b = join(root, 'b');
    const victim = spawnLocscope(runArgs(b));
    const exit = finished(victim);
    while ((await countRecords(b)) < 3) await sleep(50);
    victim.kill('SIGKILL');
    expect((await exit).signal).toBe('SIGKILL');
    const partial = await countRecords(b);
    expect(partial).toBeLessThan(12);

    const resumed = await finished(spawnLocscope(runArgs(b)));
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(await countRecords(b)).toBe(12);
    for (const file of ['aggregates/arith.json', 'report/index.html', 'report/arith/sums.csv', 'report/arith/grid.svg']) {
      expect(await readFile(join(b, 'c1', file), 'utf8'), file).toBe(await readFile(join(a, 'c1', file), 'utf8'));
    }

    const status = await finished(spawnLocscope(['status', 'c1', '--out', b, '--json']));
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ run: 'c1', status: 'done', experiments: { arith: { total: 12, done: 12, failed: 0 } } });

    const before = await readFile(join(a, 'c1/report/index.html'), 'utf8');
    const report = await finished(spawnLocscope(['report', 'c1', '--out', a]));
    expect(report.code, report.stderr).toBe(0);
    expect(report.stdout.trim()).toBe(join(a, 'c1/report/index.html'));
    expect(await readFile(join(a, 'c1/report/index.html'), 'utf8')).toBe(before);
  });
});

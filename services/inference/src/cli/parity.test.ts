// `locscope parity` end to end on a shared fixture: its output contract (one line per reference
// tensor, last line max_abs_diff=<value>), exit status against --atol, and flag errors.
import { afterEach, describe, expect, test, vi } from 'vitest';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '@locscope/server-kit';
import { Reference } from '../parity/reference.ts';
import { parityCommand, parseParityArgs } from './parity.ts';

const DIR = join(dirname(fileURLToPath(import.meta.url)), '../../../../../shared/fixtures/hf-parity/internvl-tiny');

async function runCommand(argv: string[]): Promise<{ code: number; lines: string[] }> {
  let text = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    text += String(chunk);
    return true;
  });
  try {
    const code = await parityCommand.run(argv);
    return { code, lines: text.trimEnd().split('\n') };
  } finally {
    spy.mockRestore();
  }
}

describe('locscope parity', () => {
  afterEach(() => vi.restoreAllMocks());

  test('prints one line per reference tensor, then greedy_tokens and max_abs_diff, and exits 0 within the default atol', async () => {
    const { code, lines } = await runCommand([DIR]);
    const names = Reference.open(DIR).names;
    expect(lines).toHaveLength(names.length + 2);
    expect(lines.slice(0, -2).map((l) => l.split(/\s+/)[0])).toEqual(names);
    expect(lines.at(-2)).toMatch(/^greedy_tokens=(\d+)\/\1 ties=0$/);
    expect(lines.at(-1)).toMatch(/^max_abs_diff=\d\.\d+e[-+]\d+$/);
    const max = Number(lines.at(-1)!.split('=')[1]);
    expect(max).toBeGreaterThan(0);
    expect(max).toBeLessThanOrEqual(1e-4);
    expect(code).toBe(0);
  });

  test('exits 1 when a tensor exceeds --atol', async () => {
    const { code, lines } = await runCommand([DIR, '--atol', '1e-9']);
    expect(code).toBe(1);
    expect(lines.some((l) => l.endsWith('FAIL'))).toBe(true);
  });

  test('--precision float16 holds every tensor to its derived tolerance, and every greedy token agrees', async () => {
    const { code, lines } = await runCommand([DIR, '--precision', 'float16']);
    expect(code).toBe(0);
    const logits = lines.find((l) => l.startsWith('logits '))!.split(/\s+/);
    // A float16 run differs from the float32 reference by far more than the float32 atol, within its own tolerance.
    expect(Number(logits[1])).toBeGreaterThan(1e-3);
    expect(Number(logits[2].slice('tol='.length))).toBeGreaterThan(Number(logits[1]));
    const [, agree, positions, ties] = lines.at(-2)!.match(/^greedy_tokens=(\d+)\/(\d+) ties=(\d+)$/)!.map(Number);
    expect(agree + ties).toBe(positions);
    expect(agree).toBeGreaterThan(0.95 * positions);
  });

  test.each([[[]], [['a', 'b']], [['a', '--atol', 'x']], [['a', '--atol', '-1']], [['a', '--bogus']], [['a', '--precision', 'float8']]])('rejects bad flags %j', (argv) => {
    expect(() => parseParityArgs(argv)).toThrow(UsageError);
  });

  test('a reference whose intervention parameters are missing fails those tensors, naming the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'locscope-parity-'));
    for (const f of readdirSync(DIR)) copyFileSync(join(DIR, f), join(dir, f));
    const json = JSON.parse(readFileSync(join(DIR, 'reference.json'), 'utf8'));
    delete json.ablate;
    writeFileSync(join(dir, 'reference.json'), JSON.stringify(json));
    const { code, lines } = await runCommand([dir]);
    expect(code).toBe(1);
    const failed = lines.filter((l) => l.includes('FAIL'));
    expect(failed.map((l) => l.split(/\s+/)[0])).toEqual(Object.keys(json.tensors).filter((n) => n.startsWith('ablate.')));
    expect(failed[0]).toContain("reference.json: field 'ablate' is required");
    expect(lines.find((l) => l.startsWith('logits '))).toMatch(/ok$/);
  });

  test('a directory without a reference fails naming the file', async () => {
    await expect(parityCommand.run([join(DIR, 'missing')])).rejects.toThrow(/missing\/reference\.json/);
  });
});

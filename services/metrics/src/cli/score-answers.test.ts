// `locscope score-answers` end to end through the real `locscope` bin, on answers about real COCO
// objects whose boxes/IoUs were computed independently (fixtures/score-answers/make_fixture.py).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { InvalidArgumentError, NotFoundError, UsageError } from '@locscope/server-kit';
import { scoreAnswersCommand } from './score-answers.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../../../..');
const fixtures = join(here, '../../fixtures/score-answers');
const bin = join(root, 'services/orchestrator/bin/locscope.js');

async function locscope(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [bin, ...args], { cwd: root });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

interface Expected {
  rows: { box: number[] | null; iou: number }[];
  success: Record<string, number>;
  localization: number;
}

async function runInProcess(args: string[]): Promise<string> {
  const chunks: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (chunks.push(String(chunk)), true));
  try {
    expect(await scoreAnswersCommand.run(args)).toBe(0);
  } finally {
    spy.mockRestore();
  }
  return chunks.join('');
}

describe('locscope score-answers', () => {
  // LLaVA through the real bin (proves the subcommand is registered); InternVL in-process, since
  // spawning the bin costs seconds on shared CI.
  for (const [family, viaBin] of [['llava', true], ['internvl', false]] as const) {
    it(`gives the reference boxes and IoUs for ${family} answers`, async () => {
      const expected = JSON.parse(readFileSync(join(fixtures, `${family}.expected.json`), 'utf8')) as Expected;
      const args = ['--family', family, '--input', join(fixtures, `${family}.jsonl`), '--json'];
      let stdout: string;
      if (viaBin) {
        const result = await locscope('score-answers', ...args);
        expect(result.code, result.stderr).toBe(0);
        stdout = result.stdout;
      } else {
        stdout = await runInProcess(args);
      }
      const output = JSON.parse(stdout) as Expected;
      expect(Object.keys(output)).toEqual(['rows', 'success', 'localization']);
      expect(output.rows).toHaveLength(expected.rows.length);
      output.rows.forEach((row, i) => {
        expect(Object.keys(row)).toEqual(['box', 'iou']);
        if (expected.rows[i].box === null) expect(row.box, `row ${i}`).toBeNull();
        else row.box!.forEach((v, j) => expect(v, `row ${i} box[${j}]`).toBeCloseTo(expected.rows[i].box![j], 9));
        expect(row.iou, `row ${i} iou`).toBeCloseTo(expected.rows[i].iou, 9);
      });
      expect(Object.keys(output.success)).toEqual(['0.5', '0.7', '0.9']);
      for (const t of ['0.5', '0.7', '0.9']) expect(output.success[t]).toBeCloseTo(expected.success[t], 12);
      expect(output.localization).toBeCloseTo(expected.localization, 12);
    });
  }

  it('prints a readable summary without --json', async () => {
    const stdout = await runInProcess(['--family', 'llava', '--input', join(fixtures, 'llava.jsonl')]);
    expect(stdout).toMatch(/^answers\s+120$/m);
    expect(stdout).toMatch(/^localization\s+21\.94 %$/m);
    expect(stdout).toMatch(/no box\s+\d+ × refusal/);
  });

  it('rejects bad flags as usage errors and bad input naming file, line and field', async () => {
    await expect(scoreAnswersCommand.run(['--input', 'x.jsonl'])).rejects.toThrow(UsageError);
    await expect(scoreAnswersCommand.run(['--input', 'x.jsonl'])).rejects.toThrow(/--family is required/);
    await expect(scoreAnswersCommand.run(['--family', 'blip', '--input', 'x.jsonl'])).rejects.toThrow(/unknown model family "blip"/);
    await expect(scoreAnswersCommand.run(['--family', 'llava', '--input', 'x.jsonl', '--bogus'])).rejects.toThrow(UsageError);

    const dir = mkdtempSync(join(tmpdir(), 'score-answers-'));
    const file = join(dir, 'bad.jsonl');
    writeFileSync(file, '{"answer": "[0.1, 0.1, 0.2, 0.2]", "width": 10, "height": 10, "gt_bbox": [0, 0, 1, 1]}\n\n{"answer": "x", "width": 10, "height": 10, "gt_bbox": [0, 0, 1]}\n');
    await expect(scoreAnswersCommand.run(['--family', 'llava', '--input', file])).rejects.toThrow(`${file}:3: gt_bbox: expected [x, y, w, h]`);
    writeFileSync(file, '{"answer": 3, "width": 10, "height": 10, "gt_bbox": [0, 0, 1, 1]}\n');
    await expect(scoreAnswersCommand.run(['--family', 'llava', '--input', file])).rejects.toThrow(`${file}:1: answer: must be a string`);
    writeFileSync(file, '{"answer": "", "width": 0, "height": 10, "gt_bbox": [0, 0, 1, 1]}\n');
    await expect(scoreAnswersCommand.run(['--family', 'llava', '--input', file])).rejects.toThrow(`${file}:1: width: must be a positive integer`);
    writeFileSync(file, 'not json\n');
    await expect(scoreAnswersCommand.run(['--family', 'llava', '--input', file])).rejects.toThrow(InvalidArgumentError);
    writeFileSync(file, '\n');
    await expect(scoreAnswersCommand.run(['--family', 'llava', '--input', file])).rejects.toThrow(/holds no answers/);
    await expect(scoreAnswersCommand.run(['--family', 'llava', '--input', join(dir, 'none.jsonl')])).rejects.toThrow(NotFoundError);
  });
});

// `locscope score-answers --family llava|internvl --input FILE.jsonl [--json]`: parses each answer
// into a pixel box, scores IoU against the COCO box, and prints success at 0.5/0.7/0.9 and the
// localization score (their mean). Rates are fractions in [0, 1].
import { parseModelFamily } from '@locscope/masks';
import { defineFlags, LocscopeError, parseFlags, UsageError, type Command } from '@locscope/server-kit';
import { scoreLocalizationAnswers, type ScoredAnswers } from '../localization/score-answers.ts';
import { readAnswersFile } from './answers-file.ts';

const flags = defineFlags({
  family: { type: 'string', value: 'llava|internvl', description: "whose answer format to parse (required)" },
  input: { type: 'string', value: 'FILE.jsonl', description: 'answers, one JSON object per line (required)' },
  json: { type: 'boolean', description: 'print one JSON object' },
});

function readFlags(argv: string[]) {
  const { values } = parseFlags(scoreAnswersCommand, argv);
  if (!values.family) throw new UsageError('--family is required');
  if (!values.input) throw new UsageError('--input is required');
  let family;
  try {
    family = parseModelFamily(values.family, 'family');
  } catch (error) {
    throw new UsageError(error instanceof LocscopeError ? error.message : String(error), { cause: error });
  }
  return { family, input: values.input, json: values.json ?? false };
}

/** The JSON contract: rows of {box, iou}, success per threshold, localization. */
function toJson(scored: ScoredAnswers): unknown {
  return {
    rows: scored.rows.map((row) => ({ box: row.box, iou: row.iou })),
    success: scored.success,
    localization: scored.localization,
  };
}

function toText(scored: ScoredAnswers): string {
  const missing = new Map<string, number>();
  for (const { parsed } of scored.rows) if (parsed.reason) missing.set(parsed.reason, (missing.get(parsed.reason) ?? 0) + 1);
  const pct = (v: number) => `${(100 * v).toFixed(2)} %`;
  const lines = [`answers       ${scored.rows.length}`];
  for (const [t, rate] of Object.entries(scored.success)) lines.push(`success@${t.padEnd(5)}${pct(rate)}`);
  lines.push(`localization  ${pct(scored.localization)}`);
  for (const [reason, count] of missing) lines.push(`no box        ${count} × ${reason}`);
  return lines.join('\n');
}

export const scoreAnswersCommand: Command<typeof flags> = {
  name: 'score-answers',
  summary: 'Score localization answers of LLaVA/InternVL against COCO boxes (IoU, success at 0.5/0.7/0.9, localization)',
  flags,
  async run(argv) {
    const options = readFlags(argv);
    const scored = scoreLocalizationAnswers(options.family, await readAnswersFile(options.input));
    process.stdout.write((options.json ? JSON.stringify(toJson(scored)) : toText(scored)) + '\n');
    return 0;
  },
};

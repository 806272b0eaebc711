// Finds groups of four coordinates in free model text. Shared by both families: they differ only
// in the coordinate range and in preferring numbers inside <box> tags (InternVL).

/** A run of numbers separated only by commas/semicolons/whitespace, with its text offset. */
export interface NumberRun {
  values: number[];
  start: number;
}

// A number not glued to a preceding letter/digit/dot, so "x1", "v2.5" or "COCO2017" do not count.
const NUMBER = /(?<![\p{L}\d.])-?(?:\d+(?:\.\d*)?|\.\d+)/gu;
// What may separate two coordinates of one box: at most one comma/semicolon, any spaces.
const SEPARATOR = /^\s*[,;]?\s*$/;
// Coordinate labels some answers carry ("x1: 0.2, y1=0.3", "xmin: 12"); dropped before parsing.
const LABEL = /\b(?:[xy](?:[12]|_?min|_?max)|left|top|right|bottom|width|height)\s*[:=]\s*/giu;

/** Splits `text` into runs of consecutive numbers (see SEPARATOR); labels are ignored. */
export function numberRuns(text: string): NumberRun[] {
  const cleaned = text.replace(LABEL, (label) => ' '.repeat(label.length));
  const runs: NumberRun[] = [];
  let current: NumberRun | undefined;
  let lastEnd = 0;
  for (const match of cleaned.matchAll(NUMBER)) {
    const value = Number(match[0].endsWith('.') ? match[0].slice(0, -1) : match[0]);
    const start = match.index;
    if (current && SEPARATOR.test(cleaned.slice(lastEnd, start))) {
      current.values.push(value);
    } else {
      current = { values: [value], start };
      runs.push(current);
    }
    lastEnd = start + match[0].length;
  }
  return runs;
}

/** Four-number groups in reading order: a run of 4·k numbers holds k boxes (e.g. "0.1, 0.2, 0.3, 0.4, 0.5, …"). */
export function quadruples(runs: NumberRun[]): { quads: number[][]; longestRun: number } {
  const quads: number[][] = [];
  let longestRun = 0;
  for (const run of runs) {
    longestRun = Math.max(longestRun, run.values.length);
    if (run.values.length % 4 !== 0) continue;
    for (let i = 0; i < run.values.length; i += 4) quads.push(run.values.slice(i, i + 4));
  }
  return { quads, longestRun };
}

// Phrases with which models decline or deny the object. Only consulted when no box was found, so
// "I'm not sure, but [0.1, …]" still yields its box.
const REFUSAL = new RegExp(
  [
    String.raw`^\W*no\b`,
    String.raw`\b(?:sorry|unfortunately|unable to)\b`,
    String.raw`\bi\s*(?:am|'m)?\s*(?:cannot|can'?t|can not|not able)\b`,
    String.raw`\bthere (?:is|are) no\b`,
    String.raw`\b(?:is|are) not (?:visible|present|shown|in (?:the|this) (?:image|picture|photo))`,
    String.raw`\b(?:does|do|doesn'?t|don'?t) (?:not )?(?:appear|contain|show|see|exist|have)\b`,
    String.raw`\bnot (?:visible|present|found)\b`,
    String.raw`\bno (?:such|visible)\b`,
  ].join('|'),
  'iu',
);

export function isRefusal(text: string): boolean {
  return REFUSAL.test(text.replace(/[’‘]/g, "'"));
}

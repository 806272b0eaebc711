// The look shared by every figure: the page's font, sizes, and label limits lifted so that no
// title, tick or legend label is ever cut to "…".
//
// Vega lays text out server-side without a canvas, estimating a label's width as 0.8 em per
// character. That is wider than DejaVu Sans (what Chromium draws "Helvetica, Arial, sans-serif"
// with on Debian; ≈ 0.6 em per character) and Helvetica, so the space reserved for text errs on
// the large side; test/report-browser.test.ts checks the real extents in Chromium.
import type { Config } from 'vega-lite';

/** The report page and its figures use the same font, so figures read like the text around them. */
export const FONT_FAMILY = 'Helvetica, Arial, sans-serif';

export const TITLE_FONT_SIZE = 13;
export const LABEL_FONT_SIZE = 10;
export const LEGEND_FONT_SIZE = 11;

/** Vega's estimate of a character's width, in em (see above). */
export const ESTIMATED_EM_PER_CHAR = 0.8;
/** Width of text vega does not lay out (cell labels inside a heatmap), with a margin: DejaVu Sans
 * draws digits 0.64 em wide, "." and spaces 0.32 em, "±" 0.84 em, so "41.2 ± 3.0" averages 0.57 em. */
export const DRAWN_EM_PER_CHAR = 0.62;

/** Tableau 10: categorical colours that stay apart for the colour-blind and in greyscale print. */
export const SERIES_COLORS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
/** Marker shapes and dash patterns cycle with lengths prime to 10 and to each other, so that the
 * (colour, shape, dash) triple of every series differs from every other's in all three. */
export const SERIES_SHAPES = ['circle', 'square', 'triangle-up', 'diamond', 'cross', 'triangle-down', 'triangle-right'];
export const SERIES_DASHES: number[][] = [[1, 0], [6, 3], [2, 2], [8, 3, 2, 3], [4, 4], [1, 3], [10, 2], [3, 1, 1, 1, 1, 1], [12, 4], [5, 2, 1, 2], [2, 5]];
/** Reference lines (e.g. the unmodified model): dark tones that do not compete with the series. */
export const REFERENCE_COLORS = ['#222222', '#8c6d31', '#7b4173', '#636363', '#393b79'];

export const CONFIG: Config = {
  font: FONT_FAMILY,
  background: '#ffffff',
  padding: 8,
  title: { fontSize: TITLE_FONT_SIZE, anchor: 'start', limit: 0, offset: 10 },
  axis: { labelFontSize: LABEL_FONT_SIZE, titleFontSize: LEGEND_FONT_SIZE, labelLimit: 0, titlePadding: 8, grid: true, gridColor: '#e5e5e5' },
  legend: { labelFontSize: LEGEND_FONT_SIZE, titleFontSize: LEGEND_FONT_SIZE, labelLimit: 0, titleLimit: 0, symbolLimit: 0 },
  view: { stroke: null },
};

/** Splits a title into lines of at most `maxChars` characters at word boundaries (a long word keeps its own line). */
export function titleLines(title: string, maxChars: number): string[] {
  const lines: string[] = [];
  for (const word of title.split(/\s+/).filter(Boolean)) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last].length + 1 + word.length <= maxChars) lines[last] += ` ${word}`;
    else lines.push(word);
  }
  return lines;
}

/** How many characters fit in `width` pixels at `fontSize` by vega's estimate. */
export function charsFitting(width: number, fontSize: number): number {
  return Math.max(1, Math.floor(width / (ESTIMATED_EM_PER_CHAR * fontSize)));
}

/** What every figure's spec starts with: the schema, the title wrapped to `titleWidth` pixels, the theme. */
export function specFrame(title: string, titleWidth: number) {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: titleLines(title, charsFitting(titleWidth, TITLE_FONT_SIZE)) },
    config: CONFIG,
  };
}

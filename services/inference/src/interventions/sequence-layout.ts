// Where things sit in one prompt's token sequence: the server resolves every semantic position
// (visual coordinate, text span) against this layout.

/** One view's block of visual tokens (LLaVA: one view; InternVL: tiles row-major, then thumbnail). */
export interface ViewSpan {
  name: string;
  rows: number;
  cols: number;
  /** Flat visual index of the view's first token. */
  offset: number;
}

export interface SequenceLayout {
  /** Tokens in the sequence (prompt + teacher-forced target, if any). */
  length: number;
  /** Visual tokens occupy [imageStart, imageStart + visualTokens) contiguously. */
  imageStart: number;
  visualTokens: number;
  views: ViewSpan[];
  /** End (exclusive) of the prompt; the target, if any, is [promptEnd, length). */
  promptEnd: number;
}

export function imageEnd(layout: SequenceLayout): number {
  return layout.imageStart + layout.visualTokens;
}

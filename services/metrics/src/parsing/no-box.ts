// Why an answer yielded no box. Callers count these separately (a refusal is a different failure
// from a truncated answer), and every one of them scores IoU 0.

export const NO_BOX_REASONS = [
  /** The answer is empty or whitespace only. */
  'empty',
  /** The model declined or said the object is absent ("I cannot…", "There is no …"). */
  'refusal',
  /** No group of numbers in the answer at all. */
  'no_coordinates',
  /** Numbers were printed but never as a group of four (truncated answer, 2 or 5 values, …). */
  'incomplete_box',
  /** Four numbers, but outside the family's coordinate range beyond the tolerance. */
  'out_of_range',
  /** Four numbers spanning zero width or height once mapped into the image. */
  'degenerate',
] as const;

export type NoBoxReason = (typeof NO_BOX_REASONS)[number];

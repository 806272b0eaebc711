// Change of a metric against the unablated baseline, as Tab. 1 prints it ("↓29.4"): the difference
// in percentage points, plus the relative change for readers who want it.

export interface Drop {
  /** baseline − value, in the metric's own units (percentage points when given in %). */
  absolute: number;
  /** (baseline − value) / baseline; null when the baseline is 0. */
  relative: number | null;
}

export function dropFromBaseline(baseline: number, value: number): Drop {
  const absolute = baseline - value;
  return { absolute, relative: baseline === 0 ? null : absolute / baseline };
}

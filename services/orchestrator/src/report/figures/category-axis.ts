// A categorical position (heatmap rows and columns, layer ticks, knockout's layer groups) encoded
// by index 0..n-1 and labelled with its tick: ticks may repeat (vision layer "0" and LM layer
// "0"), and positions never merge because of that, and a category without data keeps its slot.

/** The tick of the category at `datum.value`, as a Vega expression. */
export function tickExpr(ticks: string[]): string {
  return `${JSON.stringify(ticks)}[datum.value]`;
}

export function categoryEncoding(field: string, ticks: string[], title: string, axis: Record<string, unknown>, type: 'ordinal' | 'nominal' = 'ordinal'): Record<string, unknown> {
  return {
    field,
    type,
    scale: { domain: ticks.map((_, i) => i) },
    title,
    axis: { labelExpr: tickExpr(ticks), ...axis },
  };
}

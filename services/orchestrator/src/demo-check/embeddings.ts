// Row operations on [rows, hidden] float32 embedding matrices (visual tokens).

/** Mean over every row of every matrix. */
export function meanRow(matrices: readonly Float32Array[], hidden: number): Float32Array {
  const sum = new Float64Array(hidden);
  let rows = 0;
  for (const m of matrices) {
    for (let r = 0; r * hidden < m.length; r++, rows++) {
      for (let c = 0; c < hidden; c++) sum[c] += m[r * hidden + c];
    }
  }
  if (rows === 0) throw new RangeError('meanRow: no rows to average');
  return Float32Array.from(sum, (v) => v / rows);
}

/** A copy of `matrix` with the listed rows set to `row`. */
export function replaceRows(matrix: Float32Array, rows: readonly number[], row: Float32Array, hidden: number): Float32Array {
  const out = matrix.slice();
  for (const r of rows) {
    if (!Number.isInteger(r) || r < 0 || (r + 1) * hidden > matrix.length) throw new RangeError(`replaceRows: row ${r} is outside [0, ${matrix.length / hidden})`);
    out.set(row, r * hidden);
  }
  return out;
}

// Tables as Markdown (GFM), CSV and HTML. CSV keeps full precision; the human-readable forms
// round to four significant digits.
import { stringify } from 'csv-stringify/sync';
import { markdownTable } from 'markdown-table';
import type { Cell, Table } from './model.ts';
import { esc } from './html-escape.ts';

export function formatCell(cell: Cell): string {
  if (cell === null) return '—';
  if (typeof cell === 'number') return Number.isInteger(cell) ? String(cell) : String(Number(cell.toPrecision(4)));
  return cell;
}

export function tableMarkdown(table: Table): string {
  return markdownTable([table.columns, ...table.rows.map((row) => row.map(formatCell))]);
}

export function tableCsv(table: Table): string {
  return stringify([table.columns, ...table.rows.map((row) => row.map((c) => (c === null ? '' : c)))]);
}

export function tableHtml(table: Table): string {
  const head = table.columns.map((c) => `<th>${esc(c)}</th>`).join('');
  const body = table.rows
    .map((row) => `<tr>${row.map((c) => `<td${typeof c === 'number' ? ' class="num"' : ''}>${esc(formatCell(c))}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table>\n<caption>${esc(table.title)}</caption>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

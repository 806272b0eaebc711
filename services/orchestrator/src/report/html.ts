// The run's report page: one self-contained HTML file (figures inlined as SVG, tables inline,
// styles embedded — it opens from disk, offline, and can be mailed), linking the CSV/Markdown/SVG
// files next to it.
import { FONT_FAMILY } from './figures/theme.ts';
import type { Aggregate } from './model.ts';
import { esc } from './html-escape.ts';
import { tableHtml } from './tables.ts';

export interface ReportPage {
  run: string;
  aggregates: Aggregate[];
  /** SVG markup per `experiment/figure-id`. */
  svgs: Map<string, string>;
  /** Relative link of an experiment's file (`id.ext`) written next to the page. */
  link(experiment: string, id: string, ext: string): string;
}

const STYLE = `
body { font-family: ${FONT_FAMILY}; margin: 2rem auto; max-width: 1100px; color: #222; padding: 0 1rem; }
h1 { font-size: 1.6rem; } h2 { border-bottom: 1px solid #ccc; padding-bottom: .2rem; margin-top: 2.5rem; }
/* Wide tables (Tab. 1 has a column per condition) scroll inside their own box; the page never does. */
.table-box { max-width: 100%; overflow-x: auto; margin: 1rem 0; }
table { border-collapse: collapse; font-size: .9rem; }
caption { text-align: left; font-weight: bold; margin-bottom: .3rem; }
th, td { border: 1px solid #ddd; padding: .25rem .6rem; } th { background: #f4f4f4; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1rem 1rem 1rem 0; display: inline-block; vertical-align: top; max-width: 100%; } figure svg { max-width: 100%; height: auto; } figcaption { font-size: .85rem; color: #555; }
.notes { background: #fff8e1; border-left: 4px solid #f0b400; padding: .4rem .8rem; }
nav a { margin-right: .8rem; } .files { font-size: .85rem; }
`;

export function reportHtml(page: ReportPage): string {
  const nav = page.aggregates.map((a) => `<a href="#${esc(a.experiment)}">${esc(a.experiment)}</a>`).join('');
  const sections = page.aggregates.map((a) => section(a, page)).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>locscope report — ${esc(page.run)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>locscope report — run ${esc(page.run)}</h1>
<nav>${nav}</nav>
${sections}
</body>
</html>
`;
}

function section(aggregate: Aggregate, page: ReportPage): string {
  const id = aggregate.experiment;
  const notes = aggregate.notes.length
    ? `<div class="notes"><ul>${aggregate.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul></div>`
    : '';
  const tables = aggregate.tables
    .map((t) => `<div class="table-box">${tableHtml(t)}</div>\n<p class="files"><a href="${esc(page.link(id, t.id, 'csv'))}">CSV</a> · <a href="${esc(page.link(id, t.id, 'md'))}">Markdown</a></p>`)
    .join('\n');
  const figures = aggregate.figures
    .map(
      (f) =>
        `<figure data-figure="${esc(`${id}/${f.id}`)}">${page.svgs.get(`${id}/${f.id}`) ?? ''}<figcaption>${esc(f.title)} · <a href="${esc(page.link(id, f.id, 'svg'))}">SVG</a> · <a href="${esc(page.link(id, f.id, 'vl.json'))}">Vega-Lite spec</a> · <a href="${esc(page.link(id, f.id, 'data.json'))}">data</a></figcaption></figure>`,
    )
    .join('\n');
  return `<section id="${esc(id)}">\n<h2>${esc(aggregate.title)}</h2>\n${notes}\n${tables}\n${figures}\n<p class="files"><a href="${esc(page.link(id, 'aggregate', 'json'))}">aggregate JSON</a></p>\n</section>`;
}

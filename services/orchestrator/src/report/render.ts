// Writes a run's report from its aggregates:
//   report/index.html                  the self-contained page (what `run` prints last)
//   report/report.md                   every table in Markdown, figures linked
//   report/tables.json                 every table as JSON
//   report/<experiment>/<table>.{csv,md}, aggregate.json
//   report/<experiment>/<figure>.svg        the figure, rendered by Vega from the two files below
//   report/<experiment>/<figure>.vl.json    its Vega-Lite spec (restyle it; it reads the data file by URL)
//   report/<experiment>/<figure>.data.json  the figure's data (one list per spec layer kind)
import { canonicalJson } from '../canonical-json.ts';
import { keyToken } from '../keys.ts';
import type { RunDirectory } from '../store/run-directory.ts';
import { writeFileDurably } from '../store/atomic.ts';
import { reportHtml } from './html.ts';
import type { Aggregate } from './model.ts';
import { figureSpec } from './figures/figure-spec.ts';
import { renderSvg, restartSvgIds } from './figures/render-svg.ts';
import { presentationOf } from './presentation.ts';
import { tableCsv, tableMarkdown } from './tables.ts';

export async function renderReport(directory: RunDirectory, aggregates: Aggregate[]): Promise<string> {
  const root = directory.file('report');
  const dirName = (experiment: string) => keyToken(experiment);
  const write = (relative: string, data: string) => writeFileDurably(`${root}/${relative}`, data);
  const svgs = new Map<string, string>();
  const markdown: string[] = [`# locscope report — run ${directory.runId}`, ''];
  restartSvgIds();

  for (const aggregate of aggregates) {
    const dir = dirName(aggregate.experiment);
    markdown.push(`## ${aggregate.title}`, '', ...aggregate.notes.map((n) => `> ${n}`), '');
    await write(`${dir}/aggregate.json`, canonicalJson(aggregate));
    for (const table of aggregate.tables) {
      const md = tableMarkdown(table);
      await write(`${dir}/${keyToken(table.id)}.csv`, tableCsv(table));
      await write(`${dir}/${keyToken(table.id)}.md`, `${md}\n`);
      markdown.push(`**${table.title}**`, '', md, '');
    }
    for (const figure of aggregate.figures) {
      const name = keyToken(figure.id);
      const dataUrl = `${name}.data.json`;
      const spec = figureSpec(figure, presentationOf(aggregate.experiment, figure), dataUrl);
      const svg = await renderSvg(`${aggregate.experiment}/${figure.id}`, spec, dataUrl);
      svgs.set(`${aggregate.experiment}/${figure.id}`, svg);
      await write(`${dir}/${name}.vl.json`, `${JSON.stringify(spec.spec, null, 2)}\n`);
      await write(`${dir}/${dataUrl}`, `${JSON.stringify(spec.data, null, 2)}\n`);
      await write(`${dir}/${name}.svg`, `${svg}\n`);
      markdown.push(`![${figure.title}](${dir}/${name}.svg)`, '');
    }
  }
  await write('report.md', markdown.join('\n'));
  await write('tables.json', canonicalJson(Object.fromEntries(aggregates.map((a) => [a.experiment, a.tables]))));
  const html = reportHtml({
    run: directory.runId,
    aggregates,
    svgs,
    link: (experiment, id, ext) => `${dirName(experiment)}/${keyToken(id)}.${ext}`,
  });
  const page = `${root}/index.html`;
  await writeFileDurably(page, html);
  return page;
}

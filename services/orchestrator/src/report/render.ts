// Writes a run's report from its aggregates:
//   report/index.html                  the self-contained page (what `run` prints last)
//   report/report.md                   every table in Markdown, figures linked
//   report/tables.json                 every table as JSON
//   report/<experiment>/<table>.{csv,md}, <figure>.svg, aggregate.json
import { canonicalJson } from '../canonical-json.ts';
import { keyToken } from '../keys.ts';
import type { RunDirectory } from '../store/run-directory.ts';
import { writeFileDurably } from '../store/atomic.ts';
import { reportHtml } from './html.ts';
import type { Aggregate } from './model.ts';
import { figureSvg } from './svg/index.ts';
import { tableCsv, tableMarkdown } from './tables.ts';

export async function renderReport(directory: RunDirectory, aggregates: Aggregate[]): Promise<string> {
  const root = directory.file('report');
  const dirName = (experiment: string) => keyToken(experiment);
  const write = (relative: string, data: string) => writeFileDurably(`${root}/${relative}`, data);
  const svgs = new Map<string, string>();
  const markdown: string[] = [`# locscope report — run ${directory.runId}`, ''];

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
      const svg = figureSvg(figure);
      svgs.set(`${aggregate.experiment}/${figure.id}`, svg);
      await write(`${dir}/${keyToken(figure.id)}.svg`, `${svg}\n`);
      markdown.push(`![${figure.title}](${dir}/${keyToken(figure.id)}.svg)`, '');
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

// `locscope report RUN`: re-renders a run's report from its stored aggregates (no recomputation)
// and prints the HTML report's path.
import { defineFlags, parseFlags, UsageError, type Command } from '@locscope/server-kit';
import { readdir } from 'node:fs/promises';
import { MissingError } from '../errors.ts';
import type { RunManifest } from '../execution/manifest.ts';
import { checkRunId } from '../keys.ts';
import type { Aggregate } from '../report/model.ts';
import { renderReport } from '../report/render.ts';
import { DEFAULT_RUNS_DIR, RunDirectory } from '../store/run-directory.ts';
import { OUT_FLAG } from './options.ts';

const flags = defineFlags({ out: OUT_FLAG });

export const reportCommand: Command<typeof flags> = {
  name: 'report',
  summary: "render a run's report (HTML, Markdown, CSV, JSON, SVG) from its aggregates",
  arguments: 'RUN',
  flags,
  async run(argv) {
    const { values, positionals } = parseFlags(this, argv);
    if (positionals.length !== 1) throw new UsageError('expected exactly one RUN id');
    const directory = new RunDirectory(values.out ?? DEFAULT_RUNS_DIR, checkRunId(positionals[0], 'RUN'));
    const manifest = await directory.readJson<RunManifest>('run.json');
    if (!manifest) throw new MissingError(`no run "${directory.runId}" in ${directory.path}`, { field: 'RUN' });
    const present = new Set((await readdir(directory.file('aggregates')).catch(() => [])).filter((f) => f.endsWith('.json')));
    const aggregates: Aggregate[] = [];
    for (const { id } of manifest.experiments) {
      if (present.has(`${id}.json`)) aggregates.push(await directory.requireJson<Aggregate>('aggregates', `${id}.json`));
    }
    if (aggregates.length === 0) throw new MissingError(`run "${directory.runId}" has no aggregates yet`, { field: 'RUN' });
    process.stdout.write(`${await renderReport(directory, aggregates)}\n`);
    return 0;
  },
};

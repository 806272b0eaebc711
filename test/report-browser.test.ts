// The report page in a real browser (Debian's chromium through playwright-core): every figure the
// study produces renders with a non-zero size, and the page logs no console errors.
import { RunDirectory, renderReport } from '@locscope/orchestrator';
import { chromium, type Browser } from 'playwright-core';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aggregates } from './support/figure-fixtures.ts';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

let browser: Browser;
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'locscope-report-'));
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
});
afterAll(async () => {
  await browser?.close();
  await rm(root, { recursive: true, force: true });
});

describe('HTML report', () => {
  it('renders every figure with a non-zero size and no console errors', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    const html = await renderReport(new RunDirectory(root, 'fig-run'), aggregates);
    await page.goto(pathToFileURL(html).href);

    const expected = aggregates.flatMap((a) => a.figures.map((f) => `${a.experiment}/${f.id}`));
    const figures = await page.$$eval('figure[data-figure]', (nodes) =>
      nodes.map((n) => {
        const svg = n.querySelector('svg');
        const box = svg?.getBoundingClientRect();
        return { id: n.getAttribute('data-figure'), width: box?.width ?? 0, height: box?.height ?? 0, shapes: svg?.querySelectorAll('rect,polyline,circle').length ?? 0 };
      }),
    );
    expect(figures.map((f) => f.id)).toEqual(expected);
    for (const f of figures) {
      expect(f.width, f.id!).toBeGreaterThan(100);
      expect(f.height, f.id!).toBeGreaterThan(100);
      expect(f.shapes, f.id!).toBeGreaterThan(3);
    }
    expect(await page.locator('table').count()).toBe(2);
    expect(await page.locator('h2').first().textContent()).toBe('Containerization (Fig. 1) <escaped & checked>');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('writes every figure as a standalone SVG file that parses as an SVG document', async () => {
    const page = await browser.newPage();
    for (const a of aggregates) {
      const dir = join(root, 'fig-run/report', a.experiment);
      const svgs = (await readdir(dir)).filter((f) => f.endsWith('.svg')).sort();
      expect(svgs).toEqual(a.figures.map((f) => `${f.id}.svg`).sort());
      for (const file of svgs) {
        await page.goto(pathToFileURL(join(dir, file)).href);
        const root = await page.$eval(':root', (el) => ({ tag: el.tagName, errors: el.getElementsByTagName('parsererror').length }));
        expect(root, file).toEqual({ tag: 'svg', errors: 0 });
      }
    }
    await page.close();
  });
});

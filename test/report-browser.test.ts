// The report page in a real browser (Debian's chromium through playwright-core, which draws the
// page's sans-serif with DejaVu Sans): no figure loses text to its edge, legends list every series
// distinctly, heatmaps keep every row and column label, tables fit a 1024 px window, and the saved
// Vega-Lite spec + data redraw each figure with Vega's own file loader.
//
// LOCSCOPE_FIGURE_SHOTS=DIR also writes a PNG screenshot of every figure to DIR (to look at them).
import { RunDirectory, renderReport } from '@locscope/orchestrator';
import { chromium, type Browser, type Page } from 'playwright-core';
import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { View, loader, parse } from 'vega';
import { compile } from 'vega-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aggregates } from './support/figure-fixtures.ts';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
/** The narrowest window the report is laid out for. */
const VIEWPORT = { width: 1024, height: 800 };
/** Sub-pixel rounding of glyph boxes. */
const TOLERANCE = 0.5;

let browser: Browser;
let root: string;
let html: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'locscope-report-'));
  html = await renderReport(new RunDirectory(root, 'fig-run'), aggregates);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
});
afterAll(async () => {
  await browser?.close();
  await rm(root, { recursive: true, force: true });
});

const figureIds = aggregates.flatMap((a) => a.figures.map((f) => `${a.experiment}/${f.id}`));

async function openReport(errors: string[] = []): Promise<Page> {
  const page = await browser.newPage({ viewport: VIEWPORT });
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(pathToFileURL(html).href);
  return page;
}

interface FigureText {
  text: string;
  /** How far the text's box reaches past each edge of its SVG (≤ 0 inside). */
  overflow: { left: number; right: number; top: number; bottom: number };
}

interface LegendEntry {
  label: string;
  /** The entry's symbol as drawn: path, fill, stroke and dash. */
  symbol: string;
}

interface RenderedFigure {
  id: string;
  width: number;
  height: number;
  texts: FigureText[];
  legend: LegendEntry[];
  /** Axis tick labels, per axis, whitespace removed (multi-line labels are several tspans). */
  axisLabels: string[][];
}

async function renderedFigures(page: Page): Promise<RenderedFigure[]> {
  return page.$$eval('figure[data-figure]', (nodes) =>
    nodes.map((n) => {
      const svg = n.querySelector('svg')!;
      const box = svg.getBoundingClientRect();
      // Vega hides a label it drops for overlap with opacity 0; such a label is lost to the reader.
      const visible = (t: { textContent: string | null; getAttribute(name: string): string | null }) => (t.textContent ?? '').trim() !== '' && t.getAttribute('opacity') !== '0';
      const texts = [...svg.querySelectorAll('text')]
        .filter(visible)
        .map((t) => {
          const r = t.getBoundingClientRect();
          return { text: t.textContent ?? '', overflow: { left: box.left - r.left, right: r.right - box.right, top: box.top - r.top, bottom: r.bottom - box.bottom } };
        });
      const legend = [...svg.querySelectorAll('.role-legend-entry g.role-scope > g')].map((entry) => {
        const symbol = entry.querySelector('.role-legend-symbol path');
        const attrs = ['d', 'fill', 'stroke', 'stroke-dasharray', 'transform'].map((a) => symbol?.getAttribute(a) ?? '');
        return { label: entry.querySelector('.role-legend-label text')?.textContent ?? '', symbol: attrs.join('|') };
      });
      const axisLabels = [...svg.querySelectorAll('.role-axis')].map((axis) => [...axis.querySelectorAll('.role-axis-label text')].filter(visible).map((t) => (t.textContent ?? '').replace(/\s+/g, '')));
      return { id: n.getAttribute('data-figure') ?? '', width: box.width, height: box.height, texts, legend, axisLabels };
    }),
  );
}

describe('HTML report', () => {
  it('renders every figure with no console errors, and no text outside its SVG or cut short', async () => {
    const errors: string[] = [];
    const page = await openReport(errors);
    const figures = await renderedFigures(page);
    expect(figures.map((f) => f.id)).toEqual(figureIds);
    for (const f of figures) {
      expect(f.width, f.id).toBeGreaterThan(100);
      expect(f.height, f.id).toBeGreaterThan(100);
      expect(f.texts.length, f.id).toBeGreaterThan(3);
      for (const t of f.texts) {
        for (const [edge, past] of Object.entries(t.overflow)) expect(past, `${f.id}: "${t.text}" past the ${edge} edge`).toBeLessThanOrEqual(TOLERANCE);
        expect(t.text, `${f.id}: truncated label`).not.toMatch(/…$/);
      }
    }
    expect(await page.locator('h2').first().textContent()).toBe('Containerization (Fig. 1) <escaped & checked>');
    // Inlined SVGs share one id space: a repeated gradient id would paint one colour bar with another's colours.
    const ids = await page.$$eval('[id]', (nodes) => nodes.map((n) => n.id));
    expect(ids.length).toBeGreaterThan(0);
    expect(new Set(ids).size).toBe(ids.length);
    expect(errors).toEqual([]);

    const shots = process.env.LOCSCOPE_FIGURE_SHOTS;
    if (shots) {
      await mkdir(shots, { recursive: true });
      for (const id of figureIds) await page.locator(`figure[data-figure="${id}"]`).screenshot({ path: join(shots, `${id.replace(/\//g, '--')}.png`) });
    }
    await page.close();
  });

  it('lists every series and reference in a legend, each entry distinct in label and symbol', async () => {
    const page = await openReport();
    const figures = new Map((await renderedFigures(page)).map((f) => [f.id, f]));
    for (const a of aggregates) {
      for (const figure of a.figures) {
        if (figure.kind !== 'lines') continue;
        const { legend } = figures.get(`${a.experiment}/${figure.id}`)!;
        const expected = [...figure.series.map((s) => s.name), ...(figure.references ?? []).map((r) => r.name)];
        expect(legend.map((e) => e.label).sort(), figure.id).toEqual([...expected].sort());
        expect(new Set(legend.map((e) => e.symbol)).size, `${figure.id}: legend symbols`).toBe(legend.length);
      }
    }
    await page.close();
  });

  it('labels every row and column of a heatmap, and its colour bar', async () => {
    const page = await openReport();
    const figures = new Map((await renderedFigures(page)).map((f) => [f.id, f]));
    for (const a of aggregates) {
      for (const figure of a.figures) {
        if (figure.kind !== 'heatmap') continue;
        const rendered = figures.get(`${a.experiment}/${figure.id}`)!;
        const strip = (ticks: string[]) => ticks.map((t) => t.replace(/\s+/g, ''));
        expect(rendered.axisLabels, figure.id).toEqual([strip(figure.xTicks), strip(figure.yTicks)]);
        // The colour bar's title says what the colour measures.
        const titles = await page.$$eval(`figure[data-figure="${a.experiment}/${figure.id}"] .role-legend-title text`, (ts) => ts.map((t) => t.textContent ?? ''));
        expect(titles.length, figure.id).toBe(1);
        expect(titles[0].length, figure.id).toBeGreaterThan(0);
      }
    }
    await page.close();
  });

  it('fits a 1024 px window: wide tables scroll inside their own box', async () => {
    const page = await openReport();
    const layout = await page.$eval('html', (html) => {
      const window = html.ownerDocument.defaultView!;
      return {
        page: html.scrollWidth,
        window: window.innerWidth,
        tables: [...html.querySelectorAll('table')].map((t) => {
          const box = t.parentElement!;
          return { caption: t.querySelector('caption')?.textContent ?? '', boxRight: box.getBoundingClientRect().right, tableWidth: t.scrollWidth, boxWidth: box.clientWidth, scrolls: window.getComputedStyle(box).overflowX };
        }),
      };
    });
    expect(layout.page).toBeLessThanOrEqual(layout.window);
    expect(layout.tables.length).toBe(aggregates.flatMap((a) => a.tables).length);
    for (const t of layout.tables) {
      expect(t.boxRight, t.caption).toBeLessThanOrEqual(layout.window);
      if (t.tableWidth > t.boxWidth) expect(t.scrolls, t.caption).toBe('auto');
    }
    // The fixture's Tab. 1 is wider than the window, so the scrolling box is exercised.
    expect(layout.tables.some((t) => t.tableWidth > t.boxWidth)).toBe(true);
    await page.close();
  });

  it('writes every figure as an SVG document, and its Vega-Lite spec + data redraw it with Vega', async () => {
    const page = await browser.newPage();
    for (const a of aggregates) {
      const dir = join(root, 'fig-run/report', a.experiment);
      const files = await readdir(dir);
      const ids = a.figures.map((f) => f.id).sort();
      for (const ext of ['.svg', '.vl.json', '.data.json']) expect(files.filter((f) => f.endsWith(ext)).sort(), ext).toEqual(ids.map((id) => `${id}${ext}`));
      for (const id of ids) {
        await page.goto(pathToFileURL(join(dir, `${id}.svg`)).href);
        const svgRoot = await page.$eval(':root', (el) => ({ tag: el.tagName, errors: el.getElementsByTagName('parsererror').length }));
        expect(svgRoot, id).toEqual({ tag: 'svg', errors: 0 });
        const spec = JSON.parse(await readFile(join(dir, `${id}.vl.json`), 'utf8'));
        const view = new View(parse(compile(spec).spec), { renderer: 'none', loader: loader({ baseURL: `${dir}/`, mode: 'file' }) });
        // Gradient and clip ids are numbered through the whole report (unique within the page).
        const numbering = /\b(gradient_|clip)\d+/g;
        const redrawn = `${await view.toSVG()}\n`.replace(numbering, '$1#');
        expect(redrawn, id).toBe((await readFile(join(dir, `${id}.svg`), 'utf8')).replace(numbering, '$1#'));
        view.finalize();
      }
    }
    await page.close();
  });
});

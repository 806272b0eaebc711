// Renders a figure's Vega-Lite spec to SVG server-side (vega's headless View, no canvas), reading
// the data file the spec names from memory, so the SVG is exactly what the saved spec + data draw.
import { View, loader, parse, resetSVGDefIds, type Loader } from 'vega';
import { compile } from 'vega-lite';
import { FigureRenderError } from '../../errors.ts';
import type { FigureSpec } from './figure-data.ts';

/** A loader that serves the figure's own data file and nothing else (reports render offline). */
function figureLoader(dataUrl: string, data: string): Loader {
  const served = loader();
  served.load = async (uri: string) => {
    if (uri !== dataUrl) throw new Error(`the spec reads ${uri}, but only its data file ${dataUrl} exists`);
    return data;
  };
  return served;
}

/**
 * Restarts the numbering of gradient and clip-path ids (`gradient_0`, `clip1`, …). Vega numbers
 * them process-wide, so ids are unique among the SVGs inlined in one page; restarting per report
 * makes a re-rendered report byte-identical to the first.
 */
export function restartSvgIds(): void {
  resetSVGDefIds();
}

export async function renderSvg(figure: string, { spec, data }: FigureSpec, dataUrl: string): Promise<string> {
  try {
    const vega = compile(spec).spec;
    const view = new View(parse(vega), { renderer: 'none', loader: figureLoader(dataUrl, JSON.stringify(data)) });
    const svg = await view.toSVG();
    view.finalize();
    return svg;
  } catch (error) {
    throw new FigureRenderError(figure, error);
  }
}

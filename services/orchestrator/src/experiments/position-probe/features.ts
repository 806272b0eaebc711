// Probe datasets per layer: every visual token of every image is one example, labelled with its
// (row, col) in its own view's grid and grouped by image (so train and held-out images differ).
import type { ViewLayout } from '@locscope/proto/v1/inference';
import { InvalidArgumentError } from '@locscope/server-kit';
import type { CapturedTensor } from './capture.ts';

export type Component = 'vision' | 'projection' | 'language';

export interface LayerKey {
  component: Component;
  layer: number;
}

export interface LayerData {
  dim: number;
  gridRows: number;
  gridCols: number;
  features: number[][];
  rows: number[];
  cols: number[];
  groups: number[];
}

export function layerKeyName(key: LayerKey): string {
  return key.component === 'projection' ? 'projection' : `${key.component}/${key.layer}`;
}

function ensure(data: Map<string, LayerData & LayerKey>, key: LayerKey, dim: number, rows: number, cols: number): LayerData {
  const name = layerKeyName(key);
  let entry = data.get(name);
  if (!entry) data.set(name, (entry = { ...key, dim, gridRows: rows, gridCols: cols, features: [], rows: [], cols: [], groups: [] }));
  entry.gridRows = Math.max(entry.gridRows, rows);
  entry.gridCols = Math.max(entry.gridCols, cols);
  return entry;
}

/** Adds one image's captured tensors (LM hidden states at the visual positions, vision states) to the per-layer data. */
export function addImage(data: Map<string, LayerData & LayerKey>, tensors: CapturedTensor[], views: ViewLayout[], image: number, components: Component[]): void {
  const positions = views.flatMap((v) => Array.from({ length: v.rows * v.cols }, (_, i) => ({ row: Math.floor(i / v.cols), col: i % v.cols })));
  const viewRows = Math.max(...views.map((v) => v.rows));
  const viewCols = Math.max(...views.map((v) => v.cols));
  for (const t of tensors) {
    const hidden = /^hidden_states\.(\d+)$/.exec(t.name);
    const vision = /^vision\.hidden_states\.(\d+)$/.exec(t.name);
    if (hidden) {
      const index = Number(hidden[1]);
      const key: LayerKey = index === 0 ? { component: 'projection', layer: 0 } : { component: 'language', layer: index - 1 };
      if (!components.includes(key.component)) continue;
      const [n, dim] = t.shape;
      if (n !== positions.length) throw new InvalidArgumentError(`${t.name}: ${n} rows for ${positions.length} visual tokens`, { field: 'capture.shape' });
      const entry = ensure(data, key, dim, viewRows, viewCols);
      for (let i = 0; i < n; i++) {
        entry.features.push(Array.from(t.data.subarray(i * dim, (i + 1) * dim)));
        entry.rows.push(positions[i].row);
        entry.cols.push(positions[i].col);
        entry.groups.push(image);
      }
    } else if (vision && components.includes('vision')) {
      // [views, patches (+ CLS first when not square), dim]: each view's patches form a square grid.
      const [v, p, dim] = t.shape.length === 3 ? t.shape : [1, ...t.shape];
      const side = Math.floor(Math.sqrt(p));
      const skip = p - side * side;
      const entry = ensure(data, { component: 'vision', layer: Number(vision[1]) }, dim, side, side);
      for (let view = 0; view < v; view++) {
        for (let i = 0; i < side * side; i++) {
          const at = (view * p + skip + i) * dim;
          entry.features.push(Array.from(t.data.subarray(at, at + dim)));
          entry.rows.push(Math.floor(i / side));
          entry.cols.push(i % side);
          entry.groups.push(image);
        }
      }
    }
  }
}

// Semantic positions (proto Positions / VisualPositions) → absolute sequence indices, with range
// checks whose errors name the request field.
import { InvalidArgumentError } from '@locscope/server-kit';
import { TextSpan, type Positions, type VisualPositions } from '@locscope/proto/v1/inference';
import { checkIndex } from './intervention.ts';
import { imageEnd, type SequenceLayout } from './sequence-layout.ts';

/**
 * Resolved positions. `from`, when set, means "and every position ≥ from", including tokens
 * generated later — how AFTER_IMAGE and ALL keep applying while decoding.
 */
export interface ResolvedPositions {
  /** Sorted, unique indices within [0, layout.length). */
  indices: number[];
  from?: number;
}

function range(start: number, end: number): number[] {
  return Array.from({ length: Math.max(0, end - start) }, (_, i) => start + i);
}

/** Checks flat visual indices (0 = first visual token); `field` names the list. */
export function checkVisualIndices(list: readonly number[], layout: SequenceLayout, field: string): void {
  list.forEach((k, i) => checkIndex(k, layout.visualTokens, 'visual index', `${field}[${i}]`));
}

/** Sorted unique flat visual indices of a VisualPositions message. */
export function resolveVisualIndices(visual: VisualPositions | undefined, layout: SequenceLayout, field: string): number[] {
  if (!visual) return [];
  checkVisualIndices(visual.flat, layout, `${field}.flat`);
  const out = [...visual.flat];
  visual.coordinates.forEach((c, i) => {
    const at = `${field}.coordinates[${i}]`;
    checkIndex(c.view, layout.views.length, 'view', `${at}.view`);
    const view = layout.views[c.view];
    checkIndex(c.row, view.rows, 'row', `${at}.row`);
    checkIndex(c.col, view.cols, 'col', `${at}.col`);
    out.push(view.offset + c.row * view.cols + c.col);
  });
  return [...new Set(out)].sort((a, b) => a - b);
}

function spanPositions(span: TextSpan, layout: SequenceLayout, field: string): ResolvedPositions {
  switch (span) {
    case TextSpan.TEXT_SPAN_UNSPECIFIED:
      return { indices: [] };
    case TextSpan.TEXT_SPAN_PROMPT:
      return { indices: range(imageEnd(layout), layout.promptEnd) };
    case TextSpan.TEXT_SPAN_TARGET:
      if (layout.promptEnd === layout.length) {
        throw new InvalidArgumentError('TARGET span used but the request has no target', { field: `${field}.span` });
      }
      return { indices: range(layout.promptEnd, layout.length) };
    case TextSpan.TEXT_SPAN_AFTER_IMAGE:
      return { indices: range(imageEnd(layout), layout.length), from: imageEnd(layout) };
    case TextSpan.TEXT_SPAN_ALL:
      return { indices: range(0, layout.length), from: 0 };
    case TextSpan.TEXT_SPAN_LAST:
      return { indices: [layout.promptEnd - 1] };
    default:
      throw new InvalidArgumentError(`unknown text span ${span}`, { field: `${field}.span` });
  }
}

/** Resolves a Positions message; `fallback` applies when it is absent or empty. */
export function resolvePositions(
  positions: Positions | undefined,
  layout: SequenceLayout,
  field: string,
  fallback?: TextSpan,
): ResolvedPositions {
  const empty = !positions || (positions.span === TextSpan.TEXT_SPAN_UNSPECIFIED && !positions.visual && positions.explicit.length === 0);
  if (empty) {
    if (fallback === undefined) throw new InvalidArgumentError('no positions given', { field });
    return spanPositions(fallback, layout, field);
  }
  const fromSpan = spanPositions(positions.span, layout, field);
  const visual = resolveVisualIndices(positions.visual, layout, `${field}.visual`).map((k) => layout.imageStart + k);
  positions.explicit.forEach((p, i) => checkIndex(p, layout.length, 'position', `${field}.explicit[${i}]`));
  const indices = [...new Set([...fromSpan.indices, ...visual, ...positions.explicit])].sort((a, b) => a - b);
  return fromSpan.from === undefined ? { indices } : { indices, from: fromSpan.from };
}

/** Smallest position the resolved set touches (Infinity when empty). */
export function firstPosition(p: ResolvedPositions): number {
  return Math.min(p.indices[0] ?? Infinity, p.from ?? Infinity);
}

/** Whether the set contains position `t` (t may lie beyond the prompt while decoding). */
export function containsPosition(p: ResolvedPositions, t: number): boolean {
  if (p.from !== undefined && t >= p.from) return true;
  return binarySearch(p.indices, t);
}

function binarySearch(sorted: number[], value: number): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] === value) return true;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

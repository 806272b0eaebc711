// The object categories: plain-English shape names, each an outline in a unit frame
// (x, y in [-1, 1], y down). Every outline is one simple polygon so that a COCO polygon
// segmentation describes it exactly.
export const CATEGORY_NAMES = [
  'circle',
  'square',
  'triangle',
  'star',
  'cross',
  'heart',
  'diamond',
  'arrow',
  'moon',
  'hexagon',
] as const;

export type CategoryName = (typeof CATEGORY_NAMES)[number];

export type Point = readonly [number, number];

export interface ShapeSpec {
  /** Unit outline, counter-clockwise or clockwise, not closed (first point not repeated). */
  outline: Point[];
  /** Largest rotation (radians, ±) that keeps the shape recognisable as itself
   *  (a square turned 45° would read as a diamond, a cross as an x). */
  maxRotation: number;
}

const CIRCLE_SEGMENTS = 48;

function regular(sides: number, phase: number): Point[] {
  return Array.from({ length: sides }, (_, i) => {
    const a = phase + (2 * Math.PI * i) / sides;
    return [Math.cos(a), Math.sin(a)] as const;
  });
}

function star(points: number, inner: number): Point[] {
  return Array.from({ length: 2 * points }, (_, i) => {
    const r = i % 2 === 0 ? 1 : inner;
    const a = -Math.PI / 2 + (Math.PI * i) / points;
    return [r * Math.cos(a), r * Math.sin(a)] as const;
  });
}

function heart(): Point[] {
  // The classic parametric heart, scaled into the unit frame (its extent is x ±16, y −17..12).
  return Array.from({ length: CIRCLE_SEGMENTS }, (_, i) => {
    const t = (2 * Math.PI * i) / CIRCLE_SEGMENTS;
    const x = 16 * Math.sin(t) ** 3;
    const y = 13 * Math.cos(t) - 5 * Math.cos(2 * t) - 2 * Math.cos(3 * t) - Math.cos(4 * t);
    return [x / 16, -(y + 2.5) / 14.5] as const;
  });
}

const MOON_CUT_OFFSET = 0.5; // centre of the disc cut out of the unit disc
const MOON_CUT_RADIUS = 0.85;

function moon(): Point[] {
  // A crescent: the unit disc minus a disc shifted right. Walk the outer circle the long way
  // (through x = -1) between the two intersection points, then back along the cut circle.
  const d = MOON_CUT_OFFSET;
  const r = MOON_CUT_RADIUS;
  const ix = (1 + d * d - r * r) / (2 * d);
  const outerStart = Math.atan2(Math.sqrt(1 - ix * ix), ix); // bottom intersection (y down)
  const innerStart = Math.atan2(Math.sqrt(1 - ix * ix), ix - d);
  const n = CIRCLE_SEGMENTS / 2;
  const outer = Array.from({ length: n + 1 }, (_, i) => {
    const a = outerStart + ((2 * Math.PI - 2 * outerStart) * i) / n;
    return [Math.cos(a), Math.sin(a)] as const;
  });
  // From the top intersection back to the bottom one, through the cut circle's leftmost point.
  const inner = Array.from({ length: n - 1 }, (_, i) => {
    const a = -innerStart - ((2 * Math.PI - 2 * innerStart) * (i + 1)) / n;
    return [d + r * Math.cos(a), r * Math.sin(a)] as const;
  });
  return [...outer, ...inner];
}

const W = 0.34; // half-width of the cross bars and the arrow shaft

export const SHAPES: Record<CategoryName, ShapeSpec> = {
  circle: { outline: regular(CIRCLE_SEGMENTS, 0), maxRotation: Math.PI },
  square: { outline: [[-1, -1], [1, -1], [1, 1], [-1, 1]], maxRotation: Math.PI / 9 },
  triangle: { outline: [[0, -1], [1, 0.8], [-1, 0.8]], maxRotation: Math.PI / 6 },
  star: { outline: star(5, 0.45), maxRotation: Math.PI },
  cross: {
    outline: [
      [-W, -1], [W, -1], [W, -W], [1, -W], [1, W], [W, W],
      [W, 1], [-W, 1], [-W, W], [-1, W], [-1, -W], [-W, -W],
    ],
    maxRotation: Math.PI / 9,
  },
  heart: { outline: heart(), maxRotation: Math.PI / 8 },
  diamond: { outline: [[0, -1], [0.62, 0], [0, 1], [-0.62, 0]], maxRotation: Math.PI / 9 },
  arrow: {
    outline: [[-1, -W / 1.5], [0.2, -W / 1.5], [0.2, -0.75], [1, 0], [0.2, 0.75], [0.2, W / 1.5], [-1, W / 1.5]],
    maxRotation: Math.PI,
  },
  moon: { outline: moon(), maxRotation: Math.PI },
  hexagon: { outline: regular(6, 0), maxRotation: Math.PI / 6 },
};

/** Places a unit outline: scale to `size` (full extent of the unit frame), rotate, translate. */
export function placeOutline(outline: readonly Point[], cx: number, cy: number, size: number, rotation: number): Point[] {
  const c = Math.cos(rotation);
  const s = Math.sin(rotation);
  const half = size / 2;
  return outline.map(([x, y]) => [cx + half * (c * x - s * y), cy + half * (s * x + c * y)] as const);
}

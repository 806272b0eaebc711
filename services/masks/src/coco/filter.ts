// The probing-set filter of paper §2.2. The appendix with the exact thresholds is not
// available; the defaults below are our choice, documented in the README:
// - crowd targets are dropped (no single object to localize);
// - a target whose category occurs more than once in its image is dropped (ambiguous
//   question: "where is the dog?" with two dogs), counting crowd regions as occurrences;
// - area fraction (COCO `area` / image area) within [0.5 %, 80 %]: below, the object covers
//   well under one LLaVA token's worth of detail (1/576 ≈ 0.17 % per token, so ≥ 3 tokens);
//   above, the object is the whole scene and a box says little;
// - images whose shorter side is below 224 px (under LLaVA's 336 px input even before padding).
import { InvalidArgumentError } from '@locscope/server-kit';
import type { CocoAnnotation, CocoDataset, CocoImage } from './dataset.ts';

export const DEFAULT_MIN_AREA_FRACTION = 0.005;
export const DEFAULT_MAX_AREA_FRACTION = 0.8;
export const DEFAULT_MIN_SHORT_SIDE = 224;

export interface DatasetFilterOptions {
  dropCrowd?: boolean;
  dropRepeatedCategories?: boolean;
  minAreaFraction?: number;
  maxAreaFraction?: number;
  /** Minimum of min(width, height) in pixels. */
  minShortSide?: number;
}

export type FilterReason = 'crowd' | 'repeated_category' | 'too_small' | 'too_large' | 'low_resolution' | 'missing_image';

export interface FilterResult {
  kept: CocoAnnotation[];
  dropped: { annotation: CocoAnnotation; reason: FilterReason }[];
}

function resolveOptions(options: DatasetFilterOptions): Required<DatasetFilterOptions> {
  const resolved = {
    dropCrowd: options.dropCrowd ?? true,
    dropRepeatedCategories: options.dropRepeatedCategories ?? true,
    minAreaFraction: options.minAreaFraction ?? DEFAULT_MIN_AREA_FRACTION,
    maxAreaFraction: options.maxAreaFraction ?? DEFAULT_MAX_AREA_FRACTION,
    minShortSide: options.minShortSide ?? DEFAULT_MIN_SHORT_SIDE,
  };
  for (const field of ['minAreaFraction', 'maxAreaFraction'] as const) {
    const value = resolved[field];
    if (!(value >= 0 && value <= 1)) throw new InvalidArgumentError(`must be in [0, 1], got ${value}`, { field });
  }
  if (resolved.minAreaFraction > resolved.maxAreaFraction) {
    throw new InvalidArgumentError(`${resolved.minAreaFraction} exceeds maxAreaFraction ${resolved.maxAreaFraction}`, { field: 'minAreaFraction' });
  }
  if (!Number.isInteger(resolved.minShortSide) || resolved.minShortSide < 0) {
    throw new InvalidArgumentError(`must be a non-negative integer, got ${resolved.minShortSide}`, { field: 'minShortSide' });
  }
  return resolved;
}

/** Keeps the annotations that qualify as probing targets; each dropped one gets its first failing reason. */
export function filterDataset(dataset: CocoDataset, options: DatasetFilterOptions = {}): FilterResult {
  const o = resolveOptions(options);
  const images = new Map<number, CocoImage>(dataset.images.map((image) => [image.id, image]));
  const occurrences = new Map<string, number>();
  for (const a of dataset.annotations) {
    const key = `${a.image_id}/${a.category_id}`;
    occurrences.set(key, (occurrences.get(key) ?? 0) + 1);
  }
  const result: FilterResult = { kept: [], dropped: [] };
  for (const annotation of dataset.annotations) {
    const reason = rejection(annotation, images.get(annotation.image_id), occurrences, o);
    if (reason) result.dropped.push({ annotation, reason });
    else result.kept.push(annotation);
  }
  return result;
}

function rejection(
  a: CocoAnnotation,
  image: CocoImage | undefined,
  occurrences: Map<string, number>,
  o: Required<DatasetFilterOptions>,
): FilterReason | undefined {
  if (!image) return 'missing_image';
  if (o.dropCrowd && a.iscrowd === 1) return 'crowd';
  if (o.dropRepeatedCategories && (occurrences.get(`${a.image_id}/${a.category_id}`) ?? 0) > 1) return 'repeated_category';
  if (Math.min(image.width, image.height) < o.minShortSide) return 'low_resolution';
  const fraction = a.area / (image.width * image.height);
  if (fraction < o.minAreaFraction) return 'too_small';
  if (fraction > o.maxAreaFraction) return 'too_large';
  return undefined;
}

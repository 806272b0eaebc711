// COCO's object-size buckets (the thresholds of the COCO detection evaluation).
import { InvalidArgumentError } from '@locscope/server-kit';

export type SizeBucket = 'small' | 'medium' | 'large';

export const SMALL_AREA_LIMIT = 32 ** 2;
export const MEDIUM_AREA_LIMIT = 96 ** 2;

/** small: area < 32², medium: < 96², large: ≥ 96² (area in pixels). */
export function sizeBucket(area: number, field = 'area'): SizeBucket {
  if (!Number.isFinite(area) || area < 0) throw new InvalidArgumentError(`must be a non-negative number, got ${area}`, { field });
  if (area < SMALL_AREA_LIMIT) return 'small';
  return area < MEDIUM_AREA_LIMIT ? 'medium' : 'large';
}

// Per-request cost limits of the masks service, with named defaults that fit its pod
// (deploy/k8s/masks.yaml: 2 GiB memory limit, half a core requested). A request is priced
// before any work starts (request-cost.ts) and refused when one of its costs exceeds these.
export interface MasksLimits {
  /**
   * Lattice points of the polygon outline trace over all polygons of a segmentation. The
   * rasterizer keeps ~5 numbers per point (~80 MB per million points): this, not the vertex
   * count, is what a polygon costs. A polygon outlining a 8192×8192 image is ~160k points.
   */
  maxOutlinePoints: number;
  /**
   * Cell visits of projecting the mask (every pixel × the cells it overlaps) and padding the
   * grids (two passes of (2|p|+1) cells per cell and padding): the CPU time of a request.
   */
  maxCellVisits: number;
  /** Predicted bytes of one response (token lists of every padding, RLE string). */
  maxResponseBytes: number;
}

export const DEFAULT_MASKS_LIMITS: Readonly<MasksLimits> = Object.freeze({
  maxOutlinePoints: 4_000_000,
  maxCellVisits: 400_000_000,
  maxResponseBytes: 32 * 1024 * 1024,
});

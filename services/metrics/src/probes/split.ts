// Deterministic train/held-out assignment from a split key and a seed (no state, no second pass).

/** A 32-bit integer hash (the "lowbias32" mixer), spread over [0, 1). */
function unitHash(key: number, seed: number): number {
  let x = (key ^ Math.imul(seed, 0x9e3779b9)) >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return (x >>> 0) / 2 ** 32;
}

export function isHeldOut(key: number, seed: number, heldOutFraction: number): boolean {
  return unitHash(key, seed) < heldOutFraction;
}

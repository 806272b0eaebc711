// Mats live in the WASM heap, which JavaScript's garbage collector never frees: every Mat a
// computation allocates is tracked here and deleted when it ends, whether it succeeds or throws.
import type { OpenCv } from './runtime.ts';

type Mat = InstanceType<OpenCv['Mat']>;

export interface MatScope {
  /** Registers a Mat for deletion at the end of the scope and returns it. */
  track<M extends Mat>(mat: M): M;
}

/** Runs `body` and deletes every Mat it tracked afterwards. */
export function withMats<T>(body: (scope: MatScope) => T): T {
  const mats: Mat[] = [];
  try {
    return body({
      track: (mat) => {
        mats.push(mat);
        return mat;
      },
    });
  } finally {
    for (const mat of mats) mat.delete();
  }
}

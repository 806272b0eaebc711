// The OpenCV WASM runtime, initialised once and only when a backend first needs it: parsing and
// compiling the 7.6 MB module takes a second or more, which commands that never inpaint should
// not pay.
import { createRequire } from 'node:module';
import type cvModule from '@techstark/opencv-js';

export type OpenCv = typeof cvModule;

/** Emscripten's Module: `then` calls back with the module once its runtime is initialised. */
interface EmscriptenModule {
  then?: (onReady: (module: EmscriptenModule) => void) => unknown;
}

let ready: Promise<OpenCv> | undefined;

/** Resolves when the WASM module is initialised; later calls return the same runtime. */
export function loadOpenCv(): Promise<OpenCv> {
  ready ??= new Promise<OpenCv>((resolve) => {
    // Loaded with Node's require rather than import: the CommonJS module exports `then`, so its
    // ESM namespace is a thenable too, and a dynamic import() of it (which vitest makes of every
    // import) never settles.
    const emscripten = createRequire(import.meta.url)('@techstark/opencv-js') as EmscriptenModule;
    emscripten.then!((initialised) => {
      // A promise that resolves to a thenable adopts its `then`, which would call back forever;
      // once initialised the module needs no `then` (newer Emscripten deletes it the same way).
      delete initialised.then;
      resolve(initialised as unknown as OpenCv);
    });
  });
  return ready;
}

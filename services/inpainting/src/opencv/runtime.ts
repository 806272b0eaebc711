// The OpenCV WASM runtime, initialised once and only when a backend first needs it: parsing and
// compiling the 7.6 MB module takes a second or more, which commands that never inpaint should
// not pay.
import { createRequire } from 'node:module';
import type cvModule from '@techstark/opencv-js';

export type OpenCv = typeof cvModule;

/** Emscripten's Module: `then` calls back with the module once its runtime is initialised. */
interface EmscriptenModule {
  then(onReady: (module: OpenCv) => void): unknown;
}

let ready: Promise<OpenCv> | undefined;

/** Resolves when the WASM module is initialised; later calls return the same runtime. */
export function loadOpenCv(): Promise<OpenCv> {
  // Loaded with Node's require rather than import: the UMD bundle is plain CommonJS, and going
  // through a bundler's module transform (vitest's) hangs on its embedded base64 WASM.
  ready ??= new Promise<{ cv: OpenCv }>((resolve) => {
    const emscripten = createRequire(import.meta.url)('@techstark/opencv-js') as EmscriptenModule;
    // The module is itself a thenable, so it is handed over wrapped: resolving a promise with it
    // directly would adopt its `then` and recurse.
    emscripten.then((cv) => resolve({ cv }));
  }).then(({ cv }) => cv);
  return ready;
}

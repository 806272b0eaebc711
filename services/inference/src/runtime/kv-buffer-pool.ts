// Backing memory for generate's KV buffers, reused across calls. A fresh multi-megabyte array
// costs a page fault per 4 KiB page on its first write (the prompt run's outputs): for the bench
// model's 20 MB that measured 2–70 ms here (a third of a prefill at worst); a reused one is already
// mapped and only needs zeroing. One idle array is kept (the largest up to `maxBytes`); concurrent
// calls that find none allocate their own.
export class KvBufferPool {
  private idle: Float32Array | null = null;

  constructor(private readonly maxBytes: number) {}

  /** `length` zeroed floats (a view on a reused array when one is large enough). */
  take(length: number): Float32Array {
    const idle = this.idle;
    if (idle === null || idle.length < length) return new Float32Array(length);
    this.idle = null;
    const view = idle.subarray(0, length);
    view.fill(0);
    return view;
  }

  /** Returns memory from `take` (or a view on it) for reuse; the caller no longer reads or writes it. */
  give(memory: Float32Array): void {
    const whole = new Float32Array(memory.buffer);
    if (whole.byteLength > this.maxBytes || (this.idle !== null && this.idle.length >= whole.length)) return;
    this.idle = whole;
  }
}

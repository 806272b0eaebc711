// This process's memory as Linux accounts it. Mapped weight files count in RSS as file-backed
// pages (which the kernel can drop and re-read), so the anonymous part — activations, arenas,
// the JS heap — is reported apart from them. Every reader returns null off Linux.
import { readFileSync } from 'node:fs';

function readKb(file: string, field: string): number | null {
  try {
    const kb = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(file, 'utf8'));
    return kb ? Number(kb[1]) : null;
  } catch {
    return null;
  }
}

/** Anonymous (not file-backed) resident memory, MB. */
export function anonymousMb(): number | null {
  const kb = readKb('/proc/self/smaps_rollup', 'Anonymous');
  return kb === null ? null : kb / 1024;
}

/** Peak resident set size (VmHWM), MB: anonymous and file-backed pages together. */
export function peakRssMb(): number | null {
  const kb = readKb('/proc/self/status', 'VmHWM');
  return kb === null ? null : kb / 1024;
}

export interface RssSplit {
  rssMb: number;
  anonymousMb: number;
  /** Rss − Anonymous: mapped files (weights, code) and shared memory. */
  fileMb: number;
}

export function rssSplit(): RssSplit | null {
  const rss = readKb('/proc/self/smaps_rollup', 'Rss');
  const anon = readKb('/proc/self/smaps_rollup', 'Anonymous');
  if (rss === null || anon === null) return null;
  return { rssMb: rss / 1024, anonymousMb: anon / 1024, fileMb: (rss - anon) / 1024 };
}

/**
 * The kernel keeps only the peak of the total (VmHWM): the peaks of the anonymous and the
 * file-backed part are sampled on a timer (onnxruntime computes off the event loop, so the timer
 * fires during forwards).
 */
export class RssPeakSampler {
  private peak: RssSplit | null = null;
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs = 500) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  sample(): void {
    const now = rssSplit();
    if (!now) return;
    this.peak = this.peak === null ? now : { rssMb: Math.max(this.peak.rssMb, now.rssMb), anonymousMb: Math.max(this.peak.anonymousMb, now.anonymousMb), fileMb: Math.max(this.peak.fileMb, now.fileMb) };
  }

  /** Per-part peaks (each at its own moment, so they need not add up to the total's peak). */
  stop(): RssSplit | null {
    clearInterval(this.timer);
    this.sample();
    return this.peak;
  }
}

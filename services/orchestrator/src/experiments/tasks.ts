// The two tasks of the study (paper §2.3) and the prompt each uses.
import { z } from 'zod';

export const TASKS = ['localization', 'classification'] as const;
export type Task = (typeof TASKS)[number];
export const tasksSchema = z.array(z.enum(TASKS)).min(1).default([...TASKS]);

/** How visual tokens are removed (paper §3.1: the mean visual embedding over ImageNet val). */
export const REPLACEMENTS = ['mean', 'zero'] as const;
export const replacementSchema = z.enum(REPLACEMENTS).default('mean');

/** Seeds 0..n-1, the paper's convention for "n seeds". */
export function seedRange(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

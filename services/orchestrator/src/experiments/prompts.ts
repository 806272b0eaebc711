// Fills the prompt templates of a config (`{object}`, `{categories}`).
import type { Envelope } from '../config/envelope.ts';

export function fillPrompt(template: string, values: { object?: string; categories?: string[] }): string {
  return template.replaceAll('{object}', values.object ?? '').replaceAll('{categories}', (values.categories ?? []).join(', '));
}

export type Prompts = Envelope['prompts'];

// Fills the prompt templates of a config (`{object}`, `{categories}`).

export function fillPrompt(template: string, values: { object?: string; categories?: string[] }): string {
  return template.replaceAll('{object}', values.object ?? '').replaceAll('{categories}', (values.categories ?? []).join(', '));
}

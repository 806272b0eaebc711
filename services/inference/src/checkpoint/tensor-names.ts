// Legacy llava-hf / InternVL-HF key names → the canonical (transformers ≥ 4.52) form that
// the graph builders address. transformers still *saves* the legacy form (both shared
// fixtures use it), and the llava-hf hub checkpoints were published with it.

/** First match wins; anchored at the start of the stored name. */
const LEGACY_PREFIXES: readonly (readonly [legacy: string, canonical: string])[] = [
  ['language_model.model.', 'model.language_model.'],
  ['language_model.lm_head.', 'lm_head.'],
  ['vision_tower.', 'model.vision_tower.'],
  ['multi_modal_projector.', 'model.multi_modal_projector.'],
];

/** The canonical name of a stored tensor name (already-canonical names are returned unchanged). */
export function canonicalTensorName(storedName: string): string {
  for (const [legacy, canonical] of LEGACY_PREFIXES) {
    if (storedName.startsWith(legacy)) return canonical + storedName.slice(legacy.length);
  }
  return storedName;
}

/** The name transformers' save_pretrained stores for a canonical name (the inverse of canonicalTensorName). */
export function legacyTensorName(canonicalName: string): string {
  for (const [legacy, canonical] of LEGACY_PREFIXES) {
    if (canonicalName.startsWith(canonical)) return legacy + canonicalName.slice(canonical.length);
  }
  return canonicalName;
}

// Test helpers shared by this folder's tests: fixture paths and scratch directories.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readByteRange, readSafetensorsHeader } from './safetensors.ts';
import { writeSafetensors, type TensorToWrite } from './safetensors-writer.ts';

/** `../shared/fixtures/hf-parity` of the repository root. */
export const HF_PARITY_DIR = fileURLToPath(new URL('../../../../../shared/fixtures/hf-parity/', import.meta.url));
export const LLAVA_TINY = join(HF_PARITY_DIR, 'llava-tiny');
export const INTERNVL_TINY = join(HF_PARITY_DIR, 'internvl-tiny');

/** A fresh temporary directory and its cleanup. */
export function scratchDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `locscope-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface RewriteOptions {
  /** Replace or drop (return undefined) each stored tensor; names may be changed too. */
  tensor?: (t: TensorToWrite & { data: Uint8Array }) => TensorToWrite | undefined;
  /** Edit the parsed config.json in place. */
  config?: (config: Record<string, any>) => void;
  /** Split into this many shards with a model.safetensors.index.json (default: one model.safetensors). */
  shards?: number;
}

/** Copies an HF checkpoint directory into `dest`, rewriting weights/config as asked (via writeSafetensors). */
export function rewriteCheckpoint(source: string, dest: string, options: RewriteOptions = {}): void {
  mkdirSync(dest, { recursive: true });
  for (const name of readdirSync(source)) {
    if (name.endsWith('.json') && name !== 'config.json') copyFileSync(join(source, name), join(dest, name));
  }
  const config = JSON.parse(readFileSync(join(source, 'config.json'), 'utf8'));
  options.config?.(config);
  writeFileSync(join(dest, 'config.json'), JSON.stringify(config, null, 2));

  const header = readSafetensorsHeader(join(source, 'model.safetensors'));
  const tensors: TensorToWrite[] = [];
  for (const info of header.tensors.values()) {
    const original = { name: info.name, dtype: info.dtype, shape: info.shape, data: readByteRange(header.file, info.offset, info.byteLength) };
    const rewritten = options.tensor ? options.tensor(original) : original;
    if (rewritten) tensors.push(rewritten);
  }
  const shards = options.shards ?? 1;
  if (shards === 1) {
    writeSafetensors(join(dest, 'model.safetensors'), tensors, header.metadata);
    return;
  }
  const weightMap: Record<string, string> = {};
  for (let s = 0; s < shards; s++) {
    const shardName = `model-${String(s + 1).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}.safetensors`;
    const part = tensors.filter((_, i) => i % shards === s);
    for (const t of part) weightMap[t.name] = shardName;
    writeSafetensors(join(dest, shardName), part, header.metadata);
  }
  writeFileSync(join(dest, 'model.safetensors.index.json'), JSON.stringify({ metadata: { total_size: 0 }, weight_map: weightMap }));
}

export interface TestTokenizerSpec {
  /** Special/added tokens by id (e.g. { 1: '<s>', 590: '<image>' }). */
  added: Record<number, string>;
  /** Whole words that get merges (so they encode as one token); every other text falls back to characters. */
  words: readonly string[];
  /** Llama style: '▁' replaces spaces and is prepended (Metaspace); otherwise spaces stay characters (Qwen-like). */
  metaspace: boolean;
  /** Token prepended by the post-processor (Llama's BOS), if any. */
  bos?: string;
  /** Id of the first character token (default 2000); lower it to fit a small model's vocabulary. */
  firstId?: number;
}

/** Printable ASCII + newline + '▁': every test string built from these encodes without <unk>. */
const TEST_CHARS = [...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)), '\n', '▁'];

/**
 * A small BPE tokenizer in the `tokenizer.json` format of Hugging Face tokenizers, so tests run the
 * real @huggingface/tokenizers code path. Ids: added tokens where given; characters, then words, from 2000.
 */
export function testTokenizerJson(spec: TestTokenizerSpec): object {
  const vocab: Record<string, number> = {};
  let next = spec.firstId ?? 2000;
  for (const ch of TEST_CHARS) vocab[ch] = next++;
  const merges: string[] = [];
  for (const raw of spec.words) {
    const word = spec.metaspace ? `▁${raw}` : raw;
    const chars = [...word];
    let piece = chars[0]!;
    for (const ch of chars.slice(1)) {
      merges.push(`${piece} ${ch}`);
      piece += ch;
      if (!(piece in vocab)) vocab[piece] = next++;
    }
  }
  const addedTokens = Object.entries(spec.added).map(([id, content]) => ({ id: Number(id), content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }));
  const bosId = spec.bos === undefined ? undefined : Number(Object.entries(spec.added).find(([, c]) => c === spec.bos)![0]);
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: addedTokens,
    normalizer: spec.metaspace ? { type: 'Sequence', normalizers: [{ type: 'Prepend', prepend: '▁' }, { type: 'Replace', pattern: { String: ' ' }, content: '▁' }] } : null,
    pre_tokenizer: null,
    post_processor:
      bosId === undefined
        ? null
        : {
            type: 'TemplateProcessing',
            single: [{ SpecialToken: { id: spec.bos, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
            pair: [{ SpecialToken: { id: spec.bos, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }],
            special_tokens: { [spec.bos!]: { id: spec.bos, ids: [bosId], tokens: [spec.bos] } },
          },
    decoder: spec.metaspace
      ? { type: 'Sequence', decoders: [{ type: 'Replace', pattern: { String: '▁' }, content: ' ' }, { type: 'Fuse' }, { type: 'Strip', content: ' ', start: 1, stop: 0 }] }
      : { type: 'Fuse' },
    model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: false, byte_fallback: false, vocab, merges },
  };
}

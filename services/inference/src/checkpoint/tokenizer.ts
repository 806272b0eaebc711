// The checkpoint's tokenizer: `tokenizer.json` run by @huggingface/tokenizers, plus what
// `tokenizer_config.json` adds (special tokens, chat template). The chat template may also live
// in `chat_template.jinja` or a processor's `chat_template.json`, as transformers allows.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { z } from 'zod';
import { CheckpointConfigError } from './errors.ts';
import { parseWith, readJson, readOptionalJson } from './json-file.ts';

export const TOKENIZER_FILE = 'tokenizer.json';
export const TOKENIZER_CONFIG_FILE = 'tokenizer_config.json';

/** A special token is written either as a string or as an AddedToken object ({ content, ... }). */
const tokenText = z.union([z.string(), z.object({ content: z.string() }).loose()]).transform((t) => (typeof t === 'string' ? t : t.content));
const chatTemplate = z.union([z.string(), z.array(z.object({ name: z.string(), template: z.string() }))]);

const tokenizerConfigSchema = z
  .object({
    bos_token: tokenText.nullish(),
    eos_token: tokenText.nullish(),
    pad_token: tokenText.nullish(),
    unk_token: tokenText.nullish(),
    chat_template: chatTemplate.nullish(),
    add_bos_token: z.boolean().nullish(),
    /** Named extra tokens (InternVL-HF: context_image_token, start_image_token, end_image_token). */
    extra_special_tokens: z.union([z.record(z.string(), tokenText), z.array(tokenText)]).nullish(),
  })
  .loose();

export interface CheckpointTokenizer {
  /** Token ids of `text`; `addSpecialTokens` applies the tokenizer's post-processor (e.g. Llama's BOS). */
  encode(text: string, options?: { addSpecialTokens?: boolean }): number[];
  decode(ids: readonly number[], options?: { skipSpecialTokens?: boolean }): string;
  /** The id of a vocabulary or added token, or undefined. */
  tokenToId(token: string): number | undefined;
  idToToken(id: number): string | undefined;
  /** The Jinja chat template, when the checkpoint ships one (the one named 'default' when several). */
  readonly chatTemplate: string | undefined;
  readonly bosToken: string | undefined;
  readonly eosToken: string | undefined;
  /** `extra_special_tokens` of tokenizer_config.json by role name (empty when absent or given as a list). */
  readonly namedSpecialTokens: Readonly<Record<string, string>>;
}

/** The checkpoint's tokenizer, or undefined when `dir` has no tokenizer.json. */
export function loadTokenizer(dir: string): CheckpointTokenizer | undefined {
  const file = join(dir, TOKENIZER_FILE);
  if (!existsSync(file)) return undefined;
  const configFile = join(dir, TOKENIZER_CONFIG_FILE);
  const rawConfig = readOptionalJson(configFile) ?? {};
  const config = parseWith(tokenizerConfigSchema, rawConfig, configFile);
  let tokenizer: Tokenizer;
  try {
    tokenizer = new Tokenizer(readJson(file) as object, rawConfig as object);
  } catch (error) {
    throw new CheckpointConfigError(file, undefined, `cannot be loaded by @huggingface/tokenizers: ${(error as Error).message}`, { cause: error });
  }
  return {
    encode: (text, options = {}) => tokenizer.encode(text, { add_special_tokens: options.addSpecialTokens ?? true }).ids,
    // The library refuses an empty id list; an empty decode is simply ''.
    decode: (ids, options = {}) => (ids.length === 0 ? '' : tokenizer.decode([...ids], { skip_special_tokens: options.skipSpecialTokens ?? false })),
    tokenToId: (token) => tokenizer.token_to_id(token),
    idToToken: (id) => tokenizer.id_to_token(id),
    chatTemplate: findChatTemplate(dir, config.chat_template ?? undefined, configFile),
    bosToken: config.bos_token ?? undefined,
    eosToken: config.eos_token ?? undefined,
    namedSpecialTokens: config.extra_special_tokens && !Array.isArray(config.extra_special_tokens) ? config.extra_special_tokens : {},
  };
}

function findChatTemplate(dir: string, fromConfig: z.output<typeof chatTemplate> | undefined, configFile: string): string | undefined {
  if (typeof fromConfig === 'string') return fromConfig;
  if (Array.isArray(fromConfig)) {
    const chosen = fromConfig.find((t) => t.name === 'default');
    if (!chosen) throw new CheckpointConfigError(configFile, 'chat_template', "is a list without a template named 'default'");
    return chosen.template;
  }
  const jinjaFile = join(dir, 'chat_template.jinja');
  if (existsSync(jinjaFile)) return readFileSync(jinjaFile, 'utf8');
  const jsonFile = join(dir, 'chat_template.json');
  const fromProcessor = readOptionalJson(jsonFile);
  if (fromProcessor === undefined) return undefined;
  return parseWith(z.object({ chat_template: z.string() }).loose(), fromProcessor, jsonFile).chat_template;
}

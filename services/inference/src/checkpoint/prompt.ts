// Each family's prompt format, with the image placeholder expanded into the tokens the vision
// features replace, and the spans the intervention API addresses (DESIGN §4: image tokens per
// view, AFTER_IMAGE, TARGET).
//   LLaVA-1.5:   `USER: <image>×N\n{question} ASSISTANT:` (N = image_seq_length, 576 for the real model)
//   InternVL:    `<img><IMG_CONTEXT>×(N·views)</img>` in the Qwen chat template (the checkpoint's
//                own template rendered with @huggingface/jinja when it ships one).
import { Template } from '@huggingface/jinja';
import { CheckpointConfigError, PromptInputError } from './errors.ts';
import type { ModelConfig } from './model-config.ts';
import { TOKENIZER_FILE, type CheckpointTokenizer } from './tokenizer.ts';

/** Half-open token range [start, end). */
export interface Span {
  start: number;
  end: number;
}

export interface EncodedPrompt {
  /** The prompt text with the image placeholder expanded, as tokenized. */
  text: string;
  ids: number[];
  /** All image tokens (every view). */
  image: Span;
  /** One span per view, in order (LLaVA: one; InternVL: tiles then the thumbnail). */
  views: Span[];
  /** Everything after the image tokens to the end of the prompt. */
  afterImage: Span;
}

export interface TeacherForcedPrompt extends EncodedPrompt {
  /** Prompt ids followed by the answer ids (`ids` covers both). */
  promptLength: number;
  /** The answer tokens inside `ids`. */
  target: Span;
}

export interface PromptOptions {
  /** Image views (InternVL: tiles + thumbnail); LLaVA accepts only 1. Default 1. */
  views?: number;
}

export interface TeacherForcingOptions extends PromptOptions {
  /** Append the end-of-sequence token to the target (scores "the answer ends here"). Default false. */
  appendEos?: boolean;
}

export interface PromptFormat {
  readonly family: ModelConfig['family'];
  readonly imageTokenId: number;
  /** Image tokens per view. */
  readonly tokensPerView: number;
  encode(question: string, options?: PromptOptions): EncodedPrompt;
  encodeWithTarget(question: string, answer: string, options?: TeacherForcingOptions): TeacherForcedPrompt;
}

/** One family's prompt text (image placeholder already expanded) and how it is tokenized. */
interface FamilyTemplate {
  render(question: string, views: number): string;
  /** Text put between the rendered prompt and the answer. */
  answerSeparator: string;
  addSpecialTokens: boolean;
}

/** LLaVA-1.5 and InternVL prompt formats over `tokenizer`; without one, encoding names the missing tokenizer.json. */
export function createPromptFormat(config: ModelConfig, dir: string, tokenizer: CheckpointTokenizer | undefined, eosTokenIds: readonly number[]): PromptFormat {
  const tokensPerView = config.imageSeqLength;
  const imageTokenId = config.imageTokenId;
  // Built on first use (the Jinja template compiles once), so a checkpoint without tokenizer still loads.
  let ready: { tokenizer: CheckpointTokenizer; template: FamilyTemplate } | undefined;
  const require = (): { tokenizer: CheckpointTokenizer; template: FamilyTemplate } => {
    if (!tokenizer) throw new CheckpointConfigError(`${dir}/${TOKENIZER_FILE}`, undefined, 'not found: prompts cannot be tokenized without it');
    ready ??= { tokenizer, template: config.family === 'llava' ? llavaTemplate(tokenizer, dir, imageTokenId, tokensPerView) : internvlTemplate(tokenizer, dir, imageTokenId, tokensPerView) };
    return ready;
  };

  const encode = (question: string, options: PromptOptions = {}): EncodedPrompt => {
    const views = options.views ?? 1;
    if (!Number.isInteger(views) || views < 1 || (config.family === 'llava' && views !== 1)) {
      throw new PromptInputError(`${views} views; ${config.family === 'llava' ? 'LLaVA takes exactly 1' : 'must be a positive integer'}`, { field: 'views' });
    }
    const { tokenizer: tok, template } = require();
    const imageToken = tok.idToToken(imageTokenId)!;
    if (question.includes(imageToken)) throw new PromptInputError(`contains the image token '${imageToken}'`, { field: 'question' });
    const text = template.render(question, views);
    const ids = tok.encode(text, { addSpecialTokens: template.addSpecialTokens });
    return { text, ids, ...imageSpans(ids, imageTokenId, tokensPerView, views, dir) };
  };

  return {
    family: config.family,
    imageTokenId,
    tokensPerView,
    encode,
    encodeWithTarget(question, answer, options = {}) {
      if (answer.trim() === '') throw new PromptInputError('is empty', { field: 'answer' });
      const prompt = encode(question, options);
      const { tokenizer: tok, template } = require();
      const full = tok.encode(prompt.text + template.answerSeparator + answer, { addSpecialTokens: template.addSpecialTokens });
      // Tokenizing prompt+answer together matches how the model saw such text in training; if the
      // answer merged with the prompt's last token, fall back to tokenizing the answer on its own.
      const prefixKept = full.length > prompt.ids.length && prompt.ids.every((id, i) => full[i] === id);
      const ids = prefixKept ? full : [...prompt.ids, ...tok.encode(answer, { addSpecialTokens: false })];
      if (ids.length === prompt.ids.length) throw new PromptInputError('tokenizes to no tokens', { field: 'answer' });
      if (options.appendEos) {
        if (eosTokenIds.length === 0) throw new CheckpointConfigError(`${dir}/generation_config.json`, 'eos_token_id', 'absent, so no end-of-sequence token can be appended');
        ids.push(eosTokenIds[0]!);
      }
      return { ...prompt, ids, promptLength: prompt.ids.length, target: { start: prompt.ids.length, end: ids.length } };
    },
  };
}

function requireToken(tokenizer: CheckpointTokenizer, dir: string, token: string): void {
  if (tokenizer.tokenToId(token) === undefined) throw new CheckpointConfigError(`${dir}/${TOKENIZER_FILE}`, undefined, `has no token '${token}', which the prompt format needs`);
}

function imageTokenText(tokenizer: CheckpointTokenizer, dir: string, imageTokenId: number): string {
  const token = tokenizer.idToToken(imageTokenId);
  if (token === undefined) throw new CheckpointConfigError(`${dir}/${TOKENIZER_FILE}`, undefined, `has no token with the config's image token id ${imageTokenId}`);
  return token;
}

function llavaTemplate(tokenizer: CheckpointTokenizer, dir: string, imageTokenId: number, tokensPerView: number): FamilyTemplate {
  const imageToken = imageTokenText(tokenizer, dir, imageTokenId);
  return {
    render: (question) => `USER: ${imageToken.repeat(tokensPerView)}\n${question} ASSISTANT:`,
    answerSeparator: ' ',
    // LlavaProcessor tokenizes with the tokenizer's defaults: Llama prepends BOS.
    addSpecialTokens: true,
  };
}

/** Defaults of InternVL's image delimiters when tokenizer_config.json does not name them (`start_image_token`/`end_image_token`). */
export const INTERNVL_IMAGE_START = '<img>';
export const INTERNVL_IMAGE_END = '</img>';
/** Used when the checkpoint has no chat template: Qwen's ChatML turn for one user message. */
const CHATML_FALLBACK = '<|im_start|>user\n<image>\n{question}<|im_end|>\n<|im_start|>assistant\n';

function internvlTemplate(tokenizer: CheckpointTokenizer, dir: string, imageTokenId: number, tokensPerView: number): FamilyTemplate {
  const context = imageTokenText(tokenizer, dir, imageTokenId);
  const start = tokenizer.namedSpecialTokens['start_image_token'] ?? INTERNVL_IMAGE_START;
  const end = tokenizer.namedSpecialTokens['end_image_token'] ?? INTERNVL_IMAGE_END;
  requireToken(tokenizer, dir, start);
  requireToken(tokenizer, dir, end);
  const chat = tokenizer.chatTemplate === undefined ? undefined : compileChatTemplate(tokenizer.chatTemplate, dir);
  return {
    render(question, views) {
      const rendered = chat
        ? chat.render({
            messages: [{ role: 'user', content: [{ type: 'image' }, { type: 'text', text: question }] }],
            add_generation_prompt: true,
            bos_token: tokenizer.bosToken ?? '',
            eos_token: tokenizer.eosToken ?? '',
          })
        : CHATML_FALLBACK.replace('{question}', () => question);
      // The template writes one placeholder per image: the context token itself (InternVL-HF) or `<image>`.
      const placeholder = [context, '<image>'].find((p) => rendered.includes(p));
      if (placeholder === undefined) throw new CheckpointConfigError(`${dir}/tokenizer_config.json`, 'chat_template', `renders no image placeholder ('${context}' or '<image>')`);
      const expansion = start + context.repeat(tokensPerView * views) + end;
      const at = rendered.indexOf(placeholder);
      return rendered.slice(0, at) + expansion + rendered.slice(at + placeholder.length);
    },
    answerSeparator: '',
    // The chat template already contains every special token.
    addSpecialTokens: false,
  };
}

function compileChatTemplate(source: string, dir: string): Template {
  try {
    return new Template(source);
  } catch (error) {
    throw new CheckpointConfigError(`${dir}/tokenizer_config.json`, 'chat_template', `is not a valid Jinja template: ${(error as Error).message}`, { cause: error });
  }
}

/** Locates the expanded image tokens; they must form one contiguous run of tokensPerView·views. */
function imageSpans(ids: readonly number[], imageTokenId: number, tokensPerView: number, views: number, dir: string): Pick<EncodedPrompt, 'image' | 'views' | 'afterImage'> {
  const start = ids.indexOf(imageTokenId);
  const expected = tokensPerView * views;
  let count = 0;
  for (const id of ids) if (id === imageTokenId) count++;
  if (start < 0 || count !== expected || ids[start + expected - 1] !== imageTokenId) {
    throw new CheckpointConfigError(`${dir}/${TOKENIZER_FILE}`, undefined, `the prompt tokenized to ${count} image tokens (id ${imageTokenId}), expected one run of ${expected}`);
  }
  const end = start + expected;
  return {
    image: { start, end },
    views: Array.from({ length: views }, (_, v) => ({ start: start + v * tokensPerView, end: start + (v + 1) * tokensPerView })),
    afterImage: { start: end, end: ids.length },
  };
}

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { CheckpointConfigError, PromptInputError } from './errors.ts';
import { loadCheckpoint, type Checkpoint } from './load-checkpoint.ts';
import { INTERNVL_TINY, LLAVA_TINY, rewriteCheckpoint, scratchDir, testTokenizerJson } from './test-support.ts';

const scratch = scratchDir('prompt');
afterAll(scratch.cleanup);

const WORDS = ['USER', 'ASSISTANT', 'user', 'assistant', 'what', 'is', 'the', 'color', 'of', 'cat', 'yes', 'no'];

// The InternVL-HF chat template shape: an image part renders the context token as its placeholder.
const INTERNVL_CHAT_TEMPLATE =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n'}}{% if message['content'] is string %}{{ message['content'] }}{% else %}" +
  "{% for content in message['content'] %}{% if content['type'] == 'image' %}{{ '<IMG_CONTEXT>\\n' }}{% elif content['type'] == 'text' %}{{ content['text'] }}{% endif %}{% endfor %}{% endif %}" +
  "{{'<|im_end|>\\n'}}{% endfor %}{% if add_generation_prompt %}{{'<|im_start|>assistant\\n' }}{% endif %}";

function llavaCheckpoint(): Checkpoint {
  const dir = join(scratch.dir, 'llava');
  rewriteCheckpoint(LLAVA_TINY, dir);
  const tokenizer = testTokenizerJson({ added: { 0: '<unk>', 1: '<s>', 2: '</s>', 590: '<image>', 591: '<pad>' }, words: WORDS, metaspace: true, bos: '<s>' });
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tokenizer));
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ bos_token: '<s>', eos_token: '</s>', add_bos_token: true }));
  return loadCheckpoint(dir);
}

function internvlCheckpoint(name: string, chatTemplate: string | undefined, extraConfig: object = {}): Checkpoint {
  const dir = join(scratch.dir, name);
  rewriteCheckpoint(INTERNVL_TINY, dir);
  const tokenizer = testTokenizerJson({ added: { 612: '<IMG_CONTEXT>', 613: '<img>', 614: '</img>', 615: '<vision_start>', 616: '<vision_end>', 620: '<|im_start|>', 621: '<|im_end|>', 630: '<|endoftext|>' }, words: WORDS, metaspace: false });
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tokenizer));
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ eos_token: '<|im_end|>', ...(chatTemplate ? { chat_template: chatTemplate } : {}), ...extraConfig }));
  return loadCheckpoint(dir);
}

const llava = llavaCheckpoint();
const internvl = internvlCheckpoint('internvl', INTERNVL_CHAT_TEMPLATE);

describe('LLaVA-1.5 prompt', () => {
  it('is `USER: <image>×N\\n{question} ASSISTANT:` with BOS and one run of image_seq_length image tokens', () => {
    const p = llava.prompt.encode('what is the color of the cat?');
    const tok = llava.tokenizer!;
    expect(p.text).toBe(`USER: ${'<image>'.repeat(64)}\nwhat is the color of the cat? ASSISTANT:`);
    expect(p.ids[0]).toBe(1);
    expect(p.image.end - p.image.start).toBe(64);
    expect(p.views).toEqual([p.image]);
    expect(p.ids.slice(p.image.start, p.image.end).every((id) => id === 590)).toBe(true);
    expect(p.ids.filter((id) => id === 590)).toHaveLength(64);
    // Before the image: BOS, "▁USER", ":", "▁" (the space before the added token).
    expect(p.ids.slice(0, p.image.start).map((id) => tok.idToToken(id))).toEqual(['<s>', '▁USER', ':', '▁']);
    expect(p.afterImage).toEqual({ start: p.image.end, end: p.ids.length });
    expect(tok.decode(p.ids.slice(p.afterImage.start))).toContain('what is the color of the cat? ASSISTANT:');
  });

  it('teacher forcing appends the answer tokens after the prompt, with the target span', () => {
    const t = llava.prompt.encodeWithTarget('what is the cat?', 'yes', { appendEos: true });
    const p = llava.prompt.encode('what is the cat?');
    expect(t.ids.slice(0, t.promptLength)).toEqual(p.ids);
    expect(t.target).toEqual({ start: p.ids.length, end: t.ids.length });
    const target = t.ids.slice(t.target.start, t.target.end);
    expect(target.map((id) => llava.tokenizer!.idToToken(id))).toEqual(['▁yes', '</s>']);
  });

  it('rejects more than one view and a question containing the image token, naming the field', () => {
    expect(() => llava.prompt.encode('x', { views: 2 })).toThrowError(PromptInputError);
    expect(() => llava.prompt.encode('see <image>')).toThrow(/^question: contains the image token '<image>'/);
    expect(() => llava.prompt.encodeWithTarget('x', '')).toThrow(/^answer: is empty/);
  });

  it('spans hold for any question (property)', () => {
    const question = fc.array(fc.constantFrom(...WORDS, 'a', '?', ',', '42', 'Zebra'), { minLength: 1, maxLength: 12 }).map((w) => w.join(' '));
    fc.assert(
      fc.property(question, (q) => {
        const p = llava.prompt.encode(q);
        expect(p.image.end - p.image.start).toBe(64);
        expect(p.ids.filter((id) => id === 590)).toHaveLength(64);
        const tok = llava.tokenizer!;
        // Decoding applies the same clean-up (" ," → ",") to both sides.
        expect(tok.decode(p.ids.slice(p.afterImage.start, p.afterImage.end))).toContain(tok.decode(tok.encode(`${q} ASSISTANT:`, { addSpecialTokens: false })));
      }),
      { numRuns: 50 },
    );
  });
});

describe('InternVL prompt', () => {
  const tokens = (ck: Checkpoint, ids: number[]) => ids.map((id) => ck.tokenizer!.idToToken(id));

  it('renders the checkpoint chat template and expands the placeholder to <img><IMG_CONTEXT>×(16·views)</img>', () => {
    const p = internvl.prompt.encode('what is the cat?', { views: 7 });
    expect(p.text).toBe(`<|im_start|>user\n<img>${'<IMG_CONTEXT>'.repeat(112)}</img>\nwhat is the cat?<|im_end|>\n<|im_start|>assistant\n`);
    expect(tokens(internvl, p.ids.slice(0, p.image.start))).toEqual(['<|im_start|>', 'user', '\n', '<img>']);
    expect(p.image.end - p.image.start).toBe(112);
    expect(p.views).toHaveLength(7);
    p.views.forEach((v, i) => expect(v).toEqual({ start: p.image.start + 16 * i, end: p.image.start + 16 * (i + 1) }));
    expect(internvl.tokenizer!.idToToken(p.ids[p.image.end]!)).toBe('</img>');
    expect(tokens(internvl, p.ids.slice(-3))).toEqual(['<|im_start|>', 'assistant', '\n']);
  });

  it('without a chat template uses the ChatML turn; the target follows the assistant header directly', () => {
    const plain = internvlCheckpoint('internvl-plain', undefined);
    const p = plain.prompt.encode('what is the cat?');
    expect(p.text).toBe(`<|im_start|>user\n<img>${'<IMG_CONTEXT>'.repeat(16)}</img>\nwhat is the cat?<|im_end|>\n<|im_start|>assistant\n`);
    const t = plain.prompt.encodeWithTarget('what is the cat?', 'yes', { appendEos: true });
    expect(tokens(plain, t.ids.slice(t.target.start, t.target.end))).toEqual(['yes', '<|im_end|>']);
  });

  it('image delimiters named by extra_special_tokens replace <img>/</img>', () => {
    const named = internvlCheckpoint('internvl-named', INTERNVL_CHAT_TEMPLATE, {
      extra_special_tokens: { context_image_token: '<IMG_CONTEXT>', start_image_token: '<vision_start>', end_image_token: '<vision_end>' },
    });
    const p = named.prompt.encode('what?');
    expect(tokens(named, [p.ids[p.image.start - 1]!, p.ids[p.image.end]!])).toEqual(['<vision_start>', '<vision_end>']);
  });

  it('a tokenizer missing <img> or a template without an image placeholder names the file/field', () => {
    const dir = join(scratch.dir, 'internvl-bad');
    rewriteCheckpoint(INTERNVL_TINY, dir);
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(testTokenizerJson({ added: { 612: '<IMG_CONTEXT>' }, words: WORDS, metaspace: false })));
    expect(() => loadCheckpoint(dir).prompt.encode('x')).toThrow(/tokenizer\.json: has no token '<img>'/);
    const noPlaceholder = internvlCheckpoint('internvl-noimg', "{{ messages[0]['role'] }}");
    const error = (() => {
      try {
        noPlaceholder.prompt.encode('x');
      } catch (e) {
        return e as CheckpointConfigError;
      }
    })();
    expect(error?.configField).toBe('chat_template');
  });
});

describe('without tokenizer.json', () => {
  it('the checkpoint loads, and encoding names the missing tokenizer.json', () => {
    const c = loadCheckpoint(LLAVA_TINY);
    expect(() => c.prompt.encode('x')).toThrow(/llava-tiny\/tokenizer\.json: not found/);
  });
});

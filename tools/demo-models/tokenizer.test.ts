// The demo tokenizers load with @huggingface/tokenizers (the runtime's code path) and give exactly
// the ids the training encoder gave (tokenizer-samples.json, written by write_tokenizer_samples.py).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { describe, expect, it } from 'vitest';

const REPO = join(import.meta.dirname, '..', '..');
const samples: { text: string; ids: number[] }[] = JSON.parse(readFileSync(join(import.meta.dirname, 'tokenizer-samples.json'), 'utf8'));

function load(model: string): Tokenizer {
  const dir = join(REPO, 'models', model);
  return new Tokenizer(JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8')), JSON.parse(readFileSync(join(dir, 'tokenizer_config.json'), 'utf8')));
}

describe.each(['demo-llava', 'demo-internvl'])('%s tokenizer', (model) => {
  const tokenizer = load(model);

  it('gives the training ids for prompts and answers', () => {
    for (const { text, ids } of samples) {
      expect(tokenizer.encode(text, { add_special_tokens: false }).ids).toEqual(ids);
    }
  });

  it('tokenizes digits one by one, so boxes are digit sequences', () => {
    const { tokens } = tokenizer.encode('[0.25, 1000]', { add_special_tokens: false });
    expect(tokens).toEqual(['[', '0', '.', '2', '5', ',', ' ', '1', '0', '0', '0', ']']);
  });

  it('has one token per category name and per special token, and decodes losslessly', () => {
    for (const name of ['circle', 'square', 'triangle', 'star', 'cross', 'heart', 'diamond', 'arrow', 'moon', 'hexagon']) {
      expect(tokenizer.encode(name, { add_special_tokens: false }).ids).toHaveLength(1);
      expect(tokenizer.encode(` ${name}`, { add_special_tokens: false }).ids).toHaveLength(1);
    }
    for (const special of ['<image>', '<img>', '</img>', '<IMG_CONTEXT>', '<ref>', '</ref>', '<box>', '</box>', '<|im_start|>', '<|im_end|>']) {
      expect(tokenizer.token_to_id(special)).toBeTypeOf('number');
      expect(tokenizer.encode(special, { add_special_tokens: false }).ids).toEqual([tokenizer.token_to_id(special)]);
    }
    for (const { text, ids } of samples) expect(tokenizer.decode(ids, { skip_special_tokens: false })).toBe(text);
  });
});

it('LLaVA prepends <s> like Llama; InternVL adds nothing like Qwen', () => {
  const llava = load('demo-llava');
  const internvl = load('demo-internvl');
  expect(llava.encode('USER:').ids[0]).toBe(llava.token_to_id('<s>'));
  expect(internvl.encode('USER:').ids).toEqual(internvl.encode('USER:', { add_special_tokens: false }).ids);
});

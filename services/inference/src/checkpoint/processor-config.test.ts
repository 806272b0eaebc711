import { describe, expect, it } from 'vitest';
import { parseWith } from './json-file.ts';
import { OPENAI_CLIP_MEAN, generationConfigSchema, preprocessorConfigSchema, toGenerationConfig, toPreprocessorConfig } from './processor-config.ts';

const parse = (json: unknown, modelSize = { height: 336, width: 336 }) => toPreprocessorConfig(parseWith(preprocessorConfigSchema, json, 'preprocessor_config.json'), modelSize);

describe('preprocessor_config.json', () => {
  it('CLIPImageProcessor in dict and legacy integer form agree', () => {
    const modern = parse({ image_processor_type: 'CLIPImageProcessor', size: { shortest_edge: 336 }, crop_size: { height: 336, width: 336 }, do_center_crop: true });
    const legacy = parse({ image_processor_type: 'CLIPImageProcessor', size: 336, crop_size: 336, do_center_crop: true });
    expect(legacy).toEqual(modern);
    expect(modern).toMatchObject({ shortestEdge: 336, size: { height: 336, width: 336 }, mean: [...OPENAI_CLIP_MEAN], rescaleFactor: 1 / 255, resample: 3 });
  });

  it('an absent file gives the processor defaults at the vision tower resolution', () => {
    expect(parse({}, { height: 448, width: 448 })).toMatchObject({ size: { height: 448, width: 448 }, shortestEdge: undefined, cropToPatches: false, minPatches: 1, maxPatches: 12, doCenterCrop: false });
  });

  it('invalid values name the field', () => {
    expect(() => parse({ image_mean: [0.5, 0.5] })).toThrow(/preprocessor_config\.json: field 'image_mean'/);
    expect(() => parse({ min_patches: 4, max_patches: 2 })).toThrow(/field 'max_patches': must be ≥ min_patches/);
  });
});

describe('generation_config.json', () => {
  const fallback = { eosTokenIds: [9], bosTokenId: 8, padTokenId: undefined };
  it('eos ids as int or list; the text config fills what the file lacks', () => {
    expect(toGenerationConfig(parseWith(generationConfigSchema, { eos_token_id: [151645, 151643] }, 'g.json'), fallback)).toEqual({ eosTokenIds: [151645, 151643], bosTokenId: 8, padTokenId: undefined, maxNewTokens: undefined });
    expect(toGenerationConfig(undefined, fallback).eosTokenIds).toEqual([9]);
  });
});

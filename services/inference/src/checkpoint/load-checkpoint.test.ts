import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { status } from '@grpc/grpc-js';
import { statusOf } from '@locscope/server-kit';
import { CheckpointConfigError, CheckpointNotFoundError, MissingTensorError, SafetensorsFormatError, TensorShapeError, UnsupportedArchitectureError } from './errors.ts';
import { expectedWeights } from './expected-weights.ts';
import { loadCheckpoint } from './load-checkpoint.ts';
import { readSafetensorsHeader } from './safetensors.ts';
import { canonicalTensorName } from './tensor-names.ts';
import { INTERNVL_TINY, LLAVA_TINY, rewriteCheckpoint, scratchDir } from './test-support.ts';

const scratch = scratchDir('checkpoint');
afterAll(scratch.cleanup);
let counter = 0;
const dest = (name: string) => join(scratch.dir, `${counter++}-${name}`);

function captureError(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

describe('loadCheckpoint on the Hugging Face fixtures', () => {
  it('llava-tiny: config values as config.json states them, defaults filled, every tensor validated', () => {
    const c = loadCheckpoint(LLAVA_TINY);
    expect(c.family).toBe('llava');
    if (c.config.family !== 'llava') throw new Error('family');
    expect(c.config).toMatchObject({ imageTokenId: 590, imageSeqLength: 64, visionFeatureLayer: -2, projectorHiddenAct: 'gelu', projectorBias: true, dtype: 'F32', tieWordEmbeddings: false });
    expect(c.config.vision).toMatchObject({ hiddenSize: 64, numHiddenLayers: 4, numAttentionHeads: 4, imageSize: 112, patchSize: 14, grid: 8, hiddenAct: 'quick_gelu', layerNormEps: 1e-5 });
    expect(c.config.text).toMatchObject({ vocabSize: 600, hiddenSize: 64, numHiddenLayers: 3, numAttentionHeads: 4, numKeyValueHeads: 4, headDim: 16, intermediateSize: 176, rmsNormEps: 1e-5, ropeTheta: 10000, ropeScaling: null, qkNorm: false });
    expect(c.preprocessor).toMatchObject({ shortestEdge: 112, size: { height: 112, width: 112 }, doCenterCrop: true, mean: [0.48145466, 0.4578275, 0.40821073] });
    expect(c.generation.eosTokenIds).toEqual([2]);
    expect(c.tokenizer).toBeUndefined();
    // Every stored tensor is expected, and every expected one is stored: the layout is complete.
    const stored = [...readSafetensorsHeader(join(LLAVA_TINY, 'model.safetensors')).tensors.keys()].map(canonicalTensorName).sort();
    expect([...expectedWeights(c.config).keys()].sort()).toEqual(stored);
  });

  it('internvl-tiny: Qwen3 head_dim 24 ≠ hidden/heads, GQA 4/2, InternViT grid and pixel-shuffle token count', () => {
    const c = loadCheckpoint(INTERNVL_TINY);
    if (c.config.family !== 'internvl') throw new Error('family');
    expect(c.config).toMatchObject({ imageTokenId: 612, imageSeqLength: 16, downsampleRatio: 0.5, visionFeatureLayer: -1 });
    expect(c.config.text).toMatchObject({ modelType: 'qwen3', headDim: 24, numAttentionHeads: 4, numKeyValueHeads: 2, ropeTheta: 1e6, rmsNormEps: 1e-6, qkNorm: true, vocabSize: 640 });
    expect(c.config.vision).toMatchObject({ imageSize: [64, 64], patchSize: [8, 8], grid: [8, 8], normType: 'layer_norm', attentionBias: true, layerScaleInitValue: 0.1, useMeanPooling: true });
    expect(c.preprocessor).toMatchObject({ size: { height: 64, width: 64 }, cropToPatches: true, minPatches: 1, maxPatches: 6, mean: [0.485, 0.456, 0.406] });
    expect(c.generation).toMatchObject({ eosTokenIds: [621], bosTokenId: 630 });
    const stored = [...readSafetensorsHeader(join(INTERNVL_TINY, 'model.safetensors')).tensors.keys()].map(canonicalTensorName).sort();
    expect([...expectedWeights(c.config).keys()].sort()).toEqual(stored);
  });

  it('maps legacy names to canonical ones and keeps the stored name', () => {
    const c = loadCheckpoint(LLAVA_TINY);
    expect(c.weights.get('lm_head.weight').storedName).toBe('language_model.lm_head.weight');
    expect(c.weights.get('model.language_model.layers.2.mlp.down_proj.weight')).toMatchObject({ storedName: 'language_model.model.layers.2.mlp.down_proj.weight', shape: [64, 176] });
    expect(c.weights.has('model.vision_tower.vision_model.pre_layrnorm.weight')).toBe(true);
    expect(c.weights.has('model.multi_modal_projector.linear_2.bias')).toBe(true);
    expect(c.weights.has('language_model.model.norm.weight')).toBe(false);
  });
});

describe('layouts', () => {
  const reference = loadCheckpoint(INTERNVL_TINY);
  const sameValues = (dir: string) => {
    const c = loadCheckpoint(dir);
    expect([...c.weights.entries.keys()].sort()).toEqual([...reference.weights.entries.keys()].sort());
    for (const name of reference.weights.entries.keys()) {
      const [a, b] = [c.weights.readFloat32(name), reference.weights.readFloat32(name)];
      expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer)), name).toBe(true);
    }
    return c;
  };

  it('sharded (index.json + 3 shards) reads the same tensors as the single file', () => {
    const dir = dest('sharded');
    rewriteCheckpoint(INTERNVL_TINY, dir, { shards: 3 });
    const c = sameValues(dir);
    expect(new Set([...c.weights.entries.values()].map((e) => e.file)).size).toBe(3);
  });

  it('canonical (transformers ≥ 4.52) names load identically', () => {
    const dir = dest('canonical');
    rewriteCheckpoint(INTERNVL_TINY, dir, { tensor: (t) => ({ ...t, name: canonicalTensorName(t.name) }) });
    sameValues(dir);
  });

  it('bf16 and fp16 weights widen to the float32 values they round to', () => {
    for (const [dtype, torch] of [['BF16', 'bfloat16'], ['F16', 'float16']] as const) {
      const dir = dest(dtype);
      rewriteCheckpoint(LLAVA_TINY, dir, {
        config: (cfg) => (cfg.torch_dtype = torch),
        tensor: (t) => ({ ...t, dtype, data: narrow(new Float32Array(t.data.buffer.slice(t.data.byteOffset, t.data.byteOffset + t.data.byteLength)), dtype) }),
      });
      const c = loadCheckpoint(dir);
      expect(c.config.dtype).toBe(dtype);
      const name = 'model.language_model.layers.1.self_attn.q_proj.weight';
      const original = loadCheckpoint(LLAVA_TINY).weights.readFloat32(name);
      const widened = c.weights.readFloat32(name, [64, 64]);
      const tolerance = dtype === 'BF16' ? 2 ** -8 : 2 ** -11;
      for (let i = 0; i < original.length; i++) expect(Math.abs(widened[i]! - original[i]!)).toBeLessThanOrEqual(Math.abs(original[i]!) * tolerance + 1e-7);
    }
  });

  it('tied embeddings: an absent lm_head resolves to embed_tokens; untied, it is a missing tensor', () => {
    const tied = dest('tied');
    rewriteCheckpoint(INTERNVL_TINY, tied, { tensor: (t) => (t.name.endsWith('lm_head.weight') ? undefined : t), config: (cfg) => (cfg.text_config.tie_word_embeddings = true) });
    const c = loadCheckpoint(tied);
    expect(c.weights.get('lm_head.weight')).toMatchObject({ name: 'lm_head.weight', storedName: 'language_model.model.embed_tokens.weight' });

    const untied = dest('untied');
    rewriteCheckpoint(INTERNVL_TINY, untied, { tensor: (t) => (t.name.endsWith('lm_head.weight') ? undefined : t) });
    const error = captureError(() => loadCheckpoint(untied));
    expect(error).toBeInstanceOf(MissingTensorError);
    expect(error.message).toMatch(/tensor 'lm_head.weight' is missing/);
  });
});

describe('corrupt or inconsistent checkpoints fail naming the file/tensor/field', () => {
  it('missing tensor', () => {
    const dir = dest('missing');
    rewriteCheckpoint(LLAVA_TINY, dir, { tensor: (t) => (t.name === 'language_model.model.layers.1.self_attn.k_proj.weight' ? undefined : t) });
    const error = captureError(() => loadCheckpoint(dir)) as MissingTensorError;
    expect(error).toBeInstanceOf(MissingTensorError);
    expect(error.tensor).toBe('model.language_model.layers.1.self_attn.k_proj.weight');
    expect(error.message).toContain(join(dir, 'model.safetensors'));
    expect(statusOf(error)).toBe(status.FAILED_PRECONDITION);
  });

  it('config/weight shape mismatch names tensor, expected and actual shape', () => {
    const dir = dest('shape');
    rewriteCheckpoint(INTERNVL_TINY, dir, { config: (cfg) => (cfg.text_config.head_dim = 16) });
    const error = captureError(() => loadCheckpoint(dir)) as TensorShapeError;
    expect(error).toBeInstanceOf(TensorShapeError);
    expect(error.message).toMatch(/tensor 'model\.language_model\.layers\.0\.self_attn\.q_proj\.weight' has shape \[96, 64\], expected \[64, 64\]/);
    expect(error.file).toBe(join(dir, 'model.safetensors'));
  });

  it('a tensor stored with the wrong shape', () => {
    const dir = dest('badtensor');
    rewriteCheckpoint(LLAVA_TINY, dir, { tensor: (t) => (t.name === 'multi_modal_projector.linear_1.weight' ? { ...t, shape: [32, 128] } : t) });
    expect(() => loadCheckpoint(dir)).toThrow(/'model\.multi_modal_projector\.linear_1\.weight' has shape \[32, 128\], expected \[64, 64\]/);
  });

  it('unknown architecture names config.json field architectures', () => {
    const dir = dest('arch');
    rewriteCheckpoint(LLAVA_TINY, dir, { config: (cfg) => (cfg.architectures = ['LlavaNextForConditionalGeneration']) });
    const error = captureError(() => loadCheckpoint(dir)) as UnsupportedArchitectureError;
    expect(error).toBeInstanceOf(UnsupportedArchitectureError);
    expect(error.configField).toBe('architectures');
    expect(error.message).toContain(join(dir, 'config.json'));
    expect(error.message).toContain('LlavaNextForConditionalGeneration');
  });

  it('unsupported text model and invalid field values name the dotted field', () => {
    const mistral = dest('mistral');
    rewriteCheckpoint(LLAVA_TINY, mistral, { config: (cfg) => (cfg.text_config.model_type = 'mistral') });
    expect(() => loadCheckpoint(mistral)).toThrow(/field 'text_config\.model_type': 'mistral' is not supported/);
    const badField = dest('badfield');
    rewriteCheckpoint(INTERNVL_TINY, badField, { config: (cfg) => (cfg.vision_config.hidden_size = 'wide') });
    const error = captureError(() => loadCheckpoint(badField)) as CheckpointConfigError;
    expect(error.configField).toBe('vision_config.hidden_size');
    const dtype = dest('dtype');
    rewriteCheckpoint(LLAVA_TINY, dtype, { config: (cfg) => (cfg.torch_dtype = 'int8') });
    expect(() => loadCheckpoint(dtype)).toThrow(/field 'torch_dtype': 'int8' is not one of float32, float16, bfloat16/);
  });

  it('image_seq_length inconsistent with the vision tower', () => {
    const dir = dest('seq');
    rewriteCheckpoint(LLAVA_TINY, dir, { config: (cfg) => (cfg.image_seq_length = 576) });
    expect(() => loadCheckpoint(dir)).toThrow(/field 'image_seq_length': 576 disagrees with the vision tower, which yields 64 tokens/);
  });

  it('truncated shard names the shard and the cut tensor; a weight_map lie names the index', () => {
    const dir = dest('trunc');
    rewriteCheckpoint(INTERNVL_TINY, dir, { shards: 2 });
    const shard = join(dir, 'model-00002-of-00002.safetensors');
    truncateSync(shard, readFileSync(shard).byteLength - 100);
    const error = captureError(() => loadCheckpoint(dir)) as SafetensorsFormatError;
    expect(error).toBeInstanceOf(SafetensorsFormatError);
    expect(error.file).toBe(shard);
    expect(error.tensor).toBeDefined();

    const lie = dest('lie');
    rewriteCheckpoint(INTERNVL_TINY, lie, { shards: 2 });
    const indexFile = join(lie, 'model.safetensors.index.json');
    const index = JSON.parse(readFileSync(indexFile, 'utf8'));
    const key = 'language_model.model.norm.weight';
    index.weight_map[key] = index.weight_map[key] === 'model-00001-of-00002.safetensors' ? 'model-00002-of-00002.safetensors' : 'model-00001-of-00002.safetensors';
    writeFileSync(indexFile, JSON.stringify(index));
    expect(() => loadCheckpoint(lie)).toThrow(/model\.safetensors\.index\.json: tensor 'language_model\.model\.norm\.weight': weight_map puts it in/);
  });

  it('missing directory, config or weights are NOT_FOUND naming the path', () => {
    const none = join(scratch.dir, 'nope');
    expect(() => loadCheckpoint(none)).toThrowError(CheckpointNotFoundError);
    const noWeights = dest('noweights');
    rewriteCheckpoint(LLAVA_TINY, noWeights);
    truncateSync(join(noWeights, 'model.safetensors'), 0);
    expect(() => loadCheckpoint(noWeights)).toThrow(/model\.safetensors: truncated: 0 bytes/);
    const error = captureError(() => loadCheckpoint(scratch.dir));
    expect(statusOf(error)).toBe(status.NOT_FOUND);
    expect(error.message).toContain(join(scratch.dir, 'config.json'));
  });
});

/** float32 → bf16 (round to nearest even) or f16 bytes, computed independently of the reader. */
function narrow(values: Float32Array, dtype: 'BF16' | 'F16'): Uint8Array {
  const out = new Uint16Array(values.length);
  const view = new DataView(new ArrayBuffer(4));
  for (let i = 0; i < values.length; i++) {
    view.setFloat32(0, values[i]!);
    const bits = view.getUint32(0);
    if (dtype === 'BF16') {
      out[i] = (bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16;
    } else {
      out[i] = halfBits(values[i]!);
    }
  }
  return new Uint8Array(out.buffer);
}

/** Normal-range float → IEEE half bits by scaling (the fixture weights are ~N(0, 0.02): no overflow). */
function halfBits(x: number): number {
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a < 2 ** -14) return sign | Math.round(a / 2 ** -24);
  const exponent = Math.floor(Math.log2(a));
  const mantissa = Math.round((a / 2 ** exponent - 1) * 1024);
  return mantissa === 1024 ? sign | ((exponent + 16) << 10) : sign | ((exponent + 15) << 10) | mantissa;
}

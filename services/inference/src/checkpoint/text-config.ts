// The decoder (`text_config`) of both families: Llama (LLaVA-1.5) and Qwen3 (InternVL-3.5).
// Absent fields take the defaults of transformers' LlamaConfig / Qwen3Config (v4.53), because a
// published config.json only lists what differs from them (llava-1.5-7b-hf's text_config has
// 5 fields). Both `rope_theta` (≤ 4.x) and `rope_parameters.rope_theta` (5.x) are accepted.
import { z } from 'zod';

const positiveInt = z.number().int().positive();
const tokenIds = z.union([z.number().int(), z.array(z.number().int())]).nullish();

/** RoPE scaling as the config states it (`rope_type`/`type` + parameters); null for plain RoPE. */
export type RopeScaling = Record<string, unknown> & { rope_type: string };

function decoderSchema(modelType: 'llama' | 'qwen3', defaults: { vocabSize: number; hiddenSize: number; intermediateSize: number; layers: number; heads: number; kvHeads: number | null; headDim: number | null; maxPositions: number; rmsNormEps: number }) {
  return z
    .object({
      model_type: z.literal(modelType),
      vocab_size: positiveInt.default(defaults.vocabSize),
      hidden_size: positiveInt.default(defaults.hiddenSize),
      intermediate_size: positiveInt.default(defaults.intermediateSize),
      num_hidden_layers: positiveInt.default(defaults.layers),
      num_attention_heads: positiveInt.default(defaults.heads),
      num_key_value_heads: positiveInt.nullish(),
      head_dim: positiveInt.nullish(),
      hidden_act: z.string().default('silu'),
      max_position_embeddings: positiveInt.default(defaults.maxPositions),
      rms_norm_eps: z.number().positive().default(defaults.rmsNormEps),
      rope_theta: z.number().positive().nullish(),
      rope_parameters: z.object({ rope_theta: z.number().positive().optional() }).loose().nullish(),
      rope_scaling: z
        .object({ rope_type: z.string().optional(), type: z.string().optional() })
        .loose()
        .refine((s) => typeof (s.rope_type ?? s.type) === 'string', 'rope_scaling needs rope_type')
        .nullish(),
      attention_bias: z.boolean().default(false),
      mlp_bias: z.boolean().default(false),
      tie_word_embeddings: z.boolean().default(false),
      bos_token_id: tokenIds,
      eos_token_id: tokenIds,
      pad_token_id: z.number().int().nullish(),
    })
    .transform((c, ctx) => {
      const numKeyValueHeads = c.num_key_value_heads ?? defaults.kvHeads ?? c.num_attention_heads;
      if (c.num_attention_heads % numKeyValueHeads !== 0) {
        ctx.addIssue({ code: 'custom', path: ['num_key_value_heads'], message: `${numKeyValueHeads} does not divide num_attention_heads ${c.num_attention_heads}` });
      }
      const headDim = c.head_dim ?? defaults.headDim ?? c.hidden_size / c.num_attention_heads;
      if (!Number.isInteger(headDim)) {
        ctx.addIssue({ code: 'custom', path: ['head_dim'], message: `absent, and hidden_size ${c.hidden_size} is not a multiple of num_attention_heads ${c.num_attention_heads}` });
      }
      const scaling = c.rope_scaling ? ({ ...c.rope_scaling, rope_type: (c.rope_scaling.rope_type ?? c.rope_scaling.type)! } as RopeScaling) : null;
      return {
        modelType,
        vocabSize: c.vocab_size,
        hiddenSize: c.hidden_size,
        intermediateSize: c.intermediate_size,
        numHiddenLayers: c.num_hidden_layers,
        numAttentionHeads: c.num_attention_heads,
        numKeyValueHeads,
        headDim,
        hiddenAct: c.hidden_act,
        maxPositionEmbeddings: c.max_position_embeddings,
        rmsNormEps: c.rms_norm_eps,
        ropeTheta: c.rope_parameters?.rope_theta ?? c.rope_theta ?? 10000,
        ropeScaling: scaling,
        attentionBias: c.attention_bias,
        mlpBias: c.mlp_bias,
        /** Qwen3 applies RMSNorm to each head's q and k (weights `q_norm`/`k_norm`, size head_dim) before RoPE. */
        qkNorm: modelType === 'qwen3',
        tieWordEmbeddings: c.tie_word_embeddings,
        bosTokenId: firstId(c.bos_token_id),
        eosTokenIds: idList(c.eos_token_id),
        padTokenId: c.pad_token_id ?? undefined,
      };
    });
}

function firstId(ids: number | number[] | null | undefined): number | undefined {
  return Array.isArray(ids) ? ids[0] : (ids ?? undefined);
}

export function idList(ids: number | number[] | null | undefined): number[] {
  if (ids === null || ids === undefined) return [];
  return Array.isArray(ids) ? ids : [ids];
}

/** LlamaConfig defaults (7B): num_key_value_heads = num_attention_heads and head_dim = hidden_size / num_attention_heads unless given. */
export const llamaTextConfigSchema = decoderSchema('llama', {
  vocabSize: 32000, hiddenSize: 4096, intermediateSize: 11008, layers: 32, heads: 32, kvHeads: null, headDim: null, maxPositions: 2048, rmsNormEps: 1e-6,
});

/** Qwen3Config defaults: head_dim is its own field (128), not hidden_size / heads. */
export const qwen3TextConfigSchema = decoderSchema('qwen3', {
  vocabSize: 151936, hiddenSize: 4096, intermediateSize: 22016, layers: 32, heads: 32, kvHeads: 32, headDim: 128, maxPositions: 32768, rmsNormEps: 1e-6,
});

export type TextConfig = z.output<typeof llamaTextConfigSchema> | z.output<typeof qwen3TextConfigSchema>;

// CLIP vision tower of LLaVA-1.5 (CLIPVisionModel, transformers v4.53): patch conv (no bias) +
// class embedding + learned positions → pre_layrnorm → pre-norm encoder layers with quick_gelu
// MLPs. Only the layers up to the selected feature layer are built unless all are captured.
import type { GraphBuilder, Value } from '@locscope/onnx-graph';
import type { CheckpointWeights } from '../onnx/checkpoint-weights.ts';
import type { ClipVisionConfig } from '../checkpoint/vision-config.ts';
import { activation } from './nn.ts';
import { visionSelfAttention } from './vision-attention.ts';
import { prependClassToken } from './class-token.ts';

const PREFIX = 'model.vision_tower.vision_model';

export interface VisionTowerOutput {
  /** hidden_states[0..layersBuilt]: index 0 = embeddings after the stem, i = output of layer i-1. */
  hiddenStates: Value[];
  /** Extra named captures of this tower (e.g. the embeddings before pre_layrnorm, the pooled output). */
  extras: Record<string, Value>;
}

export function clipVisionTower(g: GraphBuilder, w: CheckpointWeights, c: ClipVisionConfig, pixels: Value, layersToBuild: number, withPooler: boolean): VisionTowerOutput {
  const C = c.hiddenSize;
  const p = (name: string) => `${PREFIX}.${name}`;
  return g.scoped('clip', () => {
    const patches = g.conv(pixels, w.tensor(p('embeddings.patch_embedding.weight'), [C, c.numChannels, c.patchSize, c.patchSize]), null, [c.patchSize, c.patchSize]);
    const tokens = g.transpose(g.reshape(patches, [0, C, -1]), [0, 2, 1]);
    const withCls = prependClassToken(g, tokens, g.reshape(w.tensor(p('embeddings.class_embedding'), [C]), [1, 1, C]), C);
    const positions = w.tensor(p('embeddings.position_embedding.weight'), [c.grid * c.grid + 1, C]);
    const embeddings = g.add(withCls, positions);
    const ln = (name: string, x: Value) => g.layerNorm(x, w.tensor(p(`${name}.weight`), [C]), w.tensor(p(`${name}.bias`), [C]), c.layerNormEps);
    let h = ln('pre_layrnorm', embeddings);
    const hiddenStates = [h];
    for (let i = 0; i < layersToBuild; i++) {
      h = g.scoped(`layer${i}`, () => clipLayer(g, w, c, h, `${PREFIX}.encoder.layers.${i}`));
      hiddenStates.push(h);
    }
    const extras: Record<string, Value> = { embeddings_before_pre_layrnorm: embeddings };
    if (withPooler) {
      // pooler_output = post_layernorm(last_hidden_state[:, 0])
      extras.pooler_output = ln('post_layernorm', g.squeeze(g.slice(h, [0], [1], [1]), [1]));
    }
    return { hiddenStates, extras };
  });
}

function clipLayer(g: GraphBuilder, w: CheckpointWeights, c: ClipVisionConfig, x: Value, prefix: string): Value {
  const C = c.hiddenSize;
  const t = (name: string, shape: number[]) => w.tensor(`${prefix}.${name}`, shape);
  const lin = (name: string, shape: number[]) => w.linear([`${prefix}.${name}`], [shape]);
  const ln = (name: string, v: Value) => g.layerNorm(v, t(`${name}.weight`, [C]), t(`${name}.bias`, [C]), c.layerNormEps);
  const proj = (name: string) => ({ weight: lin(`self_attn.${name}.weight`, [C, C]), bias: t(`self_attn.${name}.bias`, [C]) });
  const attn = visionSelfAttention(g, ln('layer_norm1', x), { q: proj('q_proj'), k: proj('k_proj'), v: proj('v_proj'), out: proj('out_proj') }, c.numAttentionHeads, c.headDim);
  const h = g.add(x, attn);
  const hidden = g.linear(ln('layer_norm2', h), lin('mlp.fc1.weight', [c.intermediateSize, C]), t('mlp.fc1.bias', [c.intermediateSize]));
  const mlp = g.linear(activation(g, c.hiddenAct, hidden, 'vision_config.hidden_act'), lin('mlp.fc2.weight', [C, c.intermediateSize]), t('mlp.fc2.bias', [C]));
  return g.add(h, mlp);
}

// InternViT (InternVLVisionModel, transformers v4.53): patch conv (with bias) + CLS token +
// absolute positions → layers of norm → attention (bias, optional qk-norm) → λ1 scale → residual →
// norm → GELU MLP → λ2 scale → residual; a final LayerNorm only when use_mean_pooling is false.
import type { GraphBuilder, Value } from '@locscope/onnx-graph';
import type { CheckpointWeights } from '../onnx/checkpoint-weights.ts';
import type { InternVisionConfig } from '../checkpoint/vision-config.ts';
import { activation, rmsNorm } from './nn.ts';
import { visionSelfAttention, type Projection } from './vision-attention.ts';
import { prependClassToken } from './class-token.ts';
import type { VisionTowerOutput } from './clip-vision.ts';
import { UnsupportedModelFeatureError } from './errors.ts';

const PREFIX = 'model.vision_tower';

/** Builds layers [0, layersToBuild); with all layers built and use_mean_pooling false, also the final LayerNorm (last_hidden_state). */
export function internVisionTower(g: GraphBuilder, w: CheckpointWeights, c: InternVisionConfig, pixels: Value, layersToBuild: number): VisionTowerOutput {
  const C = c.hiddenSize;
  const [ph, pw] = c.patchSize;
  const [rows, cols] = c.grid;
  if (!c.useAbsolutePositionEmbeddings) {
    throw new UnsupportedModelFeatureError('vision_config.use_absolute_position_embeddings', 'false is not supported');
  }
  return g.scoped('internvit', () => {
    const patches = g.conv(pixels, w.tensor(`${PREFIX}.embeddings.patch_embeddings.projection.weight`, [C, c.numChannels, ph, pw]), w.tensor(`${PREFIX}.embeddings.patch_embeddings.projection.bias`, [C]), [ph, pw]);
    const tokens = g.transpose(g.reshape(patches, [0, C, -1]), [0, 2, 1]);
    const withCls = prependClassToken(g, tokens, w.tensor(`${PREFIX}.embeddings.cls_token`, [1, 1, C]), C);
    // Pixel tiles always have the configured size, so HF's interpolate_pos_encoding is the identity.
    let h = g.add(withCls, w.tensor(`${PREFIX}.embeddings.position_embeddings`, [1, rows * cols + 1, C]));
    const hiddenStates = [h];
    for (let i = 0; i < layersToBuild; i++) {
      h = g.scoped(`layer${i}`, () => internLayer(g, w, c, h, `${PREFIX}.encoder.layer.${i}`));
      hiddenStates.push(h);
    }
    const extras: Record<string, Value> = {};
    if (!c.useMeanPooling && layersToBuild === c.numHiddenLayers) {
      extras.last_hidden_state = norm(g, w, c, `${PREFIX}.layernorm`, h, 'layer_norm');
    }
    return { hiddenStates, extras };
  });
}

function norm(g: GraphBuilder, w: CheckpointWeights, c: InternVisionConfig, name: string, x: Value, type: 'layer_norm' | 'rms_norm', size = c.hiddenSize): Value {
  return type === 'layer_norm'
    ? g.layerNorm(x, w.tensor(`${name}.weight`, [size]), w.tensor(`${name}.bias`, [size]), c.layerNormEps)
    : rmsNorm(g, x, w.tensor(`${name}.weight`, [size]), c.layerNormEps);
}

function internLayer(g: GraphBuilder, w: CheckpointWeights, c: InternVisionConfig, x: Value, prefix: string): Value {
  const C = c.hiddenSize;
  const t = (name: string, shape: number[]) => w.tensor(`${prefix}.${name}`, shape);
  const lin = (name: string, shape: number[]) => w.linear([`${prefix}.${name}`], [shape]);
  const proj = (name: string, bias: boolean): Projection => ({ weight: lin(`attention.${name}.weight`, [C, C]), bias: bias ? t(`attention.${name}.bias`, [C]) : null });
  // InternVLVisionRMSNorm defaults to eps 1e-6 regardless of layer_norm_eps.
  const qkNorm = (name: string) => (v: Value) => rmsNorm(g, v, t(`attention.${name}.weight`, [C]), 1e-6);
  const attn = visionSelfAttention(
    g,
    norm(g, w, c, `${prefix}.layernorm_before`, x, c.normType),
    {
      q: proj('q_proj', c.attentionBias),
      k: proj('k_proj', c.attentionBias),
      v: proj('v_proj', c.attentionBias),
      out: proj('projection_layer', true),
      ...(c.useQkNorm ? { qNorm: qkNorm('q_norm'), kNorm: qkNorm('k_norm') } : {}),
    },
    c.numAttentionHeads,
    c.headDim,
  );
  const h = g.add(g.mul(t('lambda_1', [C]), attn), x);
  const hidden = g.linear(norm(g, w, c, `${prefix}.layernorm_after`, h, c.normType), lin('mlp.fc1.weight', [c.intermediateSize, C]), t('mlp.fc1.bias', [c.intermediateSize]));
  const mlp = g.linear(activation(g, c.hiddenAct, hidden, 'vision_config.hidden_act'), lin('mlp.fc2.weight', [C, c.intermediateSize]), t('mlp.fc2.bias', [C]));
  return g.add(g.mul(t('lambda_2', [C]), mlp), h);
}

// The multimodal projectors that map vision features to decoder input embeddings:
// LLaVA: linear → act → linear; InternVL: LayerNorm (eps 1e-5, nn.LayerNorm's default) → linear → act → linear.
import type { GraphBuilder, Value } from '@locscope/onnx-graph';
import type { CheckpointWeights } from '../onnx/checkpoint-weights.ts';
import { activation } from './nn.ts';

const PREFIX = 'model.multi_modal_projector';
const PROJECTOR_LAYER_NORM_EPS = 1e-5;

export interface ProjectorShape {
  inputSize: number;
  outputSize: number;
  act: string;
  bias: boolean;
  layerNorm: boolean;
}

export function projector(g: GraphBuilder, w: CheckpointWeights, s: ProjectorShape, x: Value): Value {
  return g.scoped('projector', () => {
    const t = (name: string, shape: number[]) => w.tensor(`${PREFIX}.${name}`, shape);
    const input = s.layerNorm ? g.layerNorm(x, t('layer_norm.weight', [s.inputSize]), t('layer_norm.bias', [s.inputSize]), PROJECTOR_LAYER_NORM_EPS) : x;
    const bias = (name: string) => (s.bias ? t(`${name}.bias`, [s.outputSize]) : null);
    const lin = (name: string, shape: number[]) => w.linear([`${PREFIX}.${name}`], [shape]);
    const hidden = g.linear(input, lin('linear_1.weight', [s.outputSize, s.inputSize]), bias('linear_1'));
    return g.linear(activation(g, s.act, hidden, 'projector_hidden_act'), lin('linear_2.weight', [s.outputSize, s.outputSize]), bias('linear_2'));
  });
}

// Capture: one batched forward of a request's variants with the selected activations captured,
// priced before it runs (it captures every layer at every position for every variant), sliced per
// variant, optionally stored as a patch source (`store_as`), plus the vision encoder's states.
import type { CaptureSpec } from '@locscope/proto/v1/inference';
import { InvalidArgumentError, ResourceExhaustedError } from '@locscope/server-kit';
import { checkIndex } from '../interventions/intervention.ts';
import { resolvePositions } from '../interventions/positions.ts';
import { headOutputsOf, selectCaptures, type CapturedTensor } from './capture-slices.ts';
import type { EngineSteps, VariantsRequest } from './engine-steps.ts';

export interface CaptureRequest extends VariantsRequest {
  spec: CaptureSpec | undefined;
  storeAs: string;
}

/** Captured tensors per variant, split from the batch; vision states come from the encoder. */
export async function runCapture(engine: EngineSteps, request: CaptureRequest): Promise<CapturedTensor[]> {
  const spec = request.spec;
  if (!spec || !(spec.hiddenStates || spec.headOutputs || spec.attentionProbs || spec.visionStates)) {
    throw new InvalidArgumentError('select at least one of hidden_states, head_outputs, attention_probs, vision_states', { field: 'spec' });
  }
  const owner = request.owner ?? '';
  const bound = await engine.bindImage(request.model, request.image);
  const prompt = await engine.prompt(bound, request.prompt, request.target || undefined);
  const plans = engine.compile(bound.model, prompt, request.variants);
  const { layers: L, heads: H, headDim: D, hidden: C } = bound.model.info;
  // Hidden states run 0..L (0 = the input embeddings).
  spec.layers.forEach((l, i) => checkIndex(l, L + 1, 'layer', `spec.layers[${i}]`));
  const keep = spec.positions ? resolvePositions(spec.positions, prompt.layout, 'spec.positions').indices : undefined;
  const needsHeads = spec.headOutputs || request.storeAs !== '';
  const T = prompt.layout.length;
  const perRow = (spec.hiddenStates ? (L + 1) * T * C : 0) + (needsHeads ? L * T * H * D : 0) + (spec.attentionProbs ? L * H * T * T : 0);
  const predicted = 4 * plans.length * perRow;
  if (request.storeAs) engine.storedRuns.checkFits(4 * L * T * H * D, 'store_as');
  if (predicted > engine.limits.maxCaptureBytes) {
    throw new ResourceExhaustedError(
      `capturing ${plans.length} variant(s) × ${T} positions needs ${predicted} bytes, over the limit of ${engine.limits.maxCaptureBytes}; capture fewer kinds, variants or a shorter prompt`,
      { field: 'spec' },
    );
  }
  const inputs = await engine.materialize(bound, prompt, plans, { owner });
  const out = await bound.model.forward({
    ...inputs,
    seqLen: T,
    variants: inputs.interventions,
    logits: 'last',
    captures: { hiddenStates: spec.hiddenStates, attnPreOProj: needsHeads, attnProbs: spec.attentionProbs },
  });
  if (request.storeAs) engine.storedRuns.set(owner, request.model, request.storeAs, headOutputsOf(out.captures, L, T));
  const tensors = selectCaptures(
    out.captures,
    plans.map((plan) => plan.name),
    { hiddenStates: spec.hiddenStates, headOutputs: spec.headOutputs, attentionProbs: spec.attentionProbs, layers: spec.layers, positions: keep },
    { T, heads: H, headDim: D },
  );
  if (spec.visionStates) {
    const vision = await bound.model.encodeImage(bound.image.pixelValues, { captures: true });
    for (const [name, tensor] of Object.entries(vision.captures)) {
      tensors.push({ variant: '', name: name.startsWith('vision.') ? name : `vision.${name}`, shape: tensor.dims, data: tensor.data });
    }
  }
  const bytes = tensors.reduce((n, t) => n + t.data.byteLength, 0);
  if (bytes > engine.limits.maxCaptureBytes) {
    throw new ResourceExhaustedError(`capture of ${bytes} bytes exceeds the limit of ${engine.limits.maxCaptureBytes}; select fewer layers or positions`, { field: 'spec' });
  }
  return tensors;
}

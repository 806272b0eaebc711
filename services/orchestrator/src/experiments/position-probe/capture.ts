// Visual-token features of one image per layer, from the inference service's Capture stream:
// LM hidden states at the visual positions (hidden_states.0 is the LM input, i.e. the projection's
// output; hidden_states.i after LM layer i) and the vision encoder's hidden states per view.
import { decodeFloat32 } from '@locscope/proto';
import { DType } from '@locscope/proto/v1/tensor';
import { InferenceClient, TextSpan, type CaptureRequest, type CaptureResponse } from '@locscope/proto/v1/inference';
import { InvalidArgumentError } from '@locscope/server-kit';
import type { ServiceCalls } from '../../services/clients.ts';

export interface CapturedTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** Reassembles the chunked tensors of a Capture stream. */
export async function captureTensors(calls: ServiceCalls, request: CaptureRequest): Promise<CapturedTensor[]> {
  const client = await calls.clients.client('inference', InferenceClient);
  const parts = new Map<string, { shape: number[]; bytes: Buffer }>();
  const stream = client.capture(request, calls.clients.callOptions());
  // A stopped run cancels the stream rather than reading it to the end.
  const cancel = () => stream.cancel();
  calls.signal.addEventListener('abort', cancel, { once: true });
  if (calls.signal.aborted) cancel();
  try {
    for await (const chunk of stream as AsyncIterable<CaptureResponse>) {
      if (chunk.dtype !== DType.D_TYPE_FLOAT32) throw new InvalidArgumentError(`capture ${chunk.name} is not FLOAT32`, { field: 'capture.dtype' });
      let part = parts.get(chunk.name);
      if (!part) parts.set(chunk.name, (part = { shape: chunk.shape.map(Number), bytes: Buffer.alloc(Number(chunk.totalBytes)) }));
      chunk.data.copy(part.bytes, Number(chunk.offset));
    }
  } finally {
    calls.signal.removeEventListener('abort', cancel);
  }
  return [...parts.entries()].map(([name, p]) => ({
    name,
    shape: p.shape,
    data: decodeFloat32({ dtype: DType.D_TYPE_FLOAT32, shape: p.shape, data: p.bytes }, `capture.${name}`),
  }));
}

/** Capture request for the visual positions [0, tokens) of one image. */
export function visualCapture(model: string, image: Uint8Array, prompt: string, tokens: number, options: { hidden: boolean; vision: boolean }): CaptureRequest {
  return {
    model,
    image: { source: { $case: 'encoded', value: Buffer.from(image) } },
    prompt,
    target: '',
    variants: [{ name: 'clean', interventions: [] }],
    spec: {
      layers: [],
      hiddenStates: options.hidden,
      headOutputs: false,
      attentionProbs: false,
      visionStates: options.vision,
      positions: { span: TextSpan.TEXT_SPAN_UNSPECIFIED, visual: { flat: Array.from({ length: tokens }, (_, i) => i), coordinates: [] }, explicit: [] },
    },
    storeAs: '',
  };
}

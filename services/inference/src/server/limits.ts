// Request limits of the inference service, with named defaults sized for a 2-core CPU host;
// deployments raise them through the service's flags/env.

export interface InferenceLimits {
  /** Forwards running at once (each forward already uses every core through onnxruntime). */
  maxConcurrent: number;
  /** Requests waiting beyond that; more → RESOURCE_EXHAUSTED. */
  maxQueued: number;
  maxVariants: number;
  maxNewTokens: number;
  /**
   * Tokens in one sequence (image tokens, prompt, target and generated tokens); the model's
   * context length caps it further. Attention memory grows with its square.
   */
  maxSequenceTokens: number;
  /**
   * UTF-8 bytes of one prompt or target, checked before tokenizing: tokenizing is linear in the
   * text but slow (a 2 MB prompt took 8.3 s and +380 MB before the sequence check refused it).
   */
  maxTextBytes: number;
  maxImageBytes: number;
  maxImagePixels: number;
  /**
   * Bytes of captured tensors one Capture request may hold: its forward captures every layer at
   * every position for every variant before the spec selects, so that is what is priced.
   */
  maxCaptureBytes: number;
  /** Images per MeanEmbedding request. */
  maxImagesPerRequest: number;
  /** Integrated-Gradients steps. */
  maxAttributionSteps: number;
}

export const DEFAULT_LIMITS: InferenceLimits = {
  maxConcurrent: 1,
  maxQueued: 32,
  maxVariants: 64,
  maxNewTokens: 256,
  maxSequenceTokens: 8192,
  maxTextBytes: 64 * 1024,
  maxImageBytes: 32 * 1024 * 1024,
  maxImagePixels: 50_000_000,
  maxCaptureBytes: 1024 * 1024 * 1024,
  maxImagesPerRequest: 256,
  maxAttributionSteps: 256,
};

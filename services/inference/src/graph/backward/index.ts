// Backward graphs emitted from built forward graphs (reverse-mode autodiff over our ONNX ops).
export { differentiate, type DifferentiateOptions } from './differentiate.ts';
export { ForwardGraph } from './forward-graph.ts';
export { appendGraph } from './merge.ts';
export { BackwardGraphError, UnsupportedOpError } from './errors.ts';
export { INPUTS_EMBEDS_GRAD, TARGET_GRADIENT_GRAPH_KEY, TARGET_IDS, TARGET_LOG_PROB, buildTargetGradientGraph } from './target-gradient-graph.ts';

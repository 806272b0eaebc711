"""The Open Inference Protocol v2 (``inference.GRPCInferenceService``) messages and stubs, generated from
proto/inference by scripts/gen-python-client.mjs; ``locscope_client.OpenInference`` wraps them."""

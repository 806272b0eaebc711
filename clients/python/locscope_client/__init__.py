"""Python client of the locscope gRPC API: the generated ``locscope.v1`` stubs plus helpers that
build intervention variants and return numpy arrays, and the Open Inference Protocol as numpy."""
from .client import Locscope, Score
from .open_inference import InferResult, OpenInference
from .tensors import from_numpy, to_numpy
from .variants import TextSpan, ablate_heads, ablate_visual_tokens, knock_out_layers, patch_heads, variant

__all__ = [
    "InferResult",
    "Locscope",
    "OpenInference",
    "Score",
    "TextSpan",
    "ablate_heads",
    "ablate_visual_tokens",
    "from_numpy",
    "knock_out_layers",
    "patch_heads",
    "to_numpy",
    "variant",
]

"""The PyTorch modules of tools/demo-models (HF's computation, verified by its parity.py), imported,
not copied. That folder is not a package (its modules import each other by bare name), so it goes
on sys.path here, once, for every module of the baseline."""
import os
import sys

DEMO_MODELS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "demo-models")
sys.path.insert(0, DEMO_MODELS_DIR)

import safetensors_io  # noqa: E402,F401  (re-exported)
from vlm import Llava  # noqa: E402,F401  (re-exported)

"""Loads a llava-hf checkpoint directory (config.json + model.safetensors, or shards listed in
model.safetensors.index.json) into the demo-models PyTorch modules, which compute exactly what
transformers' LlavaForConditionalGeneration computes (proven by tools/demo-models/parity.py against
the HF parity fixtures). Weights are converted to float32: the baseline is HF eager fp32."""
import json
import os

from demo_models import Llava, safetensors_io

CONFIG_FILE = "config.json"
SINGLE_FILE = "model.safetensors"
SHARD_INDEX_FILE = "model.safetensors.index.json"
LLAVA_ARCHITECTURE = "LlavaForConditionalGeneration"

# transformers ≥ 4.52 saves `model.language_model.*` etc.; the demo-models modules (like older
# llava-hf checkpoints) use the legacy names. Both layouts are published, so both are accepted.
_NEW_TO_LEGACY = (
    ("model.language_model.", "language_model.model."),
    ("model.vision_tower.", "vision_tower."),
    ("model.multi_modal_projector.", "multi_modal_projector."),
    ("lm_head.", "language_model.lm_head."),
)


class CheckpointError(Exception):
    """A checkpoint directory that cannot be loaded; the message names the file or tensor."""


def legacy_name(name):
    for new, legacy in _NEW_TO_LEGACY:
        if name.startswith(new):
            return legacy + name[len(new):]
    return name


def _weight_files(folder):
    index = os.path.join(folder, SHARD_INDEX_FILE)
    if os.path.exists(index):
        with open(index) as f:
            shards = sorted(set(json.load(f)["weight_map"].values()))
        return [os.path.join(folder, shard) for shard in shards]
    single = os.path.join(folder, SINGLE_FILE)
    if not os.path.exists(single):
        raise CheckpointError(f"{folder}: neither {SINGLE_FILE} nor {SHARD_INDEX_FILE} exists")
    return [single]


def read_config(folder):
    path = os.path.join(folder, CONFIG_FILE)
    try:
        with open(path) as f:
            config = json.load(f)
    except (OSError, ValueError) as error:
        raise CheckpointError(f"{path}: cannot read the model config ({error})") from error
    architectures = config.get("architectures") or []
    if architectures[:1] != [LLAVA_ARCHITECTURE]:
        raise CheckpointError(f"{path}: field 'architectures' is {architectures}, the baseline needs {LLAVA_ARCHITECTURE}")
    return config


def load_llava(folder):
    """The model in eval mode with float32 weights, and its config."""
    config = read_config(folder)
    weights = {}
    for path in _weight_files(folder):
        try:
            tensors = safetensors_io.load(path)
        except (OSError, ValueError, KeyError) as error:
            raise CheckpointError(f"{path}: cannot read the weights ({error})") from error
        weights.update({legacy_name(name): tensor.float() for name, tensor in tensors.items()})
    model = Llava(config)
    try:
        missing, unexpected = model.load_state_dict(weights, strict=False)
    except RuntimeError as error:  # a tensor whose shape disagrees with config.json
        raise CheckpointError(f"{folder}: weights do not match the config ({error})") from error
    if missing or unexpected:
        raise CheckpointError(f"{folder}: weights do not match the config: missing tensors {missing}, unexpected tensors {unexpected}")
    return model.eval(), config

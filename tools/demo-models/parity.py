"""Proves that these PyTorch modules compute what transformers 4.53 computes: loads the HF parity
fixtures (random-weight checkpoints saved by HF + the tensors HF produced for them) and compares.

    /usr/bin/python3 tools/demo-models/parity.py   # exits 1 if any max |diff| > 1e-4
"""
import json
import os
import sys

import torch

import safetensors_io
from vlm import build

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "fixtures", "hf-parity")
TOLERANCE = 1e-4


def check(name):
    folder = os.path.join(FIXTURES, name)
    config = json.load(open(os.path.join(folder, "config.json")))
    model = build(config)
    weights = safetensors_io.load(os.path.join(folder, "model.safetensors"))
    missing, unexpected = model.load_state_dict(weights, strict=False)
    if missing or unexpected:
        raise SystemExit(f"{name}: missing {missing}, unexpected {unexpected}")
    ref = safetensors_io.load(os.path.join(folder, "reference.safetensors"))
    worst = 0.0
    with torch.no_grad():
        for prefix in ("", "real."):
            if prefix + "logits" not in ref:
                continue
            ids = ref["input_ids"] if prefix == "" else ref.get("real.input_ids", ref["input_ids"])
            pixels = ref[prefix + "pixel_values"]
            if prefix == "real." and "real.input_ids" not in ref:
                # Rebuild the real-image prompt: same layout, image span widened to all views.
                info = json.load(open(os.path.join(folder, "reference.json")))["real"]
                span = info.get("image_span")
                base = ref["input_ids"][0].tolist()
                s0, s1 = json.load(open(os.path.join(folder, "reference.json")))["image_span"]
                if span is not None:  # LLaVA's real run reuses input_ids (one view, same span)
                    ids = torch.tensor([base[:s0] + [base[s0]] * (span[1] - span[0]) + base[s1:]])
            feats = model.image_features(pixels)
            logits = model.logits(model.embed(ids, feats.reshape(-1, model.text_hidden)))
            for key, value in ((prefix + "image_features", feats), (prefix + "logits", logits)):
                if key in ref:
                    diff = (value - ref[key].reshape(value.shape)).abs().max().item()
                    worst = max(worst, diff)
                    print(f"{name} {key}: max |diff| = {diff:.2e}")
        if "projector_input" in ref:
            diff = (model.vision_selected(ref["pixel_values"]) - ref["projector_input"]).abs().max().item()
            worst = max(worst, diff)
            print(f"{name} projector_input: max |diff| = {diff:.2e}")
    return worst


if __name__ == "__main__":
    worst = max(check("llava-tiny"), check("internvl-tiny"))
    print(f"worst max |diff| = {worst:.2e} (tolerance {TOLERANCE})")
    sys.exit(0 if worst <= TOLERANCE else 1)

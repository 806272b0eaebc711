"""Writes what the baseline computes for a head-patched forward and a knockout forward (and a
knockout generation) in the parity-fixture format (`reference.safetensors` + `reference.json`, as in
../shared/fixtures/hf-parity), so our runtime can be checked against the very hooks the benchmark
times: bench-baseline's vitest test runs it on the llava-tiny fixture and compares."""
import json
import os

import torch

from demo_models import safetensors_io
from hooks import attention_knockout, capture_o_proj_inputs, patch_head
from measure import KNOCKOUT_NEW_TOKENS, knockout_keys, knockout_layers
from prompt import PIXELS_A_FREQUENCY, PIXELS_B_FREQUENCY, bench_pixels, bench_prompt
from runs import greedy, inputs_embeds

TENSORS_FILE = "reference.safetensors"
JSON_FILE = "reference.json"


def all_logits(model, ids, pixel_values):
    return model.logits(inputs_embeds(model, ids, pixel_values))


def write_check(model, config, out_dir, text_tokens):
    prompt = bench_prompt(config, text_tokens)
    pixels_a, pixels_b = bench_pixels(config, PIXELS_A_FREQUENCY), bench_pixels(config, PIXELS_B_FREQUENCY)
    text = config["text_config"]
    # A middle layer and the last head: neither index is a 0 that could hide an off-by-one.
    patch_layer, patch_head_index = text["num_hidden_layers"] // 2, text["num_attention_heads"] - 1
    positions = prompt.after_image()
    keys = knockout_keys(prompt, config)
    layers = knockout_layers(config)
    with torch.no_grad():
        clean = all_logits(model, prompt.ids, pixels_b)
        with capture_o_proj_inputs(model) as source:
            all_logits(model, prompt.ids, pixels_a)
        attn = model.language_model.model.layers[patch_layer].self_attn
        values = source[patch_layer][0, positions, patch_head_index * attn.head_dim:(patch_head_index + 1) * attn.head_dim]
        with patch_head(model, patch_layer, patch_head_index, positions, values):
            patched = all_logits(model, prompt.ids, pixels_b)
        with attention_knockout(model, layers, keys, prompt.image_span[1]):
            knocked = all_logits(model, prompt.ids, pixels_a)
            tokens, log_probs = greedy(model, inputs_embeds(model, prompt.ids, pixels_a), KNOCKOUT_NEW_TOKENS)
    tensors = {
        "input_ids": prompt.ids,
        "pixel_values": pixels_a,
        "pixel_values_b": pixels_b,
        "logits_b": clean,
        "patch.logits": patched,
        "knockout.logits": knocked,
        "knockout.tokens": tokens,
        "knockout.log_probs": log_probs,
    }
    os.makedirs(out_dir, exist_ok=True)
    safetensors_io.save(tensors, os.path.join(out_dir, TENSORS_FILE))
    doc = {
        "semantics": {
            "logits_b": "clean forward on input_ids + pixel_values_b",
            "patch.logits": "forward on pixel_values_b; head `patch.head` of layer `patch.layer` (o_proj input channels) "
                            "replaced at `patch.positions` by the source forward's (pixel_values)",
            "knockout.logits": "forward on pixel_values; in `knockout.layers`, queries ≥ `knockout.queries_from` cannot attend `knockout.key_positions`",
            "knockout.tokens": "greedy tokens with a KV cache, the knockout applied to the prompt and every decode step",
        },
        "image_span": list(prompt.image_span),
        "patch": {"layer": patch_layer, "head": patch_head_index, "positions": positions},
        "knockout": {"layers": layers, "key_positions": keys, "queries_from": prompt.image_span[1]},
        "tensors": {name: {"dtype": "I64" if t.dtype == torch.int64 else "F32", "shape": list(t.shape)} for name, t in sorted(tensors.items())},
    }
    with open(os.path.join(out_dir, JSON_FILE), "w") as f:
        json.dump(doc, f, indent=1)
    return {"check_dir": os.path.abspath(out_dir), "tensors": sorted(tensors)}

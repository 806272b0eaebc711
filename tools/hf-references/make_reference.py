"""Writes a parity checkpoint/reference pair with Hugging Face transformers itself: a random-weight
LLaVA or InternVL checkpoint saved by `save_pretrained` (any size, GQA ratio, head_dim, dtype,
sharding) and, in the format of ../shared/fixtures/hf-parity/, the tensors transformers computes for
it (eager attention, float32, CPU), with head ablation, attention knockout and activation patching
applied by hooks exactly as that README describes. `locscope parity DIR` must then pass on DIR.

    python3 tools/hf-references/make_reference.py --case NAME OUT_DIR     # cases: see CASES
    python3 tools/hf-references/make_reference.py --list

Needs torch and transformers (>= 4.53); nothing else of this repository.
"""
import argparse
import json
import math
import os
import sys

import torch
import transformers
from safetensors.torch import save_file

from cases import CASES


def randomize(model, seed):
    """N(0, 1/fan_in) matrices (logits with std ~1, as in the shared fixtures), norm scales near 1,
    small biases: HF's own init (std 0.02) would make every logit ~0 and every diff trivially small."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() >= 2:
                fan_in = math.prod(p.shape[1:])
                p.copy_(torch.randn(p.shape, generator=g) / math.sqrt(fan_in))
            elif "norm" in name or "layernorm" in name:
                p.copy_(1 + 0.1 * torch.randn(p.shape, generator=g))
            elif "lambda" in name:
                p.copy_(0.5 + 0.1 * torch.randn(p.shape, generator=g))
            else:
                p.copy_(0.1 * torch.randn(p.shape, generator=g))


def decoder_layers(model):
    return model.model.language_model.layers


def prompt_ids(case, image_tokens):
    """Text ids around `image_tokens` image-token ids: BOS + 3 ids, the image (InternVL: between
    <img> and </img>), then `case['text_after']` ids."""
    vocab, image = case["text_config"]["vocab_size"], case["image_token_id"]
    text = lambda n, start: [(start + 7 * i) % (image - 40) + 3 for i in range(n)]
    before = [1] + text(3, 11)
    wrap = case.get("image_wrap", [])
    after = text(case["text_after"], 101)
    ids = before + wrap[:1] + [image] * image_tokens + wrap[1:] + after
    span = [len(before) + len(wrap[:1]), len(before) + len(wrap[:1]) + image_tokens]
    assert max(ids) < vocab
    return torch.tensor([ids]), span


class Hooks:
    """Forward hooks for one run: captures (o_proj inputs, layer outputs, rotary tables, projector
    input) and the interventions of the fixture README (ablation, knockout, patching)."""

    def __init__(self, model):
        self.model = model
        self.handles = []
        self.captured = {}

    def __enter__(self):
        lm = self.model.model.language_model
        for i, layer in enumerate(lm.layers):
            self.handles.append(layer.self_attn.o_proj.register_forward_pre_hook(self._o_proj(i)))
            self.handles.append(layer.register_forward_hook(self._layer_out(i)))
        self.handles.append(lm.rotary_emb.register_forward_hook(self._rope))
        self.handles.append(self.model.model.multi_modal_projector.register_forward_pre_hook(self._projector))
        return self

    def __exit__(self, *exc):
        for h in self.handles:
            h.remove()

    ablate = None  # (layer, head)
    patch = None  # (layer, head, positions, source o_proj input [1, S, H*hd])
    knockout = None  # (layers, query_positions, key_positions)

    def _o_proj(self, i):
        def hook(module, args):
            (x,) = args
            hd = self.model.config.text_config.head_dim
            x = x.clone()
            if self.ablate and self.ablate[0] == i:
                h = self.ablate[1]
                x[..., h * hd:(h + 1) * hd] = 0
            if self.patch and self.patch[0] == i:
                _, h, positions, source = self.patch
                x[:, positions, h * hd:(h + 1) * hd] = source[:, positions, h * hd:(h + 1) * hd]
            self.captured[f"attn_pre_o_proj.{i}"] = x.detach().clone()
            return (x,)

        return hook

    def _layer_out(self, i):
        def hook(module, args, output):
            out = output[0] if isinstance(output, tuple) else output
            self.captured[f"layer_out.{i}"] = out.detach().clone()

        return hook

    def _rope(self, module, args, output):
        cos, sin = output
        self.captured["rope_cos"], self.captured["rope_sin"] = cos.detach().clone(), sin.detach().clone()

    def _projector(self, module, args):
        self.captured["projector_input"] = args[0].detach().clone()


def knockout_mask_hooks(model, layers, queries, keys):
    """Pre-hooks that set the additive mask entries [q, k] of the listed layers to float32 min."""
    handles = []
    minimum = torch.finfo(torch.float32).min

    def hook(module, args, kwargs):
        mask = kwargs.get("attention_mask")
        if mask is None:
            raise SystemExit("the attention got no mask: run with attn_implementation='eager'")
        if mask.dtype == torch.bool:
            mask = torch.where(mask, 0.0, minimum).to(torch.float32)
        mask = mask.clone()
        for q in queries:
            mask[:, :, q, keys] = minimum
        kwargs["attention_mask"] = mask
        return args, kwargs

    for i in layers:
        handles.append(decoder_layers(model)[i].self_attn.register_forward_pre_hook(hook, with_kwargs=True))
    return handles


def run(model, ids, pixels, span, hooks_setup=lambda h: None, knockout=None):
    with Hooks(model) as hooks:
        hooks_setup(hooks)
        extra = knockout_mask_hooks(model, *knockout) if knockout else []
        try:
            with torch.no_grad():
                out = model(input_ids=ids, pixel_values=pixels, output_hidden_states=True, output_attentions=True, return_dict=True)
        finally:
            for h in extra:
                h.remove()
    tensors = {"logits": out.logits}
    for i, h in enumerate(out.hidden_states):
        tensors[f"hidden_states.{i}"] = h
    for i, a in enumerate(out.attentions):
        tensors[f"attn_probs.{i}"] = a
    tensors["image_features"] = out.hidden_states[0][0, span[0]:span[1]].unsqueeze(0)
    tensors.update(hooks.captured)
    return tensors


GROUPS = ("ablate", "knockout", "patch_source", "patch_all", "patch_last")


def capture_kind(name):
    """`knockout.attn_probs.2` → `attn_probs`: the tensor's kind without run group and layer."""
    parts = name.split(".")
    if parts[0] in GROUPS:
        parts = parts[1:]
    if parts[-1].isdigit():
        parts = parts[:-1]
    return ".".join(parts)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--case", choices=sorted(CASES))
    parser.add_argument("--list", action="store_true")
    parser.add_argument("out", nargs="?")
    args = parser.parse_args(argv)
    if args.list:
        for name, case in CASES.items():
            print(f"{name}: {case['about']}")
        return 0
    if not args.case or not args.out:
        parser.error("--case and OUT_DIR are required")
    case = CASES[args.case]
    torch.manual_seed(case["seed"])
    config = transformers.AutoConfig.for_model(**case["config"])
    config._attn_implementation = "eager"
    model_class = getattr(transformers, case["config"]["architectures"][0])
    model = model_class(config).eval()
    randomize(model, case["seed"])
    dtype = getattr(torch, case["dtype"])
    # The references are computed from the weights exactly as saved (rounded to the checkpoint dtype).
    model = model.to(dtype).to(torch.float32)
    os.makedirs(args.out, exist_ok=True)
    model.to(dtype).save_pretrained(args.out, max_shard_size=case.get("max_shard_size", "10GB"))
    model = model_class.from_pretrained(args.out, torch_dtype=torch.float32, attn_implementation="eager").eval()

    image_tokens = case["image_tokens"]
    ids, span = prompt_ids(case, image_tokens * case.get("views", 1))
    size = case["pixels"]
    g = torch.Generator().manual_seed(case["seed"] + 1)
    pixels = torch.randn((case.get("views", 1), 3, size, size), generator=g)
    pixels_b = torch.randn((case.get("views", 1), 3, size, size), generator=g)
    S = ids.shape[1]
    text = case["config"]["text_config"]
    L, H = text["num_hidden_layers"], text["num_attention_heads"]
    ablate = {"layer": 1 % L, "head": H - 1}
    knockout = {"layers": sorted({0, L - 1}), "query_positions": list(range(span[1], S)), "key_positions": list(range(span[0], span[1], 2))}
    patch = {"layer": L - 1, "head": 1 % H}

    tensors = {"input_ids": ids, "pixel_values": pixels, "pixel_values_b": pixels_b}
    base = run(model, ids, pixels, span)
    tensors.update(base)
    source = run(model, ids, pixels_b, span)
    for name in ("logits", f"attn_pre_o_proj.{patch['layer']}"):
        tensors[f"patch_source.{name}"] = source[name]

    def set_ablate(h):
        h.ablate = (ablate["layer"], ablate["head"])

    ablated = run(model, ids, pixels, span, set_ablate)
    tensors["ablate.logits"] = ablated["logits"]
    tensors[f"ablate.attn_pre_o_proj.{ablate['layer']}"] = ablated[f"attn_pre_o_proj.{ablate['layer']}"]
    knocked = run(model, ids, pixels, span, knockout=(knockout["layers"], knockout["query_positions"], knockout["key_positions"]))
    tensors["knockout.logits"] = knocked["logits"]
    for i in knockout["layers"]:
        tensors[f"knockout.attn_probs.{i}"] = knocked[f"attn_probs.{i}"]
        assert torch.all(knocked[f"attn_probs.{i}"][0][:, knockout["query_positions"]][:, :, knockout["key_positions"]] == 0)
    src = source[f"attn_pre_o_proj.{patch['layer']}"]
    for group, positions in (("patch_all", list(range(S))), ("patch_last", [S - 1])):
        def set_patch(h, positions=positions):
            h.patch = (patch["layer"], patch["head"], positions, src)

        tensors[f"{group}.logits"] = run(model, ids, pixels, span, set_patch)["logits"]

    tensors = {k: v for k, v in tensors.items() if capture_kind(k) not in case.get("skip", [])}
    tensors = {k: v.detach().clone().contiguous().to(torch.int64 if k == "input_ids" else torch.float32) for k, v in tensors.items()}
    save_file(tensors, os.path.join(args.out, "reference.safetensors"))
    reference = {
        "model": args.case,
        "about": case["about"],
        "generated_by": {"transformers": transformers.__version__, "torch": torch.__version__, "script": "tools/hf-references/make_reference.py"},
        "dtype": "float32",
        "checkpoint_dtype": case["dtype"],
        "attn_implementation": "eager",
        "seq_len": S,
        "image_token_id": case["image_token_id"],
        "image_span": span,
        "ablate": ablate,
        "knockout": knockout,
        "patch": {**patch, "patch_last": f"position {S - 1}"},
        "logit_stats": {"std": float(base["logits"].std()), "max": float(base["logits"].abs().max())},
        "tensors": {k: {"dtype": "I64" if v.dtype == torch.int64 else "F32", "shape": list(v.shape)} for k, v in tensors.items()},
    }
    with open(os.path.join(args.out, "reference.json"), "w") as f:
        json.dump(reference, f, indent=1)
    print(f"{args.case}: {len(tensors)} tensors, seq {S}, logit std {reference['logit_stats']['std']:.3f} -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

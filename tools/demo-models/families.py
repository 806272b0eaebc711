"""The two demo models: config.json/preprocessor/generation configs, prompt formats and per-image
training sequences. Sizes are named defaults here so the README command reproduces them."""
import json
import os

import torch

from preprocess import CLIP_MEAN, CLIP_STD, IMAGENET_MEAN, IMAGENET_STD, internvl_views, llava_geometry, llava_view, normalize
from tasks import internvl_box, llava_box, qa_pairs
from tokenizer import VOCAB, VOCAB_SIZE, encode
import tokenizer

IGNORE = -100


class LlavaFamily:
    name = "demo-llava"
    family = "llava"
    image_size = 112
    patch = 14

    def __init__(self, vision_hidden=128, vision_layers=4, text_hidden=192, text_layers=8, heads=4):
        grid = self.image_size // self.patch
        self.tokens_per_image = grid * grid
        self.config = {
            "architectures": ["LlavaForConditionalGeneration"],
            "model_type": "llava",
            "image_token_index": VOCAB["<image>"],
            "image_seq_length": self.tokens_per_image,
            "pad_token_id": VOCAB["<pad>"],
            "projector_hidden_act": "gelu",
            "multimodal_projector_bias": True,
            "tie_word_embeddings": False,
            "torch_dtype": "float32",
            "transformers_version": "4.53.0",
            "vision_feature_layer": -2,
            "vision_feature_select_strategy": "default",
            "vision_config": {
                "model_type": "clip_vision_model", "hidden_act": "quick_gelu", "hidden_size": vision_hidden,
                "intermediate_size": 4 * vision_hidden, "num_hidden_layers": vision_layers,
                "num_attention_heads": 4, "image_size": self.image_size, "patch_size": self.patch,
                "num_channels": 3, "layer_norm_eps": 1e-5, "projection_dim": vision_hidden,
                "attention_dropout": 0.0, "initializer_factor": 1.0, "initializer_range": 0.02,
            },
            "text_config": {
                "model_type": "llama", "hidden_size": text_hidden, "intermediate_size": 8 * text_hidden // 3 // 16 * 16,
                "num_hidden_layers": text_layers, "num_attention_heads": heads, "num_key_value_heads": heads,
                "head_dim": text_hidden // heads, "hidden_act": "silu", "rms_norm_eps": 1e-5, "rope_theta": 10000.0,
                "rope_scaling": None, "vocab_size": VOCAB_SIZE, "max_position_embeddings": 1024,
                "attention_bias": False, "mlp_bias": False, "attention_dropout": 0.0, "pretraining_tp": 1,
                "pad_token_id": VOCAB["<pad>"], "bos_token_id": VOCAB["<s>"], "eos_token_id": VOCAB["</s>"],
                "tie_word_embeddings": False, "initializer_range": 0.02, "use_cache": True,
            },
        }

    mean, std = CLIP_MEAN, CLIP_STD

    def views(self, image):
        """The model input views as uint8 PIL images (one padded, resized square)."""
        return [llava_view(image, self.image_size)]

    def box_answer(self, width, height):
        """Answer formatter (name, COCO bbox) → text for an image of this size."""
        offset, side = llava_geometry(width, height)
        return lambda name, bbox: llava_box(bbox, offset, side)

    def prompt_ids(self, question, views=1):
        """Single-turn prompt up to the answer (what inference feeds)."""
        return self.expand([VOCAB["<s>"]] + encode("USER: <image>\n" + question + " ASSISTANT:"))

    def sequence(self, pairs, views=1):
        """(ids, labels) of a multi-turn conversation; labels only on answers and their </s>."""
        ids, labels = [VOCAB["<s>"]], [IGNORE]
        for turn, (q, a) in enumerate(pairs):
            prompt = self.expand(encode(("USER: <image>\n" if turn == 0 else "USER: ") + q + " ASSISTANT:"))
            answer = encode(" " + a) + [VOCAB["</s>"]]
            ids += prompt + answer
            labels += [IGNORE] * len(prompt) + answer
        return ids, labels

    def expand(self, ids, views=1):
        """The single <image> placeholder → image_seq_length image tokens (as LlavaProcessor does)."""
        out = []
        for t in ids:
            out += [t] * self.tokens_per_image if t == VOCAB["<image>"] else [t]
        return out

    def extra_files(self):
        return {
            "preprocessor_config.json": {
                "image_processor_type": "CLIPImageProcessor", "crop_size": {"height": self.image_size, "width": self.image_size},
                "size": {"shortest_edge": self.image_size}, "do_center_crop": True, "do_convert_rgb": True,
                "do_normalize": True, "do_rescale": True, "do_resize": True, "image_mean": list(CLIP_MEAN),
                "image_std": list(CLIP_STD), "resample": 3, "rescale_factor": 1 / 255,
            },
            "generation_config.json": {"bos_token_id": VOCAB["<s>"], "eos_token_id": VOCAB["</s>"],
                                       "pad_token_id": VOCAB["<pad>"], "do_sample": False, "transformers_version": "4.53.0"},
        }

    eos_id = VOCAB["</s>"]


class InternVLFamily:
    name = "demo-internvl"
    family = "internvl"
    tile = 84
    patch = 7
    min_tiles = 1
    max_tiles = 2

    def __init__(self, vision_hidden=128, vision_layers=4, text_hidden=192, text_layers=8, heads=4, kv_heads=2):
        grid = self.tile // self.patch
        self.tokens_per_view = (grid // 2) ** 2
        head_dim = text_hidden // heads
        self.config = {
            "architectures": ["InternVLForConditionalGeneration"],
            "model_type": "internvl",
            "downsample_ratio": 0.5,
            "image_seq_length": self.tokens_per_view,
            "image_token_id": VOCAB["<IMG_CONTEXT>"],
            "projector_hidden_act": "gelu",
            "tie_word_embeddings": False,
            "torch_dtype": "float32",
            "transformers_version": "4.53.0",
            "vision_feature_layer": -1,
            "vision_feature_select_strategy": "default",
            "vision_config": {
                "model_type": "internvl_vision", "hidden_size": vision_hidden, "intermediate_size": 4 * vision_hidden,
                "num_hidden_layers": vision_layers, "num_attention_heads": 4, "image_size": [self.tile, self.tile],
                "patch_size": [self.patch, self.patch], "num_channels": 3, "hidden_act": "gelu",
                "layer_norm_eps": 1e-6, "layer_scale_init_value": 0.1, "norm_type": "layer_norm",
                "attention_bias": True, "use_qk_norm": False, "use_absolute_position_embeddings": True,
                "use_mask_token": False, "use_mean_pooling": True, "attention_dropout": 0.0,
                "hidden_dropout_prob": 0.0, "projection_dropout": 0.0, "initializer_range": 0.02,
            },
            "text_config": {
                "model_type": "qwen3", "hidden_size": text_hidden, "intermediate_size": 8 * text_hidden // 3 // 16 * 16,
                "num_hidden_layers": text_layers, "num_attention_heads": heads, "num_key_value_heads": kv_heads,
                "head_dim": head_dim, "hidden_act": "silu", "rms_norm_eps": 1e-6, "rope_theta": 1000000.0,
                "rope_scaling": None, "vocab_size": VOCAB_SIZE, "max_position_embeddings": 2048,
                "attention_bias": False, "attention_dropout": 0.0, "use_sliding_window": False,
                "sliding_window": None, "max_window_layers": text_layers,
                "layer_types": ["full_attention"] * text_layers, "tie_word_embeddings": False,
                "bos_token_id": VOCAB["<|im_start|>"], "eos_token_id": VOCAB["<|im_end|>"],
                "initializer_range": 0.02, "use_cache": True,
            },
        }

    mean, std = IMAGENET_MEAN, IMAGENET_STD

    def views(self, image):
        """Tiles (row-major) then the thumbnail when there is more than one tile, uint8 PIL images."""
        return internvl_views(image, self.tile, self.min_tiles, self.max_tiles)[0]

    def box_answer(self, width, height):
        return lambda name, bbox: internvl_box(name, bbox, width, height)

    def prompt_ids(self, question, views):
        return self.expand(encode("<|im_start|>user\n<IMG_CONTEXT>\n" + question + "<|im_end|>\n<|im_start|>assistant\n"), views)

    def sequence(self, pairs, views):
        ids, labels = [], []
        for turn, (q, a) in enumerate(pairs):
            prompt = self.expand(encode("<|im_start|>user\n" + ("<IMG_CONTEXT>\n" if turn == 0 else "") + q
                                        + "<|im_end|>\n<|im_start|>assistant\n"), views)
            answer = encode(a) + [VOCAB["<|im_end|>"]]
            newline = encode("\n")
            ids += prompt + answer + newline
            labels += [IGNORE] * len(prompt) + answer + [IGNORE] * len(newline)
        return ids, labels

    def expand(self, ids, views):
        """<IMG_CONTEXT> placeholder → <img> + views·tokens_per_view context tokens + </img>."""
        out = []
        for t in ids:
            if t == VOCAB["<IMG_CONTEXT>"]:
                out += [VOCAB["<img>"]] + [t] * (views * self.tokens_per_view) + [VOCAB["</img>"]]
            else:
                out.append(t)
        return out

    def extra_files(self):
        return {
            "preprocessor_config.json": {
                "image_processor_type": "GotOcr2ImageProcessor", "crop_to_patches": True,
                "min_patches": self.min_tiles, "max_patches": self.max_tiles,
                "size": {"height": self.tile, "width": self.tile}, "do_convert_rgb": True, "do_normalize": True,
                "do_rescale": True, "do_resize": True, "image_mean": list(IMAGENET_MEAN),
                "image_std": list(IMAGENET_STD), "resample": 3, "rescale_factor": 1 / 255,
            },
            "generation_config.json": {"bos_token_id": VOCAB["<|im_start|>"], "eos_token_id": VOCAB["<|im_end|>"],
                                       "pad_token_id": VOCAB["<pad>"], "do_sample": False, "transformers_version": "4.53.0"},
        }

    eos_id = VOCAB["<|im_end|>"]


def pixel_values(family, views):
    """[views, 3, S, S] float32 with the family's mean/std."""
    return torch.stack([normalize(v, family.mean, family.std) for v in views])


FAMILIES = {"llava": LlavaFamily, "internvl": InternVLFamily}


def export(family, model, folder, dtype):
    """Writes the Hugging Face folder: config.json, model.safetensors, tokenizer and configs."""
    import safetensors_io

    os.makedirs(folder, exist_ok=True)
    config = dict(family.config, torch_dtype="float16" if dtype == "float16" else "float32")
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    for name, doc in family.extra_files().items():
        with open(os.path.join(folder, name), "w") as f:
            json.dump(doc, f, indent=2)
    tokenizer.write(folder, family.family)
    state = {k: (v.half() if dtype == "float16" else v.float()) for k, v in model.state_dict().items()}
    safetensors_io.save(state, os.path.join(folder, "model.safetensors"))

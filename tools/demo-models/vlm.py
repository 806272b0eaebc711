"""LlavaForConditionalGeneration and InternVLForConditionalGeneration: vision tower → projector →
image features that replace the image-token embeddings → decoder. Parameter names follow the
legacy llava-hf layout (`language_model.model.*`, `vision_tower.*`, `multi_modal_projector.*`),
which is also what transformers 4.53 saves for InternVL."""
import torch
from torch import nn
import torch.nn.functional as F

from text import CausalLM
from vision import CLIPVisionModel, InternVLVisionModel


class LlavaProjector(nn.Module):
    def __init__(self, c):
        super().__init__()
        v, t = c["vision_config"]["hidden_size"], c["text_config"]["hidden_size"]
        self.linear_1 = nn.Linear(v, t)
        self.linear_2 = nn.Linear(t, t)

    def forward(self, x):
        return self.linear_2(F.gelu(self.linear_1(x)))


class InternVLProjector(nn.Module):
    def __init__(self, c):
        super().__init__()
        v = c["vision_config"]["hidden_size"] * int(1 / c["downsample_ratio"]) ** 2
        t = c["text_config"]["hidden_size"]
        self.layer_norm = nn.LayerNorm(v, eps=1e-5)
        self.linear_1 = nn.Linear(v, t)
        self.linear_2 = nn.Linear(t, t)

    def forward(self, x):
        return self.linear_2(F.gelu(self.linear_1(self.layer_norm(x))))


def pixel_shuffle(x, scale):
    """InternVLModel.pixel_shuffle: [B, W, H, C] → [B, W·s, H·s, C/s²]."""
    b, w, h, c = x.shape
    x = x.view(b, w, int(h * scale), int(c / scale))
    x = x.permute(0, 2, 1, 3).contiguous()
    x = x.view(b, int(h * scale), int(w * scale), int(c / (scale**2)))
    return x.permute(0, 2, 1, 3).contiguous()


class VLM(nn.Module):
    image_token_key = "image_token_index"

    def embed(self, input_ids, image_features):
        """Token embeddings with the image-token positions replaced, in order, by image features
        ([N_image_tokens_total, D], concatenated over the batch in row-major order)."""
        embeds = self.language_model.model.embed_tokens(input_ids)
        is_image = input_ids == self.image_token_id
        if image_features is not None:
            embeds = embeds.masked_scatter(is_image.unsqueeze(-1), image_features.to(embeds.dtype))
        return embeds

    def logits(self, inputs_embeds, attention_mask=None, caches=None):
        return self.language_model.lm_head(self.language_model.model(inputs_embeds, attention_mask, caches))

    def forward(self, input_ids, pixel_values, attention_mask=None):
        features = self.image_features(pixel_values).reshape(-1, self.text_hidden)
        return self.logits(self.embed(input_ids, features), attention_mask)


class Llava(VLM):
    def __init__(self, c):
        super().__init__()
        self.config = c
        self.image_token_id = c["image_token_index"]
        self.text_hidden = c["text_config"]["hidden_size"]
        self.vision_tower = CLIPVisionModel(c["vision_config"])
        self.multi_modal_projector = LlavaProjector(c)
        self.language_model = CausalLM(c["text_config"], qk_norm=False)

    def vision_selected(self, pixel_values):
        layers = self.config["vision_config"]["num_hidden_layers"]
        index = self.config["vision_feature_layer"] % (layers + 1)
        states = self.vision_tower.vision_model.hidden_states(pixel_values, up_to=index)
        return states[index][:, 1:]  # 'default' strategy drops CLS

    def image_features(self, pixel_values):
        """[views, tokens, text_hidden]."""
        return self.multi_modal_projector(self.vision_selected(pixel_values))


class InternVL(VLM):
    def __init__(self, c):
        super().__init__()
        self.config = c
        self.image_token_id = c["image_token_id"]
        self.text_hidden = c["text_config"]["hidden_size"]
        self.vision_tower = InternVLVisionModel(c["vision_config"])
        self.multi_modal_projector = InternVLProjector(c)
        self.language_model = CausalLM(c["text_config"], qk_norm=True)

    def vision_selected(self, pixel_values):
        layers = self.config["vision_config"]["num_hidden_layers"]
        index = self.config["vision_feature_layer"] % (layers + 1)
        x = self.vision_tower.hidden_states(pixel_values, up_to=index)[index][:, 1:]
        side = int(x.shape[1] ** 0.5)
        x = x.reshape(x.shape[0], side, side, -1)
        x = pixel_shuffle(x, self.config["downsample_ratio"])
        return x.reshape(x.shape[0], -1, x.shape[-1])

    def image_features(self, pixel_values):
        return self.multi_modal_projector(self.vision_selected(pixel_values))


def build(config):
    arch = config["architectures"][0]
    if arch == "LlavaForConditionalGeneration":
        return Llava(config)
    if arch == "InternVLForConditionalGeneration":
        return InternVL(config)
    raise ValueError(f"config.json: unsupported architecture {arch}")

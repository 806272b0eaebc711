"""Vision encoders with the exact computation and parameter names of transformers 4.53:
CLIPVisionModel (LLaVA-1.5) and InternVLVisionModel (InternViT, InternVL-HF)."""
import torch
from torch import nn
import torch.nn.functional as F


def quick_gelu(x):
    return x * torch.sigmoid(1.702 * x)


def _attention(q, k, v, heads):
    """Eager multi-head self-attention (no mask), softmax in float32 as HF does."""
    b, n, d = q.shape
    hd = d // heads
    q = q.view(b, n, heads, hd).transpose(1, 2)
    k = k.view(b, n, heads, hd).transpose(1, 2)
    v = v.view(b, n, heads, hd).transpose(1, 2)
    w = torch.matmul(q, k.transpose(2, 3)) * hd**-0.5
    w = F.softmax(w, dim=-1, dtype=torch.float32).to(q.dtype)
    return torch.matmul(w, v).transpose(1, 2).reshape(b, n, d)


# ---- CLIP (LLaVA) -------------------------------------------------------------------------

class CLIPEmbeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        d, p = c["hidden_size"], c["patch_size"]
        self.class_embedding = nn.Parameter(torch.zeros(d))
        self.patch_embedding = nn.Conv2d(3, d, kernel_size=p, stride=p, bias=False)
        n = (c["image_size"] // p) ** 2 + 1
        self.position_embedding = nn.Embedding(n, d)
        self.register_buffer("position_ids", torch.arange(n).unsqueeze(0), persistent=False)

    def forward(self, pixel_values):
        patches = self.patch_embedding(pixel_values).flatten(2).transpose(1, 2)
        cls = self.class_embedding.expand(pixel_values.shape[0], 1, -1)
        return torch.cat([cls, patches], dim=1) + self.position_embedding(self.position_ids)


class CLIPAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c["hidden_size"]
        self.heads = c["num_attention_heads"]
        self.q_proj, self.k_proj, self.v_proj, self.out_proj = (nn.Linear(d, d) for _ in range(4))

    def forward(self, x):
        return self.out_proj(_attention(self.q_proj(x), self.k_proj(x), self.v_proj(x), self.heads))


class CLIPMLP(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.fc1 = nn.Linear(c["hidden_size"], c["intermediate_size"])
        self.fc2 = nn.Linear(c["intermediate_size"], c["hidden_size"])

    def forward(self, x):
        return self.fc2(quick_gelu(self.fc1(x)))


class CLIPEncoderLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        d, eps = c["hidden_size"], c.get("layer_norm_eps", 1e-5)
        self.self_attn = CLIPAttention(c)
        self.layer_norm1 = nn.LayerNorm(d, eps=eps)
        self.mlp = CLIPMLP(c)
        self.layer_norm2 = nn.LayerNorm(d, eps=eps)

    def forward(self, x):
        x = x + self.self_attn(self.layer_norm1(x))
        return x + self.mlp(self.layer_norm2(x))


class CLIPEncoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layers = nn.ModuleList(CLIPEncoderLayer(c) for _ in range(c["num_hidden_layers"]))


class CLIPVisionTransformer(nn.Module):
    def __init__(self, c):
        super().__init__()
        d, eps = c["hidden_size"], c.get("layer_norm_eps", 1e-5)
        self.embeddings = CLIPEmbeddings(c)
        self.pre_layrnorm = nn.LayerNorm(d, eps=eps)
        self.encoder = CLIPEncoder(c)
        # Saved and loaded like HF, but LLaVA's layer -2 features never pass through it.
        self.post_layernorm = nn.LayerNorm(d, eps=eps)

    def hidden_states(self, pixel_values, up_to=None):
        """[pre_layrnorm(embeddings), layer 0 output, …]; stops after `up_to` layers if given."""
        x = self.pre_layrnorm(self.embeddings(pixel_values))
        states = [x]
        for layer in self.encoder.layers[: up_to]:
            x = layer(x)
            states.append(x)
        return states


class CLIPVisionModel(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.vision_model = CLIPVisionTransformer(c)


# ---- InternViT (InternVL-HF) ---------------------------------------------------------------

class InternVLVisionPatchEmbeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        p = c["patch_size"][0]
        self.projection = nn.Conv2d(3, c["hidden_size"], kernel_size=p, stride=p)


class InternVLVisionEmbeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c["hidden_size"]
        n = (c["image_size"][0] // c["patch_size"][0]) * (c["image_size"][1] // c["patch_size"][1]) + 1
        self.cls_token = nn.Parameter(torch.zeros(1, 1, d))
        self.patch_embeddings = InternVLVisionPatchEmbeddings(c)
        self.position_embeddings = nn.Parameter(torch.zeros(1, n, d))

    def forward(self, pixel_values):
        patches = self.patch_embeddings.projection(pixel_values).flatten(2).transpose(1, 2)
        cls = self.cls_token.expand(pixel_values.shape[0], -1, -1)
        return torch.cat([cls, patches], dim=1) + self.position_embeddings


class InternVLVisionAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c["hidden_size"]
        self.heads = c["num_attention_heads"]
        bias = c.get("attention_bias", True)
        self.q_proj, self.k_proj, self.v_proj = (nn.Linear(d, d, bias=bias) for _ in range(3))
        self.projection_layer = nn.Linear(d, d)

    def forward(self, x):
        return self.projection_layer(_attention(self.q_proj(x), self.k_proj(x), self.v_proj(x), self.heads))


class InternVLVisionMLP(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.fc1 = nn.Linear(c["hidden_size"], c["intermediate_size"])
        self.fc2 = nn.Linear(c["intermediate_size"], c["hidden_size"])

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


class InternVLVisionLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        d, eps = c["hidden_size"], c.get("layer_norm_eps", 1e-6)
        self.attention = InternVLVisionAttention(c)
        self.mlp = InternVLVisionMLP(c)
        self.layernorm_before = nn.LayerNorm(d, eps=eps)
        self.layernorm_after = nn.LayerNorm(d, eps=eps)
        init = c.get("layer_scale_init_value", 0.1)
        self.lambda_1 = nn.Parameter(init * torch.ones(d))
        self.lambda_2 = nn.Parameter(init * torch.ones(d))

    def forward(self, x):
        x = x + self.lambda_1 * self.attention(self.layernorm_before(x))
        return x + self.lambda_2 * self.mlp(self.layernorm_after(x))


class InternVLVisionEncoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layer = nn.ModuleList(InternVLVisionLayer(c) for _ in range(c["num_hidden_layers"]))


class InternVLVisionModel(nn.Module):
    """use_mean_pooling=True: the final layernorm is the identity, so last_hidden_state = last layer output."""

    def __init__(self, c):
        super().__init__()
        self.embeddings = InternVLVisionEmbeddings(c)
        self.encoder = InternVLVisionEncoder(c)

    def hidden_states(self, pixel_values, up_to=None):
        x = self.embeddings(pixel_values)
        states = [x]
        for layer in self.encoder.layer[: up_to]:
            x = layer(x)
            states.append(x)
        return states

"""Decoder-only language models with the computation and parameter names of transformers 4.53:
LlamaForCausalLM (LLaVA-1.5) and Qwen3ForCausalLM (InternVL-3.5; q/k RMSNorm before RoPE, GQA)."""
import torch
from torch import nn
import torch.nn.functional as F


class RMSNorm(nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        dtype = x.dtype
        x = x.to(torch.float32)
        x = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps)
        return self.weight * x.to(dtype)


def rope(positions, head_dim, theta):
    """cos, sin [B, S, head_dim] as HF's default rotary embedding computes them (float32)."""
    inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.int64, device=positions.device).float() / head_dim))
    freqs = positions[:, :, None].float() * inv_freq[None, None, :]
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos(), emb.sin()


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


class Attention(nn.Module):
    def __init__(self, c, qk_norm):
        super().__init__()
        d = c["hidden_size"]
        self.heads = c["num_attention_heads"]
        self.kv_heads = c.get("num_key_value_heads", self.heads)
        self.head_dim = c.get("head_dim") or d // self.heads
        self.q_proj = nn.Linear(d, self.heads * self.head_dim, bias=False)
        self.k_proj = nn.Linear(d, self.kv_heads * self.head_dim, bias=False)
        self.v_proj = nn.Linear(d, self.kv_heads * self.head_dim, bias=False)
        self.o_proj = nn.Linear(self.heads * self.head_dim, d, bias=False)
        if qk_norm:
            self.q_norm = RMSNorm(self.head_dim, c["rms_norm_eps"])
            self.k_norm = RMSNorm(self.head_dim, c["rms_norm_eps"])
        self.qk_norm = qk_norm

    def forward(self, x, cos, sin, mask, cache=None):
        """`cache` (a dict, optional) holds this layer's rotated keys and values of earlier positions
        for incremental decoding; it is extended in place."""
        b, s, _ = x.shape
        q = self.q_proj(x).view(b, s, self.heads, self.head_dim)
        k = self.k_proj(x).view(b, s, self.kv_heads, self.head_dim)
        if self.qk_norm:
            q, k = self.q_norm(q), self.k_norm(k)
        q, k = q.transpose(1, 2), k.transpose(1, 2)
        v = self.v_proj(x).view(b, s, self.kv_heads, self.head_dim).transpose(1, 2)
        cos, sin = cos.unsqueeze(1), sin.unsqueeze(1)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        if cache is not None:
            if "k" in cache:
                k = torch.cat([cache["k"], k], dim=2)
                v = torch.cat([cache["v"], v], dim=2)
            cache["k"], cache["v"] = k, v
        groups = self.heads // self.kv_heads
        k = k.repeat_interleave(groups, dim=1)
        v = v.repeat_interleave(groups, dim=1)
        w = torch.matmul(q, k.transpose(2, 3)) * self.head_dim**-0.5 + mask
        w = F.softmax(w, dim=-1, dtype=torch.float32).to(q.dtype)
        out = torch.matmul(w, v).transpose(1, 2).reshape(b, s, -1)
        return self.o_proj(out)


class MLP(nn.Module):
    def __init__(self, c):
        super().__init__()
        d, i = c["hidden_size"], c["intermediate_size"]
        self.gate_proj = nn.Linear(d, i, bias=False)
        self.up_proj = nn.Linear(d, i, bias=False)
        self.down_proj = nn.Linear(i, d, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class DecoderLayer(nn.Module):
    def __init__(self, c, qk_norm):
        super().__init__()
        self.self_attn = Attention(c, qk_norm)
        self.mlp = MLP(c)
        self.input_layernorm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])
        self.post_attention_layernorm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])

    def forward(self, x, cos, sin, mask, cache=None):
        x = x + self.self_attn(self.input_layernorm(x), cos, sin, mask, cache)
        return x + self.mlp(self.post_attention_layernorm(x))


class DecoderModel(nn.Module):
    def __init__(self, c, qk_norm):
        super().__init__()
        self.config = c
        self.embed_tokens = nn.Embedding(c["vocab_size"], c["hidden_size"])
        self.layers = nn.ModuleList(DecoderLayer(c, qk_norm) for _ in range(c["num_hidden_layers"]))
        self.norm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])

    def forward(self, inputs_embeds, attention_mask=None, caches=None):
        """Returns the final-norm hidden states. `attention_mask` [B, S] (1 = real token) adds
        key padding on top of the causal mask (right padding only, so positions stay 0..S-1).
        `caches` (one dict per layer) enables incremental decoding: the new positions continue
        after the cached ones."""
        b, s, _ = inputs_embeds.shape
        past = caches[0]["k"].shape[2] if caches and "k" in caches[0] else 0
        device = inputs_embeds.device
        positions = torch.arange(past, past + s, device=device).unsqueeze(0).expand(b, s)
        head_dim = self.layers[0].self_attn.head_dim
        cos, sin = rope(positions, head_dim, self.config.get("rope_theta", 10000.0))
        neg = torch.finfo(inputs_embeds.dtype).min
        mask = torch.cat([torch.zeros(s, past, device=device), torch.full((s, s), neg, device=device).triu(1)],
                         dim=1)[None, None].expand(b, 1, s, past + s)
        if attention_mask is not None:
            mask = mask.masked_fill(attention_mask[:, None, None, :] == 0, neg)
        x = inputs_embeds
        for i, layer in enumerate(self.layers):
            x = layer(x, cos, sin, mask, caches[i] if caches else None)
        return self.norm(x)


class CausalLM(nn.Module):
    def __init__(self, c, qk_norm):
        super().__init__()
        self.model = DecoderModel(c, qk_norm)
        self.lm_head = nn.Linear(c["hidden_size"], c["vocab_size"], bias=False)

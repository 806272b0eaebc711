"""Interventions the way hook-based tools apply them to a Hugging Face model: PyTorch forward
pre-hooks on the modules, installed for the duration of a `with` block. Each acts on the tensors HF
passes between modules (o_proj's input [B, S, heads·head_dim]; the attention module's additive
mask [B, 1, S_query, S_key]), so the model code itself is untouched."""
from contextlib import contextmanager

import torch


def decoder_layers(model):
    return model.language_model.model.layers


@contextmanager
def _installed(handles):
    try:
        yield
    finally:
        for handle in handles:
            handle.remove()


@contextmanager
def capture_o_proj_inputs(model):
    """Yields {layer: o_proj input [B, S, heads·head_dim]} filled by the forwards inside the block."""
    captured = {}

    def capture(layer):
        def hook(_module, args):
            captured[layer] = args[0].detach().clone()
        return hook

    handles = [layer.self_attn.o_proj.register_forward_pre_hook(capture(i)) for i, layer in enumerate(decoder_layers(model))]
    with _installed(handles):
        yield captured


@contextmanager
def patch_head(model, layer, head, positions, values):
    """Replaces `head`'s channels of o_proj's input in `layer` at `positions` by `values`
    [len(positions), head_dim] (broadcast over the batch): activation patching of one head."""
    attn = decoder_layers(model)[layer].self_attn
    channels = slice(head * attn.head_dim, (head + 1) * attn.head_dim)
    index = torch.tensor(positions)

    def hook(_module, args):
        x = args[0].clone()
        x[:, index, channels] = values
        return (x,) + args[1:]

    with _installed([attn.o_proj.register_forward_pre_hook(hook)]):
        yield


@contextmanager
def ablate_heads_per_row(model, row_heads):
    """Row b of the batch gets head row_heads[b] = (layer, head) zeroed in o_proj's input at every
    position (one head ablation per batch row, as a batched ablation sweep sends them)."""
    by_layer = {}
    for row, (layer, head) in enumerate(row_heads):
        by_layer.setdefault(layer, []).append((row, head))

    def hook_for(rows, head_dim):
        def hook(_module, args):
            x = args[0].clone()
            for row, head in rows:
                x[row, :, head * head_dim:(head + 1) * head_dim] = 0
            return (x,) + args[1:]
        return hook

    layers = decoder_layers(model)
    handles = [layers[l].self_attn.o_proj.register_forward_pre_hook(hook_for(rows, layers[l].self_attn.head_dim)) for l, rows in by_layer.items()]
    with _installed(handles):
        yield


@contextmanager
def attention_knockout(model, layers, key_positions, queries_from):
    """In `layers`, queries at absolute positions ≥ `queries_from` cannot attend `key_positions`:
    their additive mask entries are set to the dtype's minimum before the softmax (probabilities
    exactly 0). Works on prefill and on KV-cache decode steps, where the mask holds one query row
    at absolute position past + i (past = mask keys − new tokens)."""
    keys = torch.tensor(key_positions)

    def hook(_module, args):
        x, cos, sin, mask = args[:4]
        queries = x.shape[1]
        past = mask.shape[-1] - queries
        first = max(queries_from - past, 0)
        if first >= queries:
            return None
        mask = mask.clone()  # the model passes one expanded mask to every layer
        rows = mask[:, :, first:, :]
        rows[..., keys] = torch.finfo(mask.dtype).min
        return (x, cos, sin, mask) + args[4:]

    handles = [decoder_layers(model)[l].self_attn.register_forward_pre_hook(hook) for l in layers]
    with _installed(handles):
        yield

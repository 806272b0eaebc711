"""The forwards the benchmark times, on the demo-models LLaVA modules, as transformers runs them:
a full forward from ids + pixel values (vision tower, projector, merged embeddings, decoder), and
greedy generation with a KV cache (HF's past_key_values: per layer the rotated keys and values of
all earlier positions). Logits are computed at the last position only, as HF's generate does
(logits_to_keep=1) — the cheapest forward a careful hook-based user would run."""
import torch


def inputs_embeds(model, ids, pixel_values):
    """[B, S, hidden]: token embeddings with the image tokens replaced by the image features."""
    features = model.image_features(pixel_values).reshape(-1, model.text_hidden)
    return model.embed(ids, features)


def last_logits(model, embeds, caches=None):
    """Logits [B, vocab] of the last position; extends `caches` (one dict per layer) in place."""
    hidden = model.language_model.model(embeds, None, caches)
    return model.language_model.lm_head(hidden[:, -1])


def full_forward(model, ids, pixel_values):
    """What `model(input_ids=…, pixel_values=…)` computes, reduced to the last position's logits."""
    return last_logits(model, inputs_embeds(model, ids, pixel_values))


def new_caches(model):
    return [{} for _ in model.language_model.model.layers]


def greedy(model, embeds, new_tokens):
    """Greedy decoding of `new_tokens` tokens with a KV cache (the prompt runs once, then one
    position per step); returns token ids [B, new_tokens] and their log-probabilities."""
    caches = new_caches(model)
    logits = last_logits(model, embeds, caches)
    tokens, log_probs = [], []
    for step in range(new_tokens):
        log_softmax = torch.log_softmax(logits, dim=-1)
        next_ids = logits.argmax(dim=-1)
        tokens.append(next_ids)
        log_probs.append(log_softmax.gather(-1, next_ids[:, None])[:, 0])
        if step < new_tokens - 1:
            logits = last_logits(model, model.language_model.model.embed_tokens(next_ids[:, None]), caches)
    return torch.stack(tokens, dim=1), torch.stack(log_probs, dim=1)

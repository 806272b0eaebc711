"""The inputs of the benchmark, shaped like services/inference/bench/run-bench.ts: a LLaVA-1.5
prompt of BOS + 4 text tokens + the image tokens + the remaining text tokens, and deterministic
pixel values. Token ids are arbitrary text ids (random-weight models have no tokenizer); only the
shape matters for speed, and the parity check reads the ids back from what this script wrote."""
import torch

BOS_ID = 1
TEXT_BEFORE_IMAGE = 4
DEFAULT_TEXT_TOKENS = 30
# Image A (the run-bench.ts pixels) and image B, the source and base images of the CMA sweep.
PIXELS_A_FREQUENCY = 0.001
PIXELS_B_FREQUENCY = 0.0007
# Ids below this are left to special tokens; text ids are spread over [FIRST_TEXT_ID, image token).
FIRST_TEXT_ID = 100


class BenchPrompt:
    def __init__(self, ids, image_span):
        self.ids = ids  # [1, S] int64
        self.image_span = image_span  # (first image position, one past the last)

    @property
    def length(self):
        return self.ids.shape[1]

    def after_image(self):
        """Text positions after the image span (the queries CMA and knockout act on)."""
        return list(range(self.image_span[1], self.length))

    def image_block(self, grid_side, rows, cols):
        """Positions of a rows×cols block of image tokens at the grid's top-left corner (token k = row·W + col)."""
        return [self.image_span[0] + r * grid_side + c for r in range(rows) for c in range(cols)]


def image_grid_side(config):
    vision = config["vision_config"]
    return vision["image_size"] // vision["patch_size"]


def bench_prompt(config, text_tokens=DEFAULT_TEXT_TOKENS):
    image_token = config["image_token_index"]
    text_ids_end = min(image_token, config["text_config"]["vocab_size"])
    if text_tokens <= TEXT_BEFORE_IMAGE or text_ids_end <= FIRST_TEXT_ID:
        raise ValueError(f"text_tokens must exceed {TEXT_BEFORE_IMAGE} and the vocabulary must have ids ≥ {FIRST_TEXT_ID}")
    text = [FIRST_TEXT_ID + (i * 7919) % (text_ids_end - FIRST_TEXT_ID) for i in range(text_tokens)]
    image = [image_token] * image_grid_side(config) ** 2
    ids = [BOS_ID] + text[:TEXT_BEFORE_IMAGE] + image + text[TEXT_BEFORE_IMAGE:]
    start = 1 + TEXT_BEFORE_IMAGE
    return BenchPrompt(torch.tensor([ids]), (start, start + len(image)))


def bench_pixels(config, frequency):
    """[1, 3, S, S] float32: sin(i · frequency) over the flattened tensor (the TS bench uses 0.001)."""
    side = config["vision_config"]["image_size"]
    n = 3 * side * side
    return torch.sin(torch.arange(n, dtype=torch.float64) * frequency).float().reshape(1, 3, side, side)

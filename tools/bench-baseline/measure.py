"""The benchmark figures of issues 2 and 5, measured on the PyTorch eager baseline with forward
hooks. Every figure is the median of `repeats` timed runs after one untimed warm-up; each run also
records process CPU time (all threads), which is comparable across machine load unlike wall time."""
import os
import resource
import time
from dataclasses import dataclass

import torch

from hooks import ablate_heads_per_row, attention_knockout, capture_o_proj_inputs, patch_head
from prompt import PIXELS_A_FREQUENCY, PIXELS_B_FREQUENCY, bench_pixels, bench_prompt, image_grid_side
from runs import full_forward, greedy, inputs_embeds, last_logits, new_caches

VARIANT_COUNTS = (1, 8, 32)
# Issue 5's generation-with-knockout figure: 16 greedy tokens, after-image queries cut off from a
# 5×5 block of image tokens in 4 layers.
KNOCKOUT_LAYERS = 4
KNOCKOUT_BLOCK = 5
KNOCKOUT_NEW_TOKENS = 16


@dataclass
class Timing:
    wall_ms: float
    cpu_ms: float


def timed(repeats, run, prepare=lambda: None, warm_up=None):
    """Median-wall-time run of `run(prepare())` over `repeats`, after one untimed warm-up (`run`
    itself unless a cheaper `warm_up` is given); the `prepare` part (e.g. the prefill before timed
    decode steps) is never timed."""
    if warm_up is None:
        run(prepare())
    else:
        warm_up()
    times = []
    for _ in range(repeats):
        state = prepare()
        cpu, wall = time.process_time(), time.perf_counter()
        run(state)
        times.append(Timing((time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000))
    times.sort(key=lambda t: t.wall_ms)
    return times[len(times) // 2]


def blas_library():
    """The BLAS shared libraries loaded, where torch's matmuls go: Debian's torch links the generic
    libblas.so.3, which is the reference BLAS (~20× slower) unless OpenBLAS is installed."""
    with open("/proc/self/maps") as f:
        paths = {line.split()[-1] for line in f if "blas" in line.rsplit("/", 1)[-1]}
    return ", ".join(sorted(paths)) or "unknown"


def _r1(value):
    return round(value, 1)


def knockout_layers(config):
    """The first 4 decoder layers (all of them in a model with fewer)."""
    return list(range(min(KNOCKOUT_LAYERS, config["text_config"]["num_hidden_layers"])))


def knockout_keys(prompt, config):
    return prompt.image_block(image_grid_side(config), KNOCKOUT_BLOCK, KNOCKOUT_BLOCK)


def head_sweep(model, prompt, pixels_source, pixels_base):
    """CMA sweep of one example the hook way: a source forward capturing every layer's o_proj
    input, then per (layer, head) a full forward on the base image with that head's o_proj input
    replaced by the source's at every text position after the image. Returns the patched logits."""
    with capture_o_proj_inputs(model) as source:
        full_forward(model, prompt.ids, pixels_source)
    positions = prompt.after_image()
    logits = []
    for layer, attn in enumerate(module.self_attn for module in model.language_model.model.layers):
        for head in range(attn.heads):
            values = source[layer][0, positions, head * attn.head_dim:(head + 1) * attn.head_dim]
            with patch_head(model, layer, head, positions, values):
                logits.append(full_forward(model, prompt.ids, pixels_base))
    return logits


def run_bench(model, config, model_dir, options, log):
    prompt = bench_prompt(config, options.text_tokens)
    pixels_a, pixels_b = bench_pixels(config, PIXELS_A_FREQUENCY), bench_pixels(config, PIXELS_B_FREQUENCY)
    text = config["text_config"]
    layers, heads = text["num_hidden_layers"], text["num_attention_heads"]
    with torch.no_grad():
        image_encode = timed(options.repeats, lambda _: model.image_features(pixels_a))
        log(f"image encode: {image_encode.wall_ms:.1f} ms")
        embeds = inputs_embeds(model, prompt.ids, pixels_a)

        prefill = timed(options.repeats, lambda _: last_logits(model, embeds, new_caches(model)))
        log(f"prefill ({prompt.length} tokens, KV cache out): {prefill.wall_ms:.1f} ms")

        def prefilled():
            caches = new_caches(model)
            return caches, last_logits(model, embeds, caches).argmax(-1)

        def decode(state):
            caches, token = state
            for _ in range(options.decode_tokens):
                token = last_logits(model, model.language_model.model.embed_tokens(token[:, None]), caches).argmax(-1)

        decode_t = timed(options.repeats, decode, prefilled)
        decode_rate = options.decode_tokens * 1000 / decode_t.wall_ms
        log(f"decode with KV cache: {decode_rate:.1f} tokens/s")

        variants, variants_cpu = {}, {}
        for count in VARIANT_COUNTS:
            rows = [(i % layers, (i // layers) % heads) for i in range(count)]
            batch = embeds.expand(count, -1, -1)

            def forward_variants(_):
                with ablate_heads_per_row(model, rows):
                    last_logits(model, batch)

            # Eager PyTorch compiles nothing: a batch-1 forward warms it up as well as a 32-row one would.
            t = timed(options.repeats, forward_variants, warm_up=lambda: last_logits(model, embeds))
            variants[str(count)], variants_cpu[str(count)] = t.wall_ms, t.cpu_ms
            log(f"{count} variants (one head ablated per row) in one forward: {t.wall_ms:.1f} ms, {t.wall_ms / count:.1f} ms per variant")

        keys = knockout_keys(prompt, config)

        def generate_knockout(_):
            with attention_knockout(model, knockout_layers(config), keys, prompt.image_span[1]):
                greedy(model, embeds, KNOCKOUT_NEW_TOKENS)

        knockout = timed(options.repeats, generate_knockout)
        knockout_rate = KNOCKOUT_NEW_TOKENS * 1000 / knockout.wall_ms
        log(f"generate {KNOCKOUT_NEW_TOKENS} tokens with knockout (prefill included): {knockout_rate:.2f} tokens/s")

        # Warm-up: one forward (the sweep's unit of work), not a whole sweep of them.
        sweep = timed(options.sweep_repeats, lambda _: head_sweep(model, prompt, pixels_a, pixels_b),
                      warm_up=lambda: full_forward(model, prompt.ids, pixels_b))
        sweep_rate = layers * heads * 1000 / sweep.wall_ms
        log(f"CMA head sweep: {layers * heads} patched forwards + 1 source forward in {sweep.wall_ms / 1000:.1f} s: {sweep_rate:.2f} forwards/s")

    return {
        "baseline": "pytorch-eager-forward-hooks",
        "model": os.path.abspath(model_dir),
        "seq_len": prompt.length,
        "image_tokens": prompt.image_span[1] - prompt.image_span[0],
        "prefill_ms": _r1(prefill.wall_ms),
        "decode_tokens_per_s": _r1(decode_rate),
        "variants_ms": {k: _r1(v) for k, v in variants.items()},
        "variants_ms_per_variant": {k: _r1(v / int(k)) for k, v in variants.items()},
        "head_sweep_forwards_per_s": round(sweep_rate, 3),
        "head_sweep_s": _r1(sweep.wall_ms / 1000),
        "generate_knockout_tokens_per_s": round(knockout_rate, 3),
        "image_encode_ms": _r1(image_encode.wall_ms),
        "cpu_ms": {
            "prefill": _r1(prefill.cpu_ms),
            "decode_per_token": _r1(decode_t.cpu_ms / options.decode_tokens),
            "variants": {k: _r1(v) for k, v in variants_cpu.items()},
            "head_sweep": _r1(sweep.cpu_ms),
            "generate_knockout": _r1(knockout.cpu_ms),
        },
        "peak_rss_mb": _r1(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "threads": torch.get_num_threads(),
        "blas": blas_library(),
        "torch_version": torch.__version__,
        "cpu_count": os.cpu_count(),
        "load_avg_1m": round(os.getloadavg()[0], 1),
    }

"""Trains one demo model on a scene split and exports it in the Hugging Face layout.

    /usr/bin/python3 tools/demo-models/train.py --family llava --data .cache/scenes-train \
        --steps 1500 --out models/demo-llava
Seeded (torch, python random); one CPU thread so two trainings can share two cores.
"""
import argparse
import math
import os
import random
import time

import torch
import torch.nn.functional as F

from families import FAMILIES, IGNORE, export
from scenes_data import SceneSplit
from tasks import qa_pairs
from aux_targets import AuxHeads, token_targets
from tokenizer import VOCAB
from vlm import build


AUX_BOX_WEIGHT = 5.0  # L1 of [0, 1] box coordinates is small next to a cross-entropy


def init_weights(model, std=0.02):
    """HF-style init: normal(0, 0.02) weights, zero biases, unit norms, layer scale kept."""
    for name, p in model.named_parameters():
        if name.endswith("lambda_1") or name.endswith("lambda_2"):
            continue
        if p.dim() >= 2 or "embedding" in name or "cls_token" in name:
            torch.nn.init.normal_(p, std=std)
        elif name.endswith("bias"):
            torch.nn.init.zeros_(p)
        else:
            torch.nn.init.ones_(p)


def box_values(family, width, height):
    """The family's answer box as 4 floats in [0, 1] (LLaVA: padded square; InternVL: image)."""
    if family.family == "llava":
        side = max(width, height)
        dx, dy = (0, (width - height) // 2) if width > height else ((height - width) // 2, 0)
        return lambda name, b: [(b[0] + dx) / side, (b[1] + dy) / side, (b[0] + b[2] + dx) / side, (b[1] + b[3] + dy) / side]
    return lambda name, b: [b[0] / width, b[1] / height, (b[0] + b[2]) / width, (b[1] + b[3]) / height]


def make_batch(family, split, indices, rng):
    pixels, seqs, labels_aux, boxes_aux = [], [], [], []
    for i in indices:
        image = split.image(i)
        px, box_answer = family.pixels(image)
        objects = [(n, b) for n, b, _ in split.annotations(i)]
        pairs = qa_pairs(objects, rng, box_answer)
        seqs.append(family.sequence(pairs, views=px.shape[0]))
        pixels.append(px)
        lab, box = token_targets(family, image.size[0], image.size[1], [(n, a) for n, _, a in split.annotations(i)],
                                 box_values(family, *image.size))
        labels_aux.append(lab)
        boxes_aux.append(box)
    length = max(len(ids) for ids, _ in seqs)
    ids = torch.full((len(seqs), length), VOCAB["<pad>"], dtype=torch.long)
    labels = torch.full((len(seqs), length), IGNORE, dtype=torch.long)
    mask = torch.zeros((len(seqs), length), dtype=torch.long)
    for b, (s, l) in enumerate(seqs):
        ids[b, : len(s)] = torch.tensor(s)
        labels[b, : len(l)] = torch.tensor(l)
        mask[b, : len(s)] = 1
    return ids, labels, mask, torch.cat(pixels), torch.cat(labels_aux), torch.cat(boxes_aux)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--family", choices=sorted(FAMILIES), required=True)
    ap.add_argument("--data", required=True, help="train split written by `locscope scenes`")
    ap.add_argument("--out", required=True)
    ap.add_argument("--steps", type=int, default=1500, help="total optimizer steps (upper bound with --minutes)")
    ap.add_argument("--minutes", type=float, default=None,
                    help="wall-clock budget: after warmup, --steps is lowered to what fits (logged, so that "
                         "`--steps N` without --minutes reproduces the run)")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--warmup", type=int, default=60)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--text-hidden", type=int, default=192)
    ap.add_argument("--vision-hidden", type=int, default=128)
    ap.add_argument("--text-layers", type=int, default=8)
    ap.add_argument("--checkpoint-every", type=int, default=100)
    ap.add_argument("--dtype", choices=["float32", "float16"], default="float32")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--aux-weight", type=float, default=1.0, help="weight of the dense visual-token supervision (aux_targets.py)")
    ap.add_argument("--ckpt", default=None, help="resumable training state (default: OUT.ckpt)")
    ap.add_argument("--stop-after", type=int, default=None,
                    help="checkpoint and stop after this step without changing the schedule (a later run with a "
                         "larger --steps resumes from there: a warm restart of the cosine)")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    family = FAMILIES[args.family](vision_hidden=args.vision_hidden, text_hidden=args.text_hidden, text_layers=args.text_layers)
    model = build(family.config)
    init_weights(model)
    split = SceneSplit(args.data)
    aux = AuxHeads(family.config["text_config"]["hidden_size"])
    params = list(model.named_parameters()) + list(aux.named_parameters())
    decay = [p for n, p in params if p.dim() >= 2]
    no_decay = [p for n, p in params if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=args.lr, betas=(0.9, 0.98))
    ckpt = args.ckpt or args.out.rstrip("/") + ".ckpt"
    start = 0
    if os.path.exists(ckpt):
        state = torch.load(ckpt)
        model.load_state_dict(state["model"])
        aux.load_state_dict(state["aux"])
        opt.load_state_dict(state["opt"])
        rng.setstate(state["rng"])
        torch.set_rng_state(state["torch_rng"])
        start = state["step"]
        print(f"resumed at step {start}", flush=True)
    count = sum(p.numel() for p in model.parameters())
    print(f"{family.name}: {count / 1e6:.2f}M parameters, {len(split)} train images", flush=True)

    order = []
    t0 = time.time()
    smooth = None
    step = start
    while step < args.steps:
        if len(order) < args.batch:
            order += rng.sample(range(len(split)), len(split))
        indices, order = order[: args.batch], order[args.batch:]
        if args.minutes is not None and step == args.warmup // 2 and step > start:
            rate = (time.time() - t0) / (step - start)
            fits = args.warmup + int((args.minutes * 60 - (time.time() - t0)) / rate)
            args.steps = max(args.warmup + 1, min(args.steps, fits))
            print(f"time budget {args.minutes} min at {rate:.2f}s/step: total steps = {args.steps}", flush=True)
        # Linear warmup, then cosine to 10 % over the remaining steps (the total only matters after
        # warmup, so a time-budgeted run and `--steps N` follow the same schedule).
        progress = max(0.0, (step - args.warmup) / max(1, args.steps - args.warmup))
        lr = args.lr * min(1.0, (step + 1) / args.warmup) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))
        for g in opt.param_groups:
            g["lr"] = lr
        ids, labels, mask, pixels, token_labels, token_boxes = make_batch(family, split, indices, rng)
        features = model.image_features(pixels).reshape(-1, model.text_hidden)
        logits = model.logits(model.embed(ids, features), mask)
        lm_loss = F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), labels[:, 1:].reshape(-1), ignore_index=IGNORE)
        aux_ce, aux_l1 = aux.loss(features, token_labels, token_boxes)
        loss = lm_loss + args.aux_weight * (aux_ce + AUX_BOX_WEIGHT * aux_l1)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_([p for _, p in params], 1.0)
        opt.step()
        smooth = loss.item() if smooth is None else 0.95 * smooth + 0.05 * loss.item()
        if (step + 1) % 10 == 0:
            rate = (time.time() - t0) / (step + 1 - start)
            print(f"step {step + 1}/{args.steps} loss {loss.item():.4f} smooth {smooth:.4f} lm {lm_loss.item():.4f} "
                  f"aux_ce {aux_ce.item():.3f} aux_l1 {aux_l1.item():.3f} lr {lr:.2e} "
                  f"{rate:.2f}s/step eta {rate * (args.steps - step - 1) / 60:.1f}min", flush=True)
        last = step + 1 == args.steps or step + 1 == args.stop_after
        if (step + 1) % args.checkpoint_every == 0 or last:
            torch.save({"model": model.state_dict(), "aux": aux.state_dict(), "opt": opt.state_dict(), "rng": rng.getstate(),
                        "torch_rng": torch.get_rng_state(), "step": step + 1}, ckpt + ".tmp")
            os.replace(ckpt + ".tmp", ckpt)
            export(family, model, args.out, args.dtype)
        step += 1
        if last:
            break
    print(f"done in {(time.time() - t0) / 60:.1f} min", flush=True)


if __name__ == "__main__":
    main()

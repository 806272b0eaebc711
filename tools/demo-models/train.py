"""Trains one demo model on a scene split and exports it in the Hugging Face layout.

    python3 tools/demo-models/train.py --family llava --data .cache/scenes-train --device cuda \
        --steps 1500 --out models/demo-llava
Seeded (torch, python random); CPU (`--threads`) or CUDA. The shipped weights' phases are in README.md.
"""
import argparse
import math
import os
import random
import time

import torch
import torch.nn.functional as F

from families import FAMILIES, IGNORE, export
import safetensors_io
from scenes_data import SceneSplit
from tasks import qa_pairs
from augment import CroppedScenes
from aux_targets import AuxHeads, image_tensors
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


class ImageCache:
    """Pixel values and dense token targets per training image, computed once and kept on the
    training device (the images never change; on a GPU this removes all per-step preprocessing)."""

    def __init__(self, family, split, device):
        self.family, self.split, self.device = family, split, device
        self.entries = {}

    def fill(self):
        for index in range(len(self.split)):
            self[index]

    def __getitem__(self, index):
        if index not in self.entries:
            tensors = image_tensors(self.family, self.split.image(index), self.split.annotations(index))
            self.entries[index] = tuple(t.to(self.device) for t in tensors)
        return self.entries[index]


def make_batch(family, samples, rng, device):
    """samples = [(pixels, token labels, token boxes, [(name, bbox)], (width, height))]."""
    pixels, seqs, labels_aux, boxes_aux = [], [], [], []
    for px, lab, box, objects, size in samples:
        pairs = qa_pairs(objects, rng, family.box_answer(*size))
        seqs.append(family.sequence(pairs, views=px.shape[0]))
        pixels.append(px.to(device))
        labels_aux.append(lab.to(device))
        boxes_aux.append(box.to(device))
    length = max(len(ids) for ids, _ in seqs)
    ids = torch.full((len(seqs), length), VOCAB["<pad>"], dtype=torch.long)
    labels = torch.full((len(seqs), length), IGNORE, dtype=torch.long)
    mask = torch.zeros((len(seqs), length), dtype=torch.long)
    for b, (s, l) in enumerate(seqs):
        ids[b, : len(s)] = torch.tensor(s)
        labels[b, : len(l)] = torch.tensor(l)
        mask[b, : len(s)] = 1
    return (ids.to(device), labels.to(device), mask.to(device), torch.cat(pixels), torch.cat(labels_aux),
            torch.cat(boxes_aux))


def epoch_batches(count, batch, rng):
    """Index batches over `count` items, epoch after epoch, each epoch in a fresh seeded order."""
    order = []
    while True:
        if len(order) < batch:
            order += rng.sample(range(count), count)
        indices, order = order[:batch], order[batch:]
        yield indices


def cached_batches(split, cache, batch, rng):
    """Batches of whole training images from the cache, epoch by epoch in a seeded order."""
    for indices in epoch_batches(len(split), batch, rng):
        yield [cache[i] + ([(n, b) for n, b, _ in split.annotations(i)], split.size(i)) for i in indices]


def cropped_batches(family, split, batch, seed, workers):
    """Batches of object-preserving random crops (augment.py), prepared by `workers` processes."""
    order_rng = random.Random(seed + 1)
    keys = ([(i, order_rng.getrandbits(32)) for i in indices] for indices in epoch_batches(len(split), batch, order_rng))
    loader = torch.utils.data.DataLoader(CroppedScenes(family, split), batch_sampler=keys,
                                         num_workers=workers, collate_fn=list, persistent_workers=workers > 0)
    return iter(loader)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--family", choices=sorted(FAMILIES), required=True)
    ap.add_argument("--data", required=True, help="train split written by `locscope scenes`")
    ap.add_argument("--images", default=None, metavar="START:END",
                    help="train on images START..END-1 of the split only (the shipped runs used subsets)")
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
    ap.add_argument("--device", default="cpu", help="torch device (cuda: the images are cached on it)")
    ap.add_argument("--init", default=None,
                    help="exported model folder to start from (weights only; fresh optimizer and aux heads)")
    ap.add_argument("--augment", action="store_true",
                    help="train on object-preserving random crops (augment.py) instead of the cached whole images")
    ap.add_argument("--workers", type=int, default=2, help="data-loading processes with --augment")
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
    if args.init:
        model.load_state_dict(safetensors_io.load(os.path.join(args.init, "model.safetensors")))
    split = SceneSplit(args.data)
    if args.images:
        split.select(*(int(v) for v in args.images.split(":")))
    aux = AuxHeads(family.config["text_config"]["hidden_size"])
    model.to(args.device)
    aux.to(args.device)
    params = list(model.named_parameters()) + list(aux.named_parameters())
    decay = [p for n, p in params if p.dim() >= 2]
    no_decay = [p for n, p in params if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=args.lr, betas=(0.9, 0.98))
    ckpt = args.ckpt or args.out.rstrip("/") + ".ckpt"
    start = 0
    if os.path.exists(ckpt):
        state = torch.load(ckpt, map_location=args.device, weights_only=False)
        model.load_state_dict(state["model"])
        aux.load_state_dict(state["aux"])
        opt.load_state_dict(state["opt"])
        rng.setstate(state["rng"])
        torch.set_rng_state(state["torch_rng"].cpu())
        start = state["step"]
        print(f"resumed at step {start}", flush=True)
    count = sum(p.numel() for p in model.parameters())
    print(f"{family.name}: {count / 1e6:.2f}M parameters, {len(split)} train images", flush=True)

    if args.augment:
        batches = cropped_batches(family, split, args.batch, args.seed, args.workers)
    else:
        cache = ImageCache(family, split, args.device)
        if args.device != "cpu":
            t = time.time()
            cache.fill()
            print(f"cached {len(split)} images on {args.device} in {time.time() - t:.0f}s", flush=True)
        batches = cached_batches(split, cache, args.batch, rng)
    t0 = time.time()
    smooth = None
    step = start
    while step < args.steps:
        samples = next(batches)
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
        ids, labels, mask, pixels, token_labels, token_boxes = make_batch(family, samples, rng, args.device)
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

"""Monitoring metrics of a trained demo model in Python (the acceptance check is `locscope
demo-check`, through the locscope runtime; the definitions here are the same):
localization = mean success at IoU 0.5/0.7/0.9 (single-turn prompt, greedy); classification =
share of objects whose class the list answer names; object/random ablation drop = relative
localization drop when the object's visual tokens (any object pixel in the token cell, every view)
or as many random visual tokens are replaced by the mean visual embedding.

    /usr/bin/python3 tools/demo-models/evaluate.py --model models/demo-llava --data data/scenes/eval --samples 150
"""
import argparse
import json
import os
import random
import re

import numpy as np
import torch
from PIL import Image, ImageDraw

import safetensors_io
from families import FAMILIES, pixel_values
from preprocess import llava_geometry
from scenes_data import SceneSplit
from tasks import BINARY, CLASSIFICATION, LOCALIZATION
from tokenizer import CATEGORIES, decode
from vlm import build

THRESHOLDS = (0.5, 0.7, 0.9)
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def load(folder):
    config = json.load(open(os.path.join(folder, "config.json")))
    model = build(config)
    model.load_state_dict({k: v.float() for k, v in safetensors_io.load(os.path.join(folder, "model.safetensors")).items()})
    model.eval()
    family = FAMILIES["llava" if config["model_type"] == "llava" else "internvl"]
    fam = family(vision_hidden=config["vision_config"]["hidden_size"], text_hidden=config["text_config"]["hidden_size"],
                 text_layers=config["text_config"]["num_hidden_layers"])
    return model, fam


@torch.no_grad()
def generate(model, family, features, question, views, max_new=40):
    """Greedy decoding with a KV cache; `features` [views·tokens, D] replace the image tokens."""
    ids = torch.tensor([family.prompt_ids(question, views)])
    caches = [{} for _ in model.language_model.model.layers]
    logits = model.logits(model.embed(ids, features), caches=caches)
    out = []
    for _ in range(max_new):
        token = int(logits[0, -1].argmax())
        if token == family.eos_id:
            break
        out.append(token)
        logits = model.logits(model.language_model.model.embed_tokens(torch.tensor([[token]])), caches=caches)
    return decode(out)


def parse_box(answer, family_name, image_size, offset, side):
    """Predicted box in original-image pixels, or None."""
    numbers = [float(n) for n in NUMBER.findall(answer)]
    if len(numbers) < 4:
        return None
    x1, y1, x2, y2 = numbers[:4]
    if family_name == "llava":
        dx, dy = offset
        return (x1 * side - dx, y1 * side - dy, x2 * side - dx, y2 * side - dy)
    w, h = image_size
    return (x1 / 1000 * w, y1 / 1000 * h, x2 / 1000 * w, y2 / 1000 * h)


def iou(a, b):
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def object_mask(annotation, width, height):
    mask = Image.new("L", (width, height), 0)
    for polygon in annotation["segmentation"]:
        ImageDraw.Draw(mask).polygon(list(zip(polygon[0::2], polygon[1::2])), fill=1)
    return np.asarray(mask, dtype=bool)


def object_tokens(family, mask, width, height, offset, side, grid):
    """Indices of the visual tokens whose cell holds at least one object pixel (pixel centres mapped
    through the family's geometry), over all views."""
    ys, xs = np.nonzero(mask)
    cx, cy = xs + 0.5, ys + 0.5
    if family.family == "llava":
        n = family.image_size // family.patch
        col = np.clip(((cx + offset[0]) / side * n).astype(int), 0, n - 1)
        row = np.clip(((cy + offset[1]) / side * n).astype(int), 0, n - 1)
        return sorted(set((row * n + col).tolist()))
    cols, rows = grid
    n = int(family.tokens_per_view ** 0.5)
    selected = set()
    u, v = cx / width * cols, cy / height * rows  # in tile units on the resized canvas
    tile = np.clip(v.astype(int), 0, rows - 1) * cols + np.clip(u.astype(int), 0, cols - 1)
    tr = np.clip(((v - np.floor(v)) * n).astype(int), 0, n - 1)
    tc = np.clip(((u - np.floor(u)) * n).astype(int), 0, n - 1)
    selected |= set((tile * family.tokens_per_view + tr * n + tc).tolist())
    if cols * rows > 1:  # thumbnail view
        base = cols * rows * family.tokens_per_view
        r = np.clip((cy / height * n).astype(int), 0, n - 1)
        c = np.clip((cx / width * n).astype(int), 0, n - 1)
        selected |= set((base + r * n + c).tolist())
    return sorted(selected)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--samples", type=int, default=150, help="object annotations evaluated (first N)")
    ap.add_argument("--mean-images", type=int, default=50)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-ablation", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(1)
    model, family = load(args.model)
    split = SceneSplit(args.data)
    rng = random.Random(args.seed)

    with torch.no_grad():
        mean = torch.cat([model.image_features(pixel_values(family, family.views(split.image(i)))).reshape(-1, model.text_hidden)
                          for i in range(min(args.mean_images, len(split)))]).mean(0)

    hits = {"base": [], "object": [], "random": []}
    cls_correct, cls_total, yes_no = 0, 0, []
    for index in range(len(split)):
        if cls_total >= args.samples:
            break
        image = split.image(index)
        w, h = image.size
        pixels = pixel_values(family, family.views(image))
        views = pixels.shape[0]
        offset, side, grid = (0, 0), max(w, h), None
        if family.family == "llava":
            offset, side = llava_geometry(w, h)
        else:
            from preprocess import closest_aspect_ratio, target_ratios
            grid = closest_aspect_ratio(w, h, target_ratios(family.min_tiles, family.max_tiles), family.tile)
        with torch.no_grad():
            features = model.image_features(pixels).reshape(-1, model.text_hidden)
        listing = generate(model, family, features, CLASSIFICATION.format(categories=", ".join(CATEGORIES)), views)
        for name, bbox, ann in split.annotations(index):
            cls_total += 1
            cls_correct += bool(re.search(rf"(?<![A-Za-z]){name}s?(?![A-Za-z])", listing, re.I))
            absent = rng.choice([c for c in CATEGORIES if c not in {n for n, _, _ in split.annotations(index)}])
            yes_no.append(generate(model, family, features, BINARY.format(object=name), views).strip().lower().startswith("yes"))
            yes_no.append(generate(model, family, features, BINARY.format(object=absent), views).strip().lower().startswith("no"))
            gt = (bbox[0], bbox[1], bbox[0] + bbox[2], bbox[1] + bbox[3])
            tokens = object_tokens(family, object_mask(ann, w, h), w, h, offset, side, grid)
            variants = {"base": features}
            if not args.no_ablation:
                ablated = features.clone()
                ablated[tokens] = mean
                variants["object"] = ablated
                shuffled = features.clone()
                shuffled[rng.sample(range(features.shape[0]), len(tokens))] = mean
                variants["random"] = shuffled
            for key, feats in variants.items():
                answer = generate(model, family, feats, LOCALIZATION.format(object=name), views)
                box = parse_box(answer, family.family, (w, h), offset, side)
                score = iou(box, gt) if box else 0.0
                hits[key].append([score > t for t in THRESHOLDS])
    loc = {k: float(np.mean(v)) if v else None for k, v in hits.items()}
    result = {
        "localization": loc["base"],
        "classification": cls_correct / max(1, cls_total),
        "binary_accuracy": float(np.mean(yes_no)),
        "samples": cls_total,
    }
    if not args.no_ablation:
        result["object_ablation_drop"] = 1 - loc["object"] / loc["base"] if loc["base"] else None
        result["random_ablation_drop"] = 1 - loc["random"] / loc["base"] if loc["base"] else None
    print(json.dumps(result))


if __name__ == "__main__":
    main()

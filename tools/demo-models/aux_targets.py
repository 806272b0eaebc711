"""Training-only dense supervision of the visual tokens (never exported): for every visual token,
the category of the object covering most of its cell (or background) and that object's box in
the family's answer coordinates. Two small heads on the projector output learn them; this makes the
tokens carry "what and where" early, so the decoder can learn to read boxes off the object's tokens
within a CPU-sized training budget."""
import numpy as np
import torch
from PIL import Image, ImageDraw

from families import pixel_values
from preprocess import closest_aspect_ratio, llava_geometry, target_ratios
from tasks import image_fractions, llava_fractions
from tokenizer import CATEGORIES

SUPERSAMPLE = 8  # raster pixels per token side for the coverage estimate


def _coverage(polygon_xy, side_tokens, to_view):
    """Fraction of each token cell covered by the polygon, [n, n]; `to_view` maps image pixels to
    view coordinates in token units."""
    n = side_tokens * SUPERSAMPLE
    canvas = Image.new("L", (n, n), 0)
    points = [tuple(c * SUPERSAMPLE for c in to_view(x, y)) for x, y in polygon_xy]
    ImageDraw.Draw(canvas).polygon(points, fill=1)
    a = np.asarray(canvas, dtype=np.float32).reshape(side_tokens, SUPERSAMPLE, side_tokens, SUPERSAMPLE)
    return a.mean(axis=(1, 3))


def _views(family, width, height):
    """[(tokens per side, image pixel → view token units)] in the model's view order."""
    if family.family == "llava":
        n = family.image_size // family.patch
        (dx, dy), side = llava_geometry(width, height)
        return [(n, lambda x, y: ((x + dx) / side * n, (y + dy) / side * n))]
    n = int(family.tokens_per_view ** 0.5)
    cols, rows = closest_aspect_ratio(width, height, target_ratios(family.min_tiles, family.max_tiles), family.tile)
    views = [(n, (lambda r, c: lambda x, y: (x / width * cols * n - c * n, y / height * rows * n - r * n))(r, c))
             for r in range(rows) for c in range(cols)]
    if rows * cols > 1:
        views.append((n, lambda x, y: (x / width * n, y / height * n)))
    return views


def box_fractions(family, width, height):
    """bbox → the family's answer box as 4 floats (LLaVA: padded square; InternVL: image)."""
    if family.family == "llava":
        offset, side = llava_geometry(width, height)
        return lambda bbox: llava_fractions(bbox, offset, side)
    return lambda bbox: image_fractions(bbox, width, height)


def token_targets(family, width, height, objects):
    """(labels [tokens] long: 0 = background, 1 + category index; boxes [tokens, 4] in the family's
    answer coordinates; objects = [(name, annotation)])."""
    fractions = box_fractions(family, width, height)
    labels, boxes = [], []
    for n, to_view in _views(family, width, height):
        best = np.zeros((n, n), dtype=np.float32)
        label = np.zeros((n, n), dtype=np.int64)
        box = np.zeros((n, n, 4), dtype=np.float32)
        for name, ann in objects:
            seg = ann["segmentation"][0]
            cover = _coverage(list(zip(seg[0::2], seg[1::2])), n, to_view)
            take = cover > best
            best = np.where(take, cover, best)
            label[take] = 1 + CATEGORIES.index(name)
            box[take] = fractions(ann["bbox"])
        labels.append(label.reshape(-1))
        boxes.append(box.reshape(-1, 4))
    return torch.from_numpy(np.concatenate(labels)), torch.from_numpy(np.concatenate(boxes))


def image_tensors(family, image, objects):
    """(pixel values, token labels, token boxes) of one training image; objects = [(name, bbox, annotation)]."""
    labels, boxes = token_targets(family, image.size[0], image.size[1], [(n, a) for n, _, a in objects])
    return pixel_values(family, family.views(image)), labels, boxes


class AuxHeads(torch.nn.Module):
    def __init__(self, hidden):
        super().__init__()
        self.category = torch.nn.Linear(hidden, 1 + len(CATEGORIES))
        self.box = torch.nn.Linear(hidden, 4)

    def loss(self, features, labels, boxes):
        """features [tokens, hidden] (projector output), labels [tokens], boxes [tokens, 4]."""
        ce = torch.nn.functional.cross_entropy(self.category(features), labels)
        on_object = labels > 0
        l1 = torch.nn.functional.l1_loss(torch.sigmoid(self.box(features[on_object])), boxes[on_object]) if on_object.any() else features.sum() * 0
        return ce, l1

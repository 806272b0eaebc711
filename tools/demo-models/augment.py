"""Training-time augmentation that stays inside the scene distribution: a random crop that keeps
every object whole. Objects get new positions, the image a new size and aspect ratio, and all
annotations move with the crop, so each epoch shows new box targets for the same pixels' content
(a small training set is otherwise memorized within a few GPU-minutes)."""
import random

import torch

from aux_targets import image_tensors

MIN_SIDE = 160  # the generator's smallest short side (packages/scenes DEFAULT_SCENE_OPTIONS)
MAX_ASPECT = 2.2  # and its largest long/short ratio
MIN_KEEP = 0.55  # crops keep at least this fraction of each side


def _span(lo_object, hi_object, size, rng):
    """(start, length) of a crop along one axis that contains [lo_object, hi_object)."""
    shortest = min(size, max(hi_object - lo_object, MIN_SIDE, MIN_KEEP * size))
    length = rng.uniform(shortest, size)
    start = rng.uniform(max(0.0, hi_object - length), min(lo_object, size - length))
    return int(start), min(size - int(start), int(round(length)))


def crop_keeping_objects(image, objects, rng):
    """(cropped PIL image, objects shifted into it); `objects` = [(name, COCO bbox, annotation)].
    Falls back to the original when the crop would leave the generator's aspect range."""
    width, height = image.size
    x0 = min(b[0] for _, b, _ in objects)
    y0 = min(b[1] for _, b, _ in objects)
    x1 = max(b[0] + b[2] for _, b, _ in objects)
    y1 = max(b[1] + b[3] for _, b, _ in objects)
    left, w = _span(x0, x1, width, rng)
    top, h = _span(y0, y1, height, rng)
    w = max(w, int(x1 + 1) - left) if left + w < x1 else w
    h = max(h, int(y1 + 1) - top) if top + h < y1 else h
    if max(w, h) / min(w, h) > MAX_ASPECT or left + w > width or top + h > height:
        return image, objects
    moved = []
    for name, (bx, by, bw, bh), ann in objects:
        bbox = [bx - left, by - top, bw, bh]
        segmentation = [[c - (left if k % 2 == 0 else top) for k, c in enumerate(poly)] for poly in ann["segmentation"]]
        moved.append((name, bbox, dict(ann, bbox=bbox, segmentation=segmentation)))
    return image.crop((left, top, left + w, top + h)), moved


class CroppedScenes(torch.utils.data.Dataset):
    """Keys are (image index, crop seed); items are what a training sample needs, computed in
    DataLoader workers: (pixel values, token labels, token boxes, [(name, bbox)], (width, height))."""

    def __init__(self, family, split):
        self.family, self.split = family, split

    def __len__(self):
        return len(self.split)

    def __getitem__(self, key):
        index, seed = key
        image, objects = crop_keeping_objects(self.split.image(index), self.split.annotations(index), random.Random(seed))
        return image_tensors(self.family, image, objects) + ([(n, b) for n, b, _ in objects], image.size)

#!/usr/bin/python3
"""Offline generator of pil-reference.json: what Pillow (the library the Hugging Face image
processors and the original LLaVA / InternVL code use) computes for inputs beyond the three
HF parity images. Run with Debian's python3 (Pillow 9.4):

    /usr/bin/python3 services/masks/src/preprocess/testdata/make_pil_reference.py

Only Pillow operations and the upstream pipelines' published arithmetic are used:
- decode: Image.open(f).convert('RGB') (no EXIF transpose, no ICC transform);
- resize: Image.resize((w, h), Image.BICUBIC);
- LLaVA-1.5 expand2square(mean colour) + resize to S×S;
- InternVL dynamic_preprocess (closest aspect ratio, area tie-break, resize to the grid,
  row-major crops, thumbnail when more than one tile).
Hashes are SHA-256 of the uint8 HWC bytes.
"""
import glob
import hashlib
import json
import os

import cv2
import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
COCO = os.path.join(HERE, '../../../../../../shared/data/coco/val2017')
CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)


def sha(im):
    return hashlib.sha256(np.asarray(im, dtype=np.uint8).tobytes()).hexdigest()


def expand2square(im, bg):
    w, h = im.size
    if w == h:
        return im
    s = max(w, h)
    out = Image.new(im.mode, (s, s), bg)
    out.paste(im, ((s - w) // 2, (s - h) // 2))
    return out


def closest_grid(w, h, max_tiles, tile):
    grids = sorted(
        ((i, j) for i in range(1, max_tiles + 1) for j in range(1, max_tiles + 1) if 1 <= i * j <= max_tiles),
        key=lambda g: g[0] * g[1],
    )
    aspect, area = w / h, w * h
    best, best_diff = (1, 1), float('inf')
    for g in grids:
        d = abs(aspect - g[0] / g[1])
        if d < best_diff:
            best, best_diff = g, d
        elif d == best_diff and area > 0.5 * tile * tile * g[0] * g[1]:
            best = g
    return best


def dynamic_preprocess(im, max_tiles, tile):
    cols, rows = closest_grid(im.width, im.height, max_tiles, tile)
    canvas = im.resize((tile * cols, tile * rows), Image.BICUBIC)
    views = [canvas.crop((c * tile, r * tile, (c + 1) * tile, (r + 1) * tile)) for r in range(rows) for c in range(cols)]
    if len(views) > 1:
        views.append(im.resize((tile, tile), Image.BICUBIC))
    return [cols, rows], views


def synthetic():
    """Small images in the modes convert('RGB') must handle, written as PNG test inputs."""
    rng = np.random.default_rng(7)
    out = {}
    specs = {
        'grey_31x17.png': Image.fromarray(rng.integers(0, 256, (17, 31), dtype=np.uint8), 'L'),
        'rgba_23x29.png': Image.fromarray(rng.integers(0, 256, (29, 23, 4), dtype=np.uint8), 'RGBA'),
        'palette_19x13.png': Image.fromarray(rng.integers(0, 256, (13, 19, 3), dtype=np.uint8), 'RGB').quantize(16),
        'noise_41x37.png': Image.fromarray(rng.integers(0, 256, (37, 41, 3), dtype=np.uint8), 'RGB'),
    }
    for name, im in specs.items():
        im.save(os.path.join(HERE, name))
    # Pillow cannot write 16-bit RGB PNGs; OpenCV can (it takes BGR order). Pillow reads them
    # as 8-bit RGB keeping the high byte.
    cv2.imwrite(os.path.join(HERE, 'rgb16_13x11.png'), rng.integers(0, 65536, (11, 13, 3), dtype=np.uint16))
    for name in [*specs, 'rgb16_13x11.png']:
        out[name] = Image.open(os.path.join(HERE, name)).convert('RGB')
    return out


def main():
    ref = {'generator': 'make_pil_reference.py', 'pillow': Image.__version__, 'decode': {}, 'resize': [], 'llava_pad': {}, 'internvl': {}}
    images = {}
    for path in sorted(glob.glob(os.path.join(COCO, '*.jpg'))):
        images[os.path.basename(path)] = Image.open(path).convert('RGB')
    images.update(synthetic())
    for name, im in images.items():
        ref['decode'][name] = {'width': im.width, 'height': im.height, 'sha256': sha(im)}

    # Resize edge cases: strong/odd downscales, upscales, one axis only, 1-pixel outputs.
    cases = [
        ('000000005001.jpg', [(7, 5), (1, 1), (333, 17), (640, 100), (1500, 999), (97, 1203)]),
        ('noise_41x37.png', [(41, 200), (300, 37), (123, 111), (5, 3), (40, 36), (1, 80)]),
        ('grey_31x17.png', [(62, 34), (30, 16)]),
    ]
    for name, sizes in cases:
        for w, h in sizes:
            ref['resize'].append({'image': name, 'width': w, 'height': h, 'sha256': sha(images[name].resize((w, h), Image.BICUBIC))})

    bg = tuple(int(m * 255) for m in CLIP_MEAN)
    coco = [n for n in images if n.endswith('.jpg')]
    for name in coco:
        sq = expand2square(images[name], bg)
        ref['llava_pad'][name] = {str(s): sha(sq.resize((s, s), Image.BICUBIC)) for s in (336, 112)}
        entry = {}
        for tile, max_tiles in ((448, 6), (64, 6)):
            grid, views = dynamic_preprocess(images[name], max_tiles, tile)
            entry[f'{tile}.max{max_tiles}'] = {'grid_cols_rows': grid, 'views_sha256': [sha(v) for v in views]}
        ref['internvl'][name] = entry

    with open(os.path.join(HERE, 'pil-reference.json'), 'w') as f:
        json.dump(ref, f, indent=1)
        f.write('\n')


if __name__ == '__main__':
    main()

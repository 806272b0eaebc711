"""Image preprocessing exactly as locscope does it at inference (DESIGN §5):
LLaVA-1.5 — pad to square with (122,116,104) centred, PIL bicubic resize, CLIP mean/std;
InternVL — dynamic tiling (closest aspect ratio, upstream tie-break), thumbnail, ImageNet mean/std."""
import numpy as np
import torch
from PIL import Image

CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
PAD_COLOUR = tuple(int(m * 255) for m in CLIP_MEAN)  # (122, 116, 104), original LLaVA expand2square


def normalize(image, mean, std):
    """[3, H, W] float32: float32(float64(u8) / 255), then (x - mean) / std in float32."""
    x = (np.asarray(image, dtype=np.uint8).astype(np.float64) * (1 / 255)).astype(np.float32)
    x = (x - np.array(mean, dtype=np.float32)) / np.array(std, dtype=np.float32)
    return torch.from_numpy(x.transpose(2, 0, 1).copy())


def pad_to_square(image):
    """Returns (square image, (dx, dy) offset of the original inside it)."""
    w, h = image.size
    if w == h:
        return image, (0, 0)
    offset, side = llava_geometry(w, h)
    canvas = Image.new("RGB", (side, side), PAD_COLOUR)
    canvas.paste(image, offset)
    return canvas, offset


def llava_view(image, size):
    """The padded square resized to the model input (uint8 PIL image, before normalization)."""
    square, _ = pad_to_square(image.convert("RGB"))
    return square.resize((size, size), resample=Image.BICUBIC)


def llava_geometry(width, height):
    """((dx, dy) offset of the original inside its padded square, square side)."""
    side = max(width, height)
    return ((0, (width - height) // 2) if width > height else ((height - width) // 2, 0)), side


def target_ratios(min_tiles, max_tiles):
    ratios = set((i, j) for n in range(min_tiles, max_tiles + 1) for i in range(1, n + 1) for j in range(1, n + 1)
                 if min_tiles <= i * j <= max_tiles)
    return sorted(ratios, key=lambda r: r[0] * r[1])


def closest_aspect_ratio(width, height, ratios, tile):
    """InternVL's find_closest_aspect_ratio, including its tie-break (prefer more tiles when the
    image has more than half the pixels of that grid)."""
    aspect = width / height
    best_diff, best = float("inf"), (1, 1)
    area = width * height
    for ratio in ratios:
        diff = abs(aspect - ratio[0] / ratio[1])
        if diff < best_diff:
            best_diff, best = diff, ratio
        elif diff == best_diff and area > 0.5 * tile * tile * ratio[0] * ratio[1]:
            best = ratio
    return best


def internvl_views(image, tile, min_tiles, max_tiles):
    """(list of PIL views: tiles row-major then thumbnail when > 1 tile, (cols, rows))."""
    image = image.convert("RGB")
    w, h = image.size
    cols, rows = closest_aspect_ratio(w, h, target_ratios(min_tiles, max_tiles), tile)
    resized = image.resize((tile * cols, tile * rows), resample=Image.BICUBIC)
    views = [resized.crop((c * tile, r * tile, (c + 1) * tile, (r + 1) * tile)) for r in range(rows) for c in range(cols)]
    if len(views) != 1:
        views.append(image.resize((tile, tile), resample=Image.BICUBIC))
    return views, (cols, rows)



"""The three training tasks as (question, answer) text pairs, with the study's default prompts
(services/orchestrator/src/config/envelope.ts) and each family's answer format."""
from tokenizer import CATEGORIES

LOCALIZATION = "Please provide the bounding box coordinate of the region this sentence describes: {object}."
CLASSIFICATION = "List all objects in the image. Only use these categories: {categories}."
BINARY = "Is there a {object} in the image? Answer yes or no."


def llava_fractions(bbox, offset, side):
    """COCO [x, y, w, h] → [x1, y1, x2, y2] as fractions of the padded square (unclamped)."""
    x, y, w, h = bbox
    dx, dy = offset
    return [(x + dx) / side, (y + dy) / side, (x + w + dx) / side, (y + h + dy) / side]


def image_fractions(bbox, width, height):
    """COCO [x, y, w, h] → [x1, y1, x2, y2] as fractions of the image (unclamped)."""
    x, y, w, h = bbox
    return [x / width, y / height, (x + w) / width, (y + h) / height]


def llava_box(bbox, offset, side):
    """COCO [x, y, w, h] → '[x1, y1, x2, y2]' in [0, 1] of the padded square, two decimals."""
    return "[" + ", ".join(f"{min(max(c, 0.0), 1.0):.2f}" for c in llava_fractions(bbox, offset, side)) + "]"


def internvl_box(name, bbox, width, height):
    """'<ref>name</ref><box>[[x1, y1, x2, y2]]</box>' in 0–1000 of the original image."""
    v = image_fractions(bbox, width, height)
    return f"<ref>{name}</ref><box>[[" + ", ".join(str(min(max(round(c * 1000), 0), 1000)) for c in v) + "]]</box>"


def list_answer(names):
    return ", ".join(n for n in CATEGORIES if n in names)


def qa_pairs(objects, rng, box_answer):
    """The question/answer pairs for one image: one localization per object, the list prompt and
    one binary question (present or absent class, 50/50). `objects` = [(name, bbox)]."""
    names = [n for n, _ in objects]
    pairs = [(LOCALIZATION.format(object=n), box_answer(n, b)) for n, b in objects]
    pairs.append((CLASSIFICATION.format(categories=", ".join(CATEGORIES)), list_answer(names)))
    if rng.random() < 0.5:
        pairs.append((BINARY.format(object=rng.choice(names)), "Yes"))
    else:
        pairs.append((BINARY.format(object=rng.choice([c for c in CATEGORIES if c not in names])), "No"))
    rng.shuffle(pairs)
    return pairs

"""Reads a split written by `locscope scenes` (images/*.png + COCO annotations.json)."""
import json
import os

from PIL import Image


class SceneSplit:
    def __init__(self, folder):
        path = os.path.join(folder, "annotations.json")
        if not os.path.exists(path):
            raise FileNotFoundError(f"{path}: not a scene split (run `npx locscope scenes --seed S --count N --out {folder}`)")
        with open(path) as f:
            coco = json.load(f)
        self.folder = folder
        names = {c["id"]: c["name"] for c in coco["categories"]}
        self.images = coco["images"]
        self.objects = {img["id"]: [] for img in self.images}
        for a in coco["annotations"]:
            self.objects[a["image_id"]].append((names[a["category_id"]], a["bbox"], a))

    def select(self, start, end):
        """Keeps images start..end-1 (in file order)."""
        self.images = self.images[start:end]

    def __len__(self):
        return len(self.images)

    def size(self, index):
        """(width, height) of image `index` in pixels."""
        return self.images[index]["width"], self.images[index]["height"]

    def image(self, index):
        info = self.images[index]
        with Image.open(os.path.join(self.folder, "images", info["file_name"])) as im:
            return im.convert("RGB")

    def annotations(self, index):
        """[(category name, COCO bbox, full annotation)] of image `index`."""
        return self.objects[self.images[index]["id"]]

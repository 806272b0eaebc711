"""Writes tokenizer-samples.json: texts in the demo models' prompt and answer formats with the ids
this module's Python encoder (used for training) gives them. tokenizer.test.ts checks that
@huggingface/tokenizers, the runtime's code path, gives the same ids from tokenizer.json."""
import json
import os

from tasks import BINARY, CLASSIFICATION, LOCALIZATION
from tokenizer import CATEGORIES, encode

SAMPLES = [
    "USER: <image>\n" + LOCALIZATION.format(object="circle") + " ASSISTANT: [0.12, 0.34, 0.56, 0.78]</s>",
    "<|im_start|>user\n<img><IMG_CONTEXT><IMG_CONTEXT></img>\n" + CLASSIFICATION.format(categories=", ".join(CATEGORIES))
    + "<|im_end|>\n<|im_start|>assistant\n<ref>star</ref><box>[[12, 345, 678, 1000]]</box><|im_end|>",
    BINARY.format(object="arrow") + " Yes, No",
    "An unknown word: zebra 42!",
]

if __name__ == "__main__":
    path = os.path.join(os.path.dirname(__file__), "tokenizer-samples.json")
    with open(path, "w") as f:
        json.dump([{"text": s, "ids": encode(s)} for s in SAMPLES], f, indent=1)

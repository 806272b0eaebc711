"""The Open Inference Protocol from Python: what a team with a Triton/KServe toolchain does with
locscope, as a script. A plain forward (next-token logits), a generation, and Score's log-probs
under interventions given as mask tensors.

    python3 examples/python/open_inference.py --inference HOST:PORT --image data/scenes/eval/images/000000.png

(`locscope serve all` prints the inference address; the OIP shares its port.) The last line of
stdout is a JSON summary.
"""
import argparse
import json

import numpy as np

from locscope_client import OpenInference

parser = argparse.ArgumentParser()
parser.add_argument("--inference", required=True)
parser.add_argument("--image", required=True, help="an image file the model looks at")
parser.add_argument("--model", default="demo-llava")
args = parser.parse_args()

with open(args.image, "rb") as f:
    image = f.read()

with OpenInference(args.inference) as oip:
    # The shapes the mask inputs take for this model: [variants, visual tokens], [variants, layers].
    shapes = {t.name: list(t.shape) for t in oip.metadata(args.model).inputs}
    visual, layers = shapes["token_mask"][1], shapes["knockout_layers"][1]

    # 1. A plain forward: the logits of the token after the prompt, [1 variant, 1 position, vocab].
    forward = oip.infer(args.model, image, "What is in the image?")
    next_token = int(np.argmax(forward.outputs["logits"][0, -1]))

    # 2. A generation of up to 8 tokens.
    generated = oip.infer(args.model, image, "What is in the image?", max_tokens=8, outputs=["text", "token_ids"])

    # 3. Score's log-probs of a target for three variants, one per row of the masks: the clean run,
    #    every visual token zeroed, and text after the image blocked from them in layers 0-1.
    token_mask = np.zeros((3, visual), dtype=bool)
    token_mask[1, :] = True
    knockout_layers = np.zeros((3, layers), dtype=bool)
    knockout_layers[2, [0, 1]] = True
    knockout_tokens = np.zeros((3, visual), dtype=bool)
    knockout_tokens[2, :] = True
    scored = oip.infer(
        args.model,
        image,
        "What is in the image?",
        target="a square",
        token_mask=token_mask,
        knockout_layers=knockout_layers,
        knockout_tokens=knockout_tokens,
        outputs=["token_log_probs", "target_token_ids"],
    )

summary = {
    "visual_tokens": visual,
    "next_token": next_token,
    "next_token_logits": forward.outputs["logits"][0, -1].tolist(),
    "text": generated.outputs["text"][0],
    "token_ids": generated.outputs["token_ids"][0].tolist(),
    "variants": scored.variants,
    "target_token_ids": scored.outputs["target_token_ids"].tolist(),
    "token_log_probs": scored.outputs["token_log_probs"].tolist(),
}
print(json.dumps(summary))

"""What a notebook does with locscope, as a script: submit a run, watch it, read its report, and
score one prompt under two interventions.

    python3 examples/python/notebook.py --orchestrator HOST:PORT --inference HOST:PORT \
        --image data/scenes/eval/images/000000.png

(`locscope serve all` prints both addresses.) The last line of stdout is a JSON summary.
"""
import argparse
import json

from locscope_client import Locscope, ablate_visual_tokens, knock_out_layers, variant

parser = argparse.ArgumentParser()
parser.add_argument("--orchestrator", required=True)
parser.add_argument("--inference", required=True)
parser.add_argument("--image", required=True, help="an image file the model looks at")
parser.add_argument("--run-id", default="")
parser.add_argument("--samples", type=int, default=4, help="baseline samples (the demo profile has 64)")
parser.add_argument("--model", default="demo-llava")
args = parser.parse_args()

with Locscope(orchestrator=args.orchestrator, inference=args.inference) as ls:
    # 1. A baseline run with fewer samples than the profile's, then its events until it is done.
    submitted = ls.submit_run(["baseline"], run_id=args.run_id, overrides={"baseline": {"samples": args.samples}})
    run_id = submitted.run.run_id
    samples = 0
    for event in ls.watch_run(run_id):
        kind = event.WhichOneof("event")
        if kind == "sample":
            samples += 1
        elif kind == "done":
            final = event.done
    tables = json.loads(ls.read_report(run_id, ["tables.json"])["tables.json"])

    # 2. Score a target under the clean run and two interventions: the first 64 visual tokens
    #    zeroed, and text positions after the image blocked from all visual tokens in layers 0–1.
    with open(args.image, "rb") as f:
        image = f.read()
    scores = ls.score(
        args.model,
        image,
        prompt="What is in the image?",
        target="a square",
        variants=[
            variant("clean"),
            variant("ablate-64", ablate_visual_tokens(range(64))),
            variant("knockout-0-1", knock_out_layers([0, 1], keys=range(64))),
        ],
    )

summary = {
    "run_id": run_id,
    "status": final.status,
    "samples": samples,
    "tables": sorted(tables),
    "scores": {name: s.token_log_probs.tolist() for name, s in scores.items()},
}
print(json.dumps(summary))

"""Side-by-side baseline for `npm run bench`: Hugging Face LLaVA computed by PyTorch eager (fp32, the
demo-models re-implementation of transformers' modules) with interventions applied through forward
hooks, on a llava-hf checkpoint directory and 2 threads.

    /usr/bin/python3 tools/bench-baseline/hf_eager_bench.py --model DIR [--repeats N] [--decode-tokens 16] --json
    /usr/bin/python3 tools/bench-baseline/hf_eager_bench.py --model DIR --check OUT_DIR   # outputs for the parity check

Prints a readable summary; with --json one JSON object as the last stdout line. Exit status 3
when torch is not installed for this python (CI machines have no torch), 2 on bad arguments or an
unloadable checkpoint."""
import argparse
import json
import os
import sys

from options import BenchOptions

TORCH_MISSING_EXIT = 3
BAD_INPUT_EXIT = 2


def positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def parse_args(argv):
    defaults = BenchOptions()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True, help="llava-hf checkpoint directory")
    parser.add_argument("--repeats", type=positive_int, default=defaults.repeats)
    parser.add_argument("--decode-tokens", type=positive_int, default=defaults.decode_tokens)
    parser.add_argument("--text-tokens", type=positive_int, default=defaults.text_tokens)
    parser.add_argument("--sweep-repeats", type=positive_int, default=defaults.sweep_repeats)
    parser.add_argument("--threads", type=positive_int, default=defaults.threads)
    parser.add_argument("--json", action="store_true", help="print one JSON object as the last stdout line")
    parser.add_argument("--check", metavar="OUT_DIR", help="write the parity-check outputs instead of benchmarking")
    return parser.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    # Debian's torch does its matmuls in the system libblas.so.3 (OpenBLAS when installed), whose
    # own thread pool torch.set_num_threads does not reach: pin it before torch loads it.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", str(args.threads))
    # Debian's torch uses GNU OpenMP, whose idle threads spin: on 2 shared cores the spinning
    # threads starve the working ones, and a prefill took 4× the CPU time of the 1-thread run
    # (measured under load ~4). Passive waiting restores the speed a 2-thread run should have.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        import torch
    except ImportError:
        print(f"hf_eager_bench: torch is not installed for {sys.executable}", file=sys.stderr)
        return TORCH_MISSING_EXIT
    from check import write_check
    from checkpoint import CheckpointError, load_llava
    from measure import run_bench

    torch.set_num_threads(args.threads)
    log = (lambda line: print(line, flush=True))
    try:
        model, config = load_llava(args.model)
    except CheckpointError as error:
        print(f"hf_eager_bench: {error}", file=sys.stderr)
        return BAD_INPUT_EXIT
    log(f"model: {args.model} (PyTorch {torch.__version__} eager fp32, {torch.get_num_threads()} threads, forward hooks)")
    if args.check:
        result = write_check(model, config, args.check, args.text_tokens)
    else:
        options = BenchOptions(args.repeats, args.decode_tokens, args.text_tokens, args.sweep_repeats, args.threads)
        result = run_bench(model, config, args.model, options, log)
    if args.json:
        print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Benchmark options with their named defaults (torch-free, so arguments parse before torch loads)."""
from dataclasses import dataclass

DEFAULT_THREADS = 2  # the bench's "same 2 cores"


@dataclass(frozen=True)
class BenchOptions:
    repeats: int = 3
    decode_tokens: int = 16
    text_tokens: int = 30
    # One CMA sweep is layers × heads full forwards (64 on the bench model), itself an average, and
    # takes minutes on 2 loaded cores: one timed sweep after a one-forward warm-up by default.
    sweep_repeats: int = 1
    threads: int = DEFAULT_THREADS

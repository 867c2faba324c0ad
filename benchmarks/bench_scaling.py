"""Goal 3a: time grows linearly in T — the time per token stays the same from T = 100 to 10,000.

Full BPTT (no truncation), B = 32, H = 128, D = K = 65, token ids, cross-entropy. The per-token
time is the median seconds of one ``loss_and_grads`` call divided by T·B.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import Row, median, spread, time_median

import numpy as np

import rnnlib

D = K = 65
H, B = 128, 32
LENGTHS = (100, 1_000, 10_000)
TARGET = 1.25


def _per_token(params, rng, rounds, reps, truncate) -> dict:
    """{T: per-round median seconds per token of loss_and_grads}, for each T in LENGTHS.

    The lengths are timed in rounds, each round running every T in turn (the order rotating),
    so a stretch of load from another process falls on all of them alike.
    """
    calls = {}
    for T in LENGTHS:
        ids, targets = rng.integers(0, D, (T, B)), rng.integers(0, K, (T, B))
        calls[T] = (lambda ids=ids, targets=targets:
                    rnnlib.loss_and_grads(params, ids, targets, truncate=truncate))
        calls[T]()                    # first touches of fresh memory are slow: warm up once
    per_token = {T: [] for T in LENGTHS}
    for r in range(rounds):
        order = LENGTHS[r % len(LENGTHS):] + LENGTHS[:r % len(LENGTHS)]
        for T in order:
            per_token[T].append(time_median(calls[T], reps=reps[T], warmup=0) / (T * B))
    return per_token


def _row(label, per_token, rounds, reps, note):
    ratios = [big / small for big, small in zip(per_token[LENGTHS[-1]], per_token[LENGTHS[0]])]
    ratio = (median(ratios), min(ratios), max(ratios))
    return Row(f"{label}, T={LENGTHS[0]:,} .. {LENGTHS[-1]:,} (B={B}, H={H})",
               ", ".join(f"T={T:,}: {median(v) * 1e6:.3f} us" for T, v in per_token.items())
               + f"; ratio {spread(ratio)}",
               f"ratio <= {TARGET} (linear)", ratio[0], ratio[0] <= TARGET,
               note=f"ratio = per-token time at T={LENGTHS[-1]:,} / at T={LENGTHS[0]:,}, one per "
                    f"round, median (min..max) over {rounds} interleaved rounds; {note}; each "
                    f"round times the median of {reps} calls")


def run(quick: bool = False) -> list[Row]:
    rng = np.random.default_rng(0)
    params = rnnlib.init_params(D, H, K, seed=0)
    rounds = 2 if quick else 5
    reps = {100: 10, 1_000: 3, 10_000: 1} if quick else {100: 20, 1_000: 5, 10_000: 1}
    # Full BPTT keeps every activation: at T=10,000 each (T, B, H) array is 164 MB, far past
    # the caches, and freshly allocated pages must be faulted in. Truncated BPTT does the same
    # arithmetic per token with a working set that does not grow; the two rows separate the
    # algorithm's scaling (linear) from the memory system's.
    return [
        _row("3a. time per token, full BPTT", _per_token(params, rng, rounds, reps, None),
             rounds, reps, "all activations held"),
        _row("3a. time per token, truncate=50", _per_token(params, rng, rounds, reps, 50),
             rounds, reps, "constant working set"),
    ]


if __name__ == "__main__":
    # Run through run_all in a fresh interpreter, so threads are pinned before numpy loads.
    import os
    os.execv(sys.executable, [sys.executable, str(Path(__file__).with_name("run_all.py")),
                              "--only", "scaling", *sys.argv[1:]])

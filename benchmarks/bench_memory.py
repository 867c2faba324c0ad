"""Goal 3b: truncated BPTT's memory does not grow with T.

``loss_and_grads(..., truncate=50)`` at B = 32, H = 128, D = K = 65 on token ids, for
T = 1,000 and T = 100,000. The inputs and targets are made before tracing starts, so the
peak that ``tracemalloc`` reports (numpy reports its arrays to it) is what the call itself
allocates on top of them. Truncation works chunk by chunk, so that extra peak should be the
same at both lengths: one chunk's activations, not the sequence's.

A second row traces the BPTT engine alone (``bptt_checked`` on an already-checked call), to
tell the engine's memory apart from the argument checks' when the first row fails.
"""
from __future__ import annotations

import sys
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import Row

import numpy as np

import rnnlib
from rnnlib.core.bptt import bptt_checked
from rnnlib.core.validation import check_call

D = K = 65
H, B, TRUNCATE = 128, 32, 50
SHORT, LONG = 1_000, 100_000
LONG_QUICK = 20_000
TARGET = 1.2


def extra_peak(fn) -> tuple[int, object, str]:
    """(bytes ``fn()`` allocates at its peak beyond what was live before, its result, and the
    source line holding most of what that result keeps alive)."""
    tracemalloc.start()
    before, _ = tracemalloc.get_traced_memory()
    result = fn()
    _, peak = tracemalloc.get_traced_memory()
    top = tracemalloc.take_snapshot().statistics("lineno")
    tracemalloc.stop()
    frame = top[0].traceback[0] if top else None
    site = f"{Path(frame.filename).name}:{frame.lineno} ({top[0].size / 2**20:.2f} MiB)" if top else ""
    return peak - before, result, site


def run(quick: bool = False) -> list[Row]:
    long = LONG_QUICK if quick else LONG
    rng = np.random.default_rng(0)
    params = rnnlib.init_params(D, H, K, seed=0)
    data = {T: (rng.integers(0, D, (T, B)), rng.integers(0, K, (T, B))) for T in (SHORT, long)}
    rnnlib.loss_and_grads(params, *data[SHORT], truncate=TRUNCATE)   # warm-up, untraced

    def whole_call(T):
        return lambda: rnnlib.loss_and_grads(params, *data[T], truncate=TRUNCATE)

    def checks_only(T):
        return lambda: check_call(params, data[T][0], targets=data[T][1], loss="cross_entropy",
                                  truncate=TRUNCATE)

    peaks = {T: extra_peak(whole_call(T))[0] for T in data}
    # The argument checks alone, and what the Call they return keeps (the engine's input).
    checked = {T: extra_peak(checks_only(T)) for T in data}
    engine = {T: extra_peak(lambda call=checked[T][1]: bptt_checked(call))[0] for T in data}

    rows = []
    for label, p in (("loss_and_grads", peaks), ("BPTT engine alone (bptt_checked)", engine)):
        ratio = p[long] / p[SHORT]
        rows.append(Row(f"3b. extra peak memory, truncate={TRUNCATE}, {label}",
                        f"T={SHORT:,}: {p[SHORT] / 2**20:.2f} MiB, "
                        f"T={long:,}: {p[long] / 2**20:.2f} MiB",
                        f"ratio <= {TARGET}", ratio, ratio <= TARGET,
                        note=f"tracemalloc peak above the live inputs; B={B}, H={H}, token ids"))
    rows[0].note += (f"; the argument checks alone (validation.check_call) keep "
                     f"{checked[long][0] / 2**20:.2f} MiB at T={long:,}, "
                     f"most at {checked[long][2]}")
    return rows


if __name__ == "__main__":
    # Run through run_all in a fresh interpreter, so threads are pinned before numpy loads.
    import os
    os.execv(sys.executable, [sys.executable, str(Path(__file__).with_name("run_all.py")),
                              "--only", "memory", *sys.argv[1:]])

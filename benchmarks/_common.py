"""What every benchmark shares: thread settings, timing, and one row of the report table.

Timing rule: warm up, then take the *median* of many repetitions (robust to the occasional
slow run on a shared machine). When implementations are compared (:func:`compare`), their
calls are interleaved — A, B, A, B, ... — in several rounds; each round gives one ratio, and
the report shows the median ratio with its min..max over rounds, so a reader sees how much
the machine's load moved it.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Callable

THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def pin_threads(n: int) -> None:
    """Ask every BLAS / OpenMP runtime for ``n`` threads. Must run before numpy is imported."""
    for var in THREAD_VARS:
        os.environ[var] = str(n)


def blas_threads() -> tuple[int | None, str]:
    """(threads numpy's BLAS uses, how we know): threadpoolctl when installed, else the env."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        value = os.environ.get("OPENBLAS_NUM_THREADS") or os.environ.get("OMP_NUM_THREADS")
        return (int(value) if value else None), "env (threadpoolctl not installed)"
    import numpy  # noqa: F401  (loads the BLAS so threadpoolctl can see it)
    for pool in threadpool_info():
        if pool["user_api"] == "blas" and "numpy" in pool["filepath"]:
            return pool["num_threads"], f"threadpoolctl ({pool['internal_api']})"
    return None, "threadpoolctl found no numpy BLAS"


@dataclass
class Row:
    """One line of the report: what was measured, the goal, and whether it was met."""

    name: str
    measured: str
    target: str
    ratio: float | None = None    # measured / target-ish quantity; None when not meaningful
    passed: bool | None = None    # None: skipped or informational
    note: str = ""


def median(values: list[float]) -> float:
    s = sorted(values)
    n = len(s)
    return s[n // 2] if n % 2 else 0.5 * (s[n // 2 - 1] + s[n // 2])


def time_once(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def time_median(fn: Callable[[], object], reps: int, warmup: int = 3) -> float:
    """Median seconds of ``reps`` calls of ``fn`` after ``warmup`` untimed calls."""
    for _ in range(warmup):
        fn()
    return median([time_once(fn) for _ in range(reps)])


def time_interleaved(fns: dict, reps: int,
                     warmup: int = 3) -> dict:
    """Median seconds of each function, the calls interleaved round-robin."""
    for _ in range(warmup):
        for fn in fns.values():
            fn()
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(reps):
        for name, fn in fns.items():
            samples[name].append(time_once(fn))
    return {name: median(s) for name, s in samples.items()}


@dataclass
class Comparison:
    """Timings of several contestants over interleaved rounds.

    ``rounds[name]`` holds one median per round (seconds). A ratio A/B is taken *within* each
    round (both medians come from the same stretch of machine load), and then summarised over
    rounds by its median and its range: on a shared machine that range is the honest error bar.
    """

    rounds: dict

    def seconds(self, name: str) -> float:
        """The median over rounds of ``name``'s per-round medians."""
        return median(self.rounds[name])

    def ratios(self, a: str, b: str) -> list[float]:
        """time(a) / time(b), one value per round."""
        return [x / y for x, y in zip(self.rounds[a], self.rounds[b])]

    def ratio(self, a: str, b: str) -> tuple[float, float, float]:
        """(median, min, max) over rounds of time(a) / time(b)."""
        r = self.ratios(a, b)
        return median(r), min(r), max(r)


def compare(fns: dict, rounds: int, reps: int, warmup: int = 3) -> Comparison:
    """Time every function in ``fns`` in ``rounds`` rounds of ``reps`` calls each.

    Within a round the calls are interleaved A, B, C, A, B, C, ..., and the order of the
    contestants rotates from round to round, so neither position nor a burst of load from
    another process favours one of them.
    """
    names = list(fns)
    for _ in range(warmup):
        for fn in fns.values():
            fn()
    out: dict[str, list[float]] = {name: [] for name in names}
    for r in range(rounds):
        order = names[r % len(names):] + names[:r % len(names)]
        samples: dict[str, list[float]] = {name: [] for name in names}
        for _ in range(reps):
            for name in order:
                samples[name].append(time_once(fns[name]))
        for name in names:
            out[name].append(median(samples[name]))
    return Comparison(out)


class ThreadSwitch:
    """``switch(n)``: numpy's BLAS and PyTorch's intra-op pool use ``n`` threads from now on.

    Changes the count at run time inside one process (threadpoolctl for the BLAS), so that
    contestants at different thread counts can be timed in the same interleaved rounds. The
    process must start with the largest count pinned (``pin_threads``): OpenBLAS never grows
    past the count it started with.
    """

    def __init__(self, torch=None):
        from threadpoolctl import ThreadpoolController

        self._blas = [c for c in ThreadpoolController().lib_controllers if c.user_api == "blas"]
        self._torch = torch

    def __call__(self, n: int) -> None:
        for controller in self._blas:
            controller.set_num_threads(n)
        if self._torch is not None:
            self._torch.set_num_threads(n)

    def check(self, n: int) -> None:
        """Fail loudly when the switch does not take: the table would then lie."""
        self(n)
        got = [c.get_num_threads() for c in self._blas]
        torch_got = self._torch.get_num_threads() if self._torch is not None else n
        if any(g != n for g in got) or torch_got != n:
            raise RuntimeError(f"asked for {n} threads, got BLAS {got}, torch {torch_got}")


def threads_label(n: int) -> str:
    return f"{n} thread{'s' * (n != 1)}"


def compare_at_best_threads(contestants: dict, threads, switch: ThreadSwitch, rounds: int,
                            reps: int, warmup: int = 3) -> tuple[Comparison, dict]:
    """Time every contestant at every thread count of ``threads`` in the same interleaved
    rounds (:func:`compare`); the switch to a contestant's count is part of its call (a few
    microseconds). Returns the comparison, keyed ``(name, n)``, and ``{name: its best n}``:
    the count at which its median time is lowest, i.e. what a user who tuned it would see.
    """
    for n in threads:
        switch.check(n)
    fns = {(name, n): (lambda fn=fn, n=n: (switch(n), fn()))
           for name, fn in contestants.items() for n in threads}
    result = compare(fns, rounds=rounds, reps=reps, warmup=warmup)
    best = {name: min(threads, key=lambda n, name=name: result.seconds((name, n)))
            for name in contestants}
    return result, best


def spread(values: tuple[float, float, float], fmt: str = ".2f") -> str:
    """'0.55 (0.51..0.60)': a median and its min..max."""
    mid, lo, hi = values
    return f"{mid:{fmt}} ({lo:{fmt}}..{hi:{fmt}})"


def try_import_torch():
    """torch, or None when it is not installed (the comparison rows are then skipped)."""
    try:
        import torch
    except ImportError:
        return None
    return torch

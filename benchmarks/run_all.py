"""Run every rnnlib benchmark in one process and print one table.

    .venv/bin/python benchmarks/run_all.py            # the full run (a few minutes)
    .venv/bin/python benchmarks/run_all.py --quick    # fewer repetitions, shorter sequences
    .venv/bin/python benchmarks/run_all.py --only vs_pytorch scaling
    .venv/bin/python benchmarks/run_all.py --threads 1   # one thread count (default: 1 and 2)

This is a report, not a test: it always exits 0. Each row says what was measured, the goal,
their ratio and PASS / FAIL; a row is SKIP when what it needs (torch, rnnlib.symbolic) is
missing. See benchmarks/README.md for what each benchmark measures.

Threads. rnnlib's own goals (2-4) get one table per thread count, each from a fresh process
with the count pinned before numpy loads. The comparisons with PyTorch (goals 1 and 6) get
one table in which every contestant is timed at every count, in the same rounds, and each
is compared at its own best count (the row names it): the ratio a user who set the threads
well would see, whichever library suits which count.
"""
from __future__ import annotations

import argparse
import importlib
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import Row, blas_threads, pin_threads, threads_label

BENCHMARKS = ("vs_pytorch", "vs_minchar", "scaling", "memory", "symbolic", "gated_vs_pytorch")
# compared with each contestant at its best thread count (run(quick, threads=...))
AT_BEST_THREADS = ("vs_pytorch", "gated_vs_pytorch")


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions, shorter runs")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2],
                        help="BLAS/OpenMP threads for numpy and PyTorch alike; several counts run "
                             "one after the other, each in a fresh process (default: 1 2)")
    parser.add_argument("--only", nargs="+", choices=BENCHMARKS, help="run just these")
    parser.add_argument("--in-process", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def widgets_row() -> Row:
    import importlib.util
    name = "5. steppers (rnnlib.widgets)"
    if importlib.util.find_spec("rnnlib.widgets") is not None:
        return Row(name, "skipped: rnnlib.widgets exists and measures its own", "-")
    return Row(name, "skipped: rnnlib.widgets not available", "-")


def print_table(rows: list[Row]) -> None:
    def result(r: Row) -> str:
        return "SKIP" if r.passed is None else ("PASS" if r.passed else "FAIL")

    table = [("benchmark", "measured", "target", "ratio", "result")] + [
        (r.name, r.measured, r.target, "-" if r.ratio is None else f"{r.ratio:.3f}", result(r))
        for r in rows]
    widths = [max(len(line[i]) for line in table) for i in range(5)]
    for i, line in enumerate(table):
        print("  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))
    notes = [(r.name.split(" ")[0], r.note) for r in rows if r.note]
    if notes:
        print("\nnotes:")
        for key, note in notes:
            print(f"  {key} {note}")


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse(argv)
    threads = sorted(set(args.threads))
    if min(threads) < 1:
        raise SystemExit(f"--threads: counts must be at least 1, got {args.threads}")
    if not args.in_process:            # one fresh process per table: pinning needs it
        chosen = args.only or list(BENCHMARKS)
        per_count = [b for b in chosen if b not in AT_BEST_THREADS]
        at_best = [b for b in chosen if b in AT_BEST_THREADS]
        quick = ["--quick"] if args.quick else []
        me = [sys.executable, __file__, "--in-process", *quick]
        for n in threads if per_count else []:
            print(f"==================== {threads_label(n)} (rnnlib's own goals) "
                  f"====================", flush=True)
            subprocess.run([*me, "--threads", str(n), "--only", *per_count], check=False)
            print(flush=True)
        if at_best:
            counts = " or ".join(str(n) for n in threads)
            print(f"============ against PyTorch: each at its best thread count ({counts}) "
                  f"============", flush=True)
            subprocess.run([*me, "--threads", *map(str, threads), "--only", *at_best],
                           check=False)
            print(flush=True)
        if not args.only:
            print_table([widgets_row()])
        return 0

    pin_threads(max(threads))          # before anything imports numpy; lowered at run time
    import numpy as np

    blas, how = blas_threads()
    print(f"rnnlib benchmarks{' (quick)' if args.quick else ''}: numpy {np.__version__}, "
          f"python {platform.python_version()}, {os.cpu_count()} CPUs, "
          f"BLAS threads {blas} at start [{how}]\n")
    rows: list[Row] = []
    for name in args.only or BENCHMARKS:
        start = time.perf_counter()
        try:
            module = importlib.import_module(f"bench_{name}")
            if name in AT_BEST_THREADS:
                rows += module.run(quick=args.quick, threads=threads)
            elif len(threads) == 1:
                rows += module.run(quick=args.quick)
            else:
                raise ValueError(f"runs at one thread count at a time, got {threads}")
        except Exception as exc:  # a report: one broken benchmark must not hide the others
            rows.append(Row(name, f"error: {type(exc).__name__}: {exc}", "-", passed=False))
        print(f"  ran {name} in {time.perf_counter() - start:.1f} s", flush=True)
    print()
    print_table(rows)
    return 0


if __name__ == "__main__":
    main()
    sys.exit(0)

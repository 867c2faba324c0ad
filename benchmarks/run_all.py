"""Run every rnnlib benchmark in one process and print one table.

    .venv/bin/python benchmarks/run_all.py            # the full run (a few minutes)
    .venv/bin/python benchmarks/run_all.py --quick    # fewer repetitions, shorter sequences
    .venv/bin/python benchmarks/run_all.py --only vs_pytorch scaling
    .venv/bin/python benchmarks/run_all.py --threads 1   # one thread count (default: 1 and 2)

This is a report, not a test: it always exits 0. Each row says what was measured, the goal,
their ratio and PASS / FAIL; a row is SKIP when what it needs (torch, rnnlib.symbolic) is
missing. See benchmarks/README.md for what each benchmark measures.
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
from _common import Row, blas_threads, pin_threads  # noqa: E402  (no numpy import yet)

BENCHMARKS = ("vs_pytorch", "vs_minchar", "scaling", "memory", "symbolic", "gated_vs_pytorch")


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions, shorter runs")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2],
                        help="BLAS/OpenMP threads for numpy and PyTorch alike; several counts run "
                             "one after the other, each in a fresh process (default: 1 2)")
    parser.add_argument("--only", nargs="+", choices=BENCHMARKS, help="run just these")
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
    if len(args.threads) > 1:          # one fresh process per thread count: pinning needs it
        rest = [a for a in argv if not a.startswith("--threads") and not a.isdigit()]
        for n in args.threads:
            print(f"==================== {n} BLAS thread{'s' * (n > 1)} ====================",
                  flush=True)
            subprocess.run([sys.executable, __file__, *rest, "--threads", str(n)], check=False)
            print(flush=True)
        return 0
    pin_threads(args.threads[0])       # before anything imports numpy
    import numpy as np

    threads, how = blas_threads()
    print(f"rnnlib benchmarks{' (quick)' if args.quick else ''}: numpy {np.__version__}, "
          f"python {platform.python_version()}, {os.cpu_count()} CPUs, "
          f"BLAS threads {threads} [{how}]\n")
    rows: list[Row] = []
    for name in args.only or BENCHMARKS:
        start = time.perf_counter()
        try:
            module = importlib.import_module(f"bench_{name}")
            rows += module.run(quick=args.quick)
        except Exception as exc:  # a report: one broken benchmark must not hide the others
            rows.append(Row(name, f"error: {type(exc).__name__}: {exc}", "-", passed=False))
        print(f"  ran {name} in {time.perf_counter() - start:.1f} s", flush=True)
    if not args.only:
        rows.append(widgets_row())
    print()
    print_table(rows)
    return 0


if __name__ == "__main__":
    main()
    sys.exit(0)

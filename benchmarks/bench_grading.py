"""How long rnn-grade takes to grade a class: a report, not a test (always exits 0).

    .venv/bin/python benchmarks/bench_grading.py                  # 100 submissions, 2 workers
    .venv/bin/python benchmarks/bench_grading.py --n 100 --workers 1 2 --rounds 1
    .venv/bin/python benchmarks/bench_grading.py --assignment 03_bptt --n 20

The class is a mix of honest keys, released blanks and partly right answers (a third each),
so the timing covers passing, failing and erroring cells. Goal: 100 submissions of one
assignment in at most 10 minutes on a 2-core machine. With several --workers values, the runs
are interleaved round by round (1, 2, 1, 2, ...) so load from elsewhere hits each alike;
each line reports the median over rounds and the range (min..max).
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import nbformat  # noqa: E402  (after sys.path names this repository)

from rnngrade import cells, grading, sandbox  # noqa: E402

TARGET_S = 600.0


def make_class(key_path: Path, n: int, folder: Path) -> None:
    """``n`` submissions in ``folder``: keys, blanks and half-answered keys in turn."""
    blank = nbformat.read(grading.release_key(str(key_path), str(folder / "released")), 4)
    key = nbformat.read(key_path, 4)
    partial = nbformat.reads(nbformat.writes(key), as_version=4)
    answers = [c for c in partial.cells if cells.role(c) == "answer"]
    for cell in answers[len(answers) // 2:]:
        cell.source = cells.stub(cell.source)
    (folder / "subs").mkdir()
    for i in range(n):
        nbformat.write((key, blank, partial)[i % 3], folder / "subs" / f"student{i:03d}.ipynb")


def median(values):
    s = sorted(values)
    return s[len(s) // 2] if len(s) % 2 else 0.5 * (s[len(s) // 2 - 1] + s[len(s) // 2])


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--assignment", default="01_forward")
    p.add_argument("--n", type=int, default=100, help="submissions (default 100)")
    p.add_argument("--workers", type=int, nargs="+", default=[2])
    p.add_argument("--rounds", type=int, default=1)
    args = p.parse_args(argv)
    key_path = ROOT / "assignments" / args.assignment / "key.ipynb"
    tmp = Path(tempfile.mkdtemp(prefix="bench-grade-"))
    try:
        make_class(key_path, args.n, tmp)
        times: dict[int, list[float]] = {w: [] for w in args.workers}
        for r in range(args.rounds):
            for w in args.workers:
                t0 = time.perf_counter()
                results = grading.grade(str(key_path), str(tmp / "subs"),
                                        str(tmp / f"out-{w}-{r}"),
                                        limits=sandbox.Limits(workers=w),
                                        progress=lambda *_: None)
                times[w].append(time.perf_counter() - t0)
                assert len(results) == args.n
        print(f"rnn-grade: {args.n} submissions of {args.assignment}, {os.cpu_count()} CPUs, "
              f"{args.rounds} round(s)")
        for w, ts in times.items():
            m = median(ts)
            verdict = "PASS" if m <= TARGET_S * args.n / 100 else "FAIL"
            print(f"  workers={w}: {m:.0f} s in all (min..max {min(ts):.0f}..{max(ts):.0f}), "
                  f"{m / args.n:.2f} s per submission; target <= {TARGET_S * args.n / 100:.0f}"
                  f" s: {verdict}")
        if len(times) > 1:
            fewest = min(times)
            for w in sorted(times):
                if w != fewest:
                    print(f"  workers={w} grades {median(times[fewest]) / median(times[w]):.2f}x"
                          f" as fast as workers={fewest}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``rnn-grade``: release, grade and self-check the book's assignments.

    rnn-grade release assignments/01_forward/key.ipynb --out released/
    rnn-grade grade assignments/01_forward/key.ipynb submissions.zip --out graded/
    rnn-grade check 01_forward.ipynb
"""
from __future__ import annotations

import argparse
import sys

from . import grading, runner


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="rnn-grade", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="command", required=True)

    r = sub.add_parser("release", help="write the student version of a key")
    r.add_argument("key")
    r.add_argument("--out", required=True, help="folder for <assignment>.ipynb")

    g = sub.add_parser("grade", help="grade a folder or zip of <student>.ipynb files")
    g.add_argument("key")
    g.add_argument("submissions")
    g.add_argument("--out", required=True, help="folder for gradebook.csv, feedback/, results/")
    g.add_argument("--workers", type=int, default=2, help="pytest-xdist processes (default 2)")
    g.add_argument("--timeout", type=int, default=30, help="seconds per cell (default 30)")
    g.add_argument("--memory", type=int, default=2048, help="MB per kernel (default 2048)")
    g.add_argument("--cpu", type=int, default=300, help="CPU seconds per kernel (default 300)")
    g.add_argument("--seed", type=int, default=None,
                   help="grading seed (default: a fresh random one per run)")
    g.add_argument("--no-namespaces", action="store_true",
                   help="do not isolate kernels in namespaces (limits still apply)")

    c = sub.add_parser("check", help="run the public checks of your notebook")
    c.add_argument("notebook")
    c.add_argument("--timeout", type=int, default=60)
    return p


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "release":
        print(grading.release_key(args.key, args.out))
        return 0
    if args.command == "grade":
        limits = runner.Limits(cell_timeout=args.timeout, mem_mb=args.memory, cpu_s=args.cpu,
                               workers=args.workers, namespaces=not args.no_namespaces)
        grading.grade(args.key, args.submissions, args.out, limits=limits, seed=args.seed,
                      progress=lambda m: print(m, flush=True))
        return 0
    results = grading.self_check(args.notebook,
                                 runner.Limits(cell_timeout=args.timeout, workers=1,
                                               namespaces=False))
    for check, passed in results:
        unit = "point" if check.points == 1 else "points"
        print(f"{'PASS' if passed else 'FAIL'}  {check.name}  ({check.points:g} {unit})")
    got = sum(c.points for c, ok in results if ok)
    print(f"{got:g} / {sum(c.points for c, _ in results):g} points from the public checks")
    return 0


if __name__ == "__main__":
    sys.exit(main())

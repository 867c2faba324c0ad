"""``rnn-grade``: release, grade and self-check the book's assignments.

    rnn-grade release assignments/01_forward/key.ipynb --out released/
    rnn-grade grade assignments/01_forward/key.ipynb submissions.zip --out graded/
    rnn-grade check 01_forward.ipynb
"""
from __future__ import annotations

import argparse
import os
import sys

from . import grading, sandbox


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="rnn-grade", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="command", required=True)

    r = sub.add_parser("release", help="write the student version of a key")
    r.add_argument("key")
    r.add_argument("--out", required=True, help="folder for <assignment>.ipynb")

    g = sub.add_parser("grade", help="grade a folder or zip of <student>.ipynb files")
    g.add_argument("key")
    g.add_argument("submissions")
    g.add_argument("--out", required=True,
                   help="folder for gradebook.csv, feedback/, results/, journal/ (a rerun "
                        "with the same folder resumes)")
    g.add_argument("--workers", type=int, default=2, help="sandboxes at once (default 2)")
    g.add_argument("--timeout", type=int, default=30, help="seconds per cell (default 30)")
    g.add_argument("--memory", type=int, default=2048, help="MB per sandbox (default 2048)")
    g.add_argument("--cpu", type=int, default=300,
                   help="CPU seconds per notebook (default 300)")
    g.add_argument("--seed", type=int, default=None,
                   help="grading seed (default: the journal's when resuming, else a fresh one)")
    g.add_argument("--unsafe-no-sandbox", action="store_true",
                   help="run students' code without bubblewrap (the reports say so)")

    c = sub.add_parser("check", help="run your notebook's public checks fresh")
    c.add_argument("notebook")
    c.add_argument("--timeout", type=int, default=60, help="seconds per cell (default 60)")
    return p


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "release":
        print(grading.release_key(args.key, args.out))
        return 0
    if args.command == "grade":
        limits = sandbox.Limits(cell_timeout=args.timeout, mem_mb=args.memory, cpu_s=args.cpu,
                                workers=args.workers, sandbox=not args.unsafe_no_sandbox)
        screen = os.environ.get("RNNGRADE_TEST_NO_SCREEN") != "1"     # for the red-team tests
        try:
            grading.grade(args.key, args.submissions, args.out, limits=limits, seed=args.seed,
                          progress=lambda m: print(m, flush=True), screen=screen)
        except grading.SandboxUnavailable as err:
            print(err, file=sys.stderr)
            return 2
        return 0
    results, warnings, note = grading.self_check(
        args.notebook, sandbox.Limits(cell_timeout=args.timeout, workers=1))
    if note:
        print(f"NOTE: {note}")
    for name, found in sorted(warnings.items()):
        print(f"WARNING (advice; the grader does not take points for it): answer {name!r} "
              + "; ".join(found))
    for r in results:
        unit = "point" if r.check.points == 1 else "points"
        print(f"{'PASS' if r.passed else 'FAIL'}  {r.check.name}  ({r.check.points:g} {unit})")
        if not r.passed:
            print(f"  why: {r.why}")
            print("  expected:\n" + _indent(r.expected) + "  got:\n" + _indent(r.got))
    got = sum(r.earned for r in results)
    print(f"{got:g} / {sum(r.check.points for r in results):g} points from the public checks")
    return 0 if all(r.passed for r in results) else 1


def _indent(text: str) -> str:
    return "".join(f"    {line}\n" for line in (text.rstrip("\n") or "(nothing)").split("\n"))


if __name__ == "__main__":
    sys.exit(main())

"""``rnn-grade``: release, grade and self-check the book's assignments.

    rnn-grade release assignments/01_forward/key.ipynb --out released/
    rnn-grade grade assignments/01_forward/key.ipynb submissions.zip --out graded/
    rnn-grade check 01_forward.ipynb

The lecturer's workflow (``rnngrade.workflow``): an LMS download (Canvas, Moodle, Blackboard;
zip or folder) in, a gradebook an LMS imports out; late work; one student or only new work
regraded; written answers marked by hand:

    rnn-grade grade KEY download.zip --out graded/ --deadline "2026-12-07 17:00" \
        --penalty "10%/day, max 50%"
    rnn-grade grade KEY download.zip --out graded/ --only "José Ñúñez"     # regrade one
    rnn-grade export-written KEY download.zip --out marking/
    rnn-grade import-written KEY marking/written_QUESTION.csv --out graded/

    rnn-grade gradescope assignments/01_forward/key.ipynb --out autograder.zip

Exit status 1 when some file could not be read, the grader failed on a submission, or no
submission was found; 2 when nothing was graded (a bad option or file, no sandbox).
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

    g = sub.add_parser("grade", help="grade a folder or zip of <student>.ipynb files, or one notebook")
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
                   help="grading seed (default: the journal's when resuming, else a fresh one; "
                        "a seed other than the journal's regrades everyone, or with --only "
                        "the students named, keeping the others' results)")
    g.add_argument("--unsafe-no-sandbox", action="store_true",
                   help="run students' code without bubblewrap (the reports say so)")
    _lms_options(g)

    e = sub.add_parser("export-written", help="every student's written answer to one question, "
                       "side by side (HTML) and a CSV to fill")
    e.add_argument("key")
    e.add_argument("submissions")
    e.add_argument("--out", required=True, help="folder for written_<question>.html and .csv")
    e.add_argument("--question", default=None, help="the written question (default: the only one)")

    i = sub.add_parser("import-written", help="read the filled CSV back into a graded folder")
    i.add_argument("key")
    i.add_argument("marks", help="the filled written_<question>.csv")
    i.add_argument("--out", required=True, help="the folder `rnn-grade grade` wrote")

    gs = sub.add_parser("gradescope", help="write Gradescope's autograder.zip for a key "
                       "(setup.sh, run_autograder, the grader, the key)")
    gs.add_argument("key")
    gs.add_argument("--out", required=True, help="the zip to write, e.g. autograder.zip")
    gs.add_argument("--seed", type=int, default=None,
                   help="one grading seed for every submission (default: a fresh seed drawn "
                        "for each submission at grading time)")

    c = sub.add_parser("check", help="run your notebook's public checks fresh")
    c.add_argument("notebook")
    c.add_argument("--timeout", type=int, default=60, help="seconds per cell (default 60)")
    return p


def _lms_options(g) -> None:
    g.add_argument("--deadline", help="'2026-12-07 17:00', in the LMS's time zone (a date "
                   "alone is its midnight, the start of that day); a rerun keeps the earlier "
                   "late options it does not give, 'none' lifts one")
    g.add_argument("--penalty", help="late policy, e.g. '10%%/day', '10%%/day, max 50%%', "
                   "'5%%/hour, zero after 3 days', '20%%', 'zero', 'none'")
    g.add_argument("--grace", help="time after the deadline still on time, e.g. '15m'")
    g.add_argument("--timezone", help="the LMS's time zone, e.g. 'Europe/London': lateness "
                   "across a summer-time change counted in real hours")
    g.add_argument("--times", help="submission times by LMS id: Moodle's grading worksheet, "
                   "or a CSV with columns lms_id, submitted")
    g.add_argument("--extension", action="append", default=[], metavar="STUDENT=TIME",
                   help="a student's own deadline (key, LMS id or name); repeatable")
    g.add_argument("--only", action="append", default=[], metavar="STUDENT",
                   help="grade only this student (key, LMS id or name), keep the others' "
                        "earlier results; repeatable")
    g.add_argument("--new-only", action="store_true",
                   help="grade only notebooks new or changed since the last run in --out "
                        "(what every rerun does: the journal keeps the others' results)")


def _lms(args) -> int:
    from . import late, workflow

    def say(message: str) -> None:
        print(message, flush=True)

    try:
        if args.command == "export-written":
            html_path, csv_path, found = workflow.export_written(args.key, args.submissions,
                                                                 args.out, args.question)
            for n in found.not_graded:
                say(f"  not exported: {n.source}: {n.reason}")
            say(f"{len(found.records)} answers: {html_path}\nfill in: {csv_path}")
            return 0 if found.ok else 1
        if args.command == "import-written":
            n, _ = workflow.import_written(args.key, args.marks, args.out)
            say(f"{n} marks read; gradebook at {args.out}/gradebook.csv")
            return 0
        limits = sandbox.Limits(cell_timeout=args.timeout, mem_mb=args.memory, cpu_s=args.cpu,
                                workers=args.workers, sandbox=not args.unsafe_no_sandbox)
        screen = os.environ.get("RNNGRADE_TEST_NO_SCREEN") != "1"     # for the red-team tests
        options = {"deadline": args.deadline, "penalty": args.penalty, "grace": args.grace,
                   "extensions": args.extension, "timezone": args.timezone}
        summary = workflow.grade_class(
            args.key, args.submissions, args.out, limits=limits, seed=args.seed,
            policy=options if any(options.values()) else None, only=args.only,
            new_only=args.new_only, progress=say, screen=screen,
            times=late.read_times(args.times) if args.times else None)
    except grading.SandboxUnavailable as err:
        print(err, file=sys.stderr)
        return 2
    except (ValueError, OSError) as err:      # a bad option, a missing or unreadable file
        print(f"rnn-grade: {err}", file=sys.stderr)
        return 2
    if summary.grader_errors:
        print(f"rnn-grade: the grader failed on {len(summary.grader_errors)} submission(s) "
              f"({', '.join(summary.grader_errors)}): no score for them, see the reason column "
              "of gradebook.csv; run the same command again to grade them", file=sys.stderr)
    if not summary.ok:
        unreadable = sum(n.unreadable for n in summary.not_graded)
        if unreadable or not summary.grader_errors:
            print("rnn-grade: " + (f"{unreadable} file(s) could not be read (see the reason "
                                   "column of gradebook.csv)" if unreadable else
                                   "no submission found"), file=sys.stderr)
        return 1
    return 0


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "release":
        print(grading.release_key(args.key, args.out))
        return 0
    if args.command in ("grade", "export-written", "import-written"):
        return _lms(args)
    if args.command == "gradescope":
        from . import gradescope
        try:
            path = gradescope.export(args.key, args.out, seed=args.seed)
        except (ValueError, OSError) as err:
            print(f"rnn-grade: {err}", file=sys.stderr)
            return 2
        print(path)
        return 0
    try:
        results, warnings, note = grading.self_check(
            args.notebook, sandbox.Limits(cell_timeout=args.timeout, workers=1))
    except (ValueError, OSError) as err:      # not a release, unreadable, damaged metadata
        print(f"rnn-grade check: {err}", file=sys.stderr)
        return 2
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

"""Scores and what the grader writes: gradebook.csv, feedback HTML, Gradescope results.json.

Feedback shows, for a public check, the expected and the obtained output; for a hidden
check only whether it passed and its points, never its inputs or its expected output. The
answer screen's warnings are shown as advice; they cost no points.
"""
from __future__ import annotations

import csv
import html
import json
import os
from dataclasses import dataclass, field

from .cells import Check


@dataclass
class CheckResult:
    check: Check
    passed: bool
    earned: float
    expected: str = ""
    got: str = ""
    why: str = ""          # a short reason for a failure, safe to show


@dataclass
class StudentResult:
    student: str
    results: list[CheckResult]
    notes: list[str] = field(default_factory=list)
    warnings: dict = field(default_factory=dict)    # answer → what the screen noticed
    seed: int | None = None       # the grading seed this student's hidden inputs came from
    error: str = ""               # the grader failed on this submission: no score at all

    @property
    def score(self) -> float:
        return sum(r.earned for r in self.results)

    @property
    def max_score(self) -> float:
        return sum(r.check.points for r in self.results)

    def advice(self) -> list[str]:
        """The screen's warnings as sentences (advice: they cost no points)."""
        return [f"Advice, not a penalty: the grader's screen noticed that answer {name!r} "
                + "; ".join(found) for name, found in sorted(self.warnings.items())]

    def to_dict(self) -> dict:
        return {"student": self.student, "notes": self.notes, "warnings": self.warnings,
                "seed": self.seed, "error": self.error,
                "results": [{"check": r.check.name, "passed": r.passed, "earned": r.earned,
                             "expected": r.expected, "got": r.got, "why": r.why}
                            for r in self.results]}

    @classmethod
    def from_dict(cls, data: dict, checks: list[Check]) -> StudentResult:
        by_name = {r["check"]: r for r in data["results"]}
        if set(by_name) != {c.name for c in checks}:
            raise ValueError("journal: checks differ from the key's")
        results = [CheckResult(c, bool(by_name[c.name]["passed"]),
                               float(by_name[c.name]["earned"]), by_name[c.name]["expected"],
                               by_name[c.name]["got"], by_name[c.name]["why"]) for c in checks]
        seed = data.get("seed")
        return cls(data["student"], results, list(data["notes"]), dict(data["warnings"]),
                   None if seed is None else int(seed), str(data.get("error") or ""))


def write_gradebook(path: str, checks: list[Check], students: list[StudentResult],
                    sandboxed: bool = True) -> None:
    """One row per student; the last column says whether the code ran in a sandbox."""
    where = "bubblewrap" if sandboxed else "NONE (--unsafe-no-sandbox)"
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["student", "score", "max_score"] + [c.name for c in checks] + ["sandbox"])
        for s in students:
            if s.error:                      # the grader failed: no score, not a 0
                w.writerow([s.student, "", _num(s.max_score)] + [""] * len(checks)
                           + [where])
                continue
            earned = {r.check.name: r.earned for r in s.results}
            w.writerow([s.student, _num(s.score), _num(s.max_score)]
                       + [_num(earned[c.name]) for c in checks] + [where])


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def test_name(check: Check) -> str:
    """A check's name as Gradescope shows it: the function it grades, then the check."""
    if check.name.startswith("written:") or not check.answer:
        return check.name
    return f"{check.answer}: {check.name}"


def gradescope(s: StudentResult, isolation: str = "") -> dict:
    """Gradescope's autograder results.json for one student (the format of its autograder
    specification): one test per check, named and tagged with the function it grades; a
    public check "visible", with expected and obtained output when it fails; a hidden check
    "after_published" (students see it once the lecturer publishes the grades), with only
    its points and the kind of failure, never its inputs or its expected output. The
    grading seed is in the top-level output and ``extra_data``."""
    tests = []
    for r in s.results:
        written = r.check.name.startswith("written:")
        if r.check.hidden:
            output = "hidden check: " + ("passed" if r.passed else f"failed: {r.why}")
        elif written:
            output = r.why
        else:
            output = ("passed" if r.passed else
                      f"{r.why}\nexpected:\n{r.expected}\ngot:\n{r.got}")
        tests.append({"name": test_name(r.check), "score": r.earned,
                      "max_score": r.check.points, "status": "passed" if r.passed else "failed",
                      "output": output,
                      "tags": ["written"] if written else [r.check.answer] if r.check.answer
                      else [],
                      "visibility": "after_published" if r.check.hidden else "visible"})
    lines = list(s.notes) + s.advice()
    if s.seed is not None:
        lines.append(f"grading seed: {s.seed} (hidden checks drew their inputs from it)")
    if isolation:
        lines.append(isolation)
    extra = {"seed": s.seed}
    if isolation:
        extra["isolation"] = isolation
    return {"score": s.score, "output": "\n".join(lines), "visibility": "visible",
            "stdout_visibility": "hidden", "extra_data": extra, "tests": tests}


def feedback_html(assignment: str, s: StudentResult, name: str | None = None) -> str:
    """The student's page; ``name`` is the name the LMS gave (default: the student's key)."""
    name = name or s.student
    rows = []
    for r in s.results:
        status = "passed" if r.passed else "failed"
        detail = ""
        if not r.check.hidden:
            detail = (f"<details><summary>expected vs got</summary><p>expected</p><pre>"
                      f"{html.escape(r.expected)}</pre><p>got</p><pre>{html.escape(r.got)}"
                      f"</pre></details>")
        # a hand mark's comment is shown whatever the points (full marks deserve it too)
        shown = r.why and (not r.passed or r.check.name.startswith("written:"))
        why = f"<p>{html.escape(r.why)}</p>" if shown else ""
        kind = "hidden" if r.check.hidden else "public"
        rows.append(f"<tr class='{status}'><td>{html.escape(r.check.name)}</td><td>{kind}</td>"
                    f"<td>{status}</td><td>{_num(r.earned)} / {_num(r.check.points)}</td>"
                    f"<td>{why}{detail}</td></tr>")
    lines = s.notes + s.advice()
    if s.seed is not None:
        lines = lines + [f"Grading seed: {s.seed}."]
    notes = "".join(f"<p>{html.escape(n)}</p>" for n in lines)
    score = (f"Not graded: {s.error}" if s.error else
             f"Score: {_num(s.score)} / {_num(s.max_score)}")
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(assignment)}"
            f" — {html.escape(name)}</title><style>body{{font-family:sans-serif}}"
            f"td{{border-top:1px solid #ccc;padding:4px;vertical-align:top}}"
            f".passed td:nth-child(3){{color:#0072b2}}.failed td:nth-child(3){{color:#d55e00}}"
            f"</style></head><body><h1>{html.escape(assignment)}: {html.escape(name)}</h1>"
            f"<p>{html.escape(score)}</p>{notes}<table><tr><th>check"
            f"</th><th>kind</th><th>result</th><th>points</th><th>details</th></tr>"
            f"{''.join(rows)}</table></body></html>")


def write_all(out: str, assignment: str, checks: list[Check],
              students: list[StudentResult], sandboxed: bool = True,
              names: dict | None = None) -> None:
    """gradebook.csv, feedback/<student>.html (headed with ``names[student]``, the LMS's name,
    when given) and results/<student>.json."""
    names = names or {}
    os.makedirs(os.path.join(out, "feedback"), exist_ok=True)
    os.makedirs(os.path.join(out, "results"), exist_ok=True)
    write_gradebook(os.path.join(out, "gradebook.csv"), checks, students, sandboxed)
    for s in students:
        with open(os.path.join(out, "feedback", f"{s.student}.html"), "w",
                  encoding="utf-8") as f:
            f.write(feedback_html(assignment, s, names.get(s.student)))
        path = os.path.join(out, "results", f"{s.student}.json")
        if s.error:                  # no score to upload: not a results.json with a 0
            if os.path.exists(path):
                os.remove(path)
            continue
        with open(path, "w", encoding="utf-8") as f:
            json.dump(gradescope(s), f, indent=1)


# ------------------------------------------------------------------ the LMS gradebook

LMS_COLUMNS = ["student", "score", "max_score", "name", "lms_id", "raw_score", "penalty",
               "submitted", "late", "reason"]


def write_lms_gradebook(path: str, columns: list[str], rows: list[dict]) -> None:
    """gradebook.csv with the columns an LMS imports: the key, the penalised score (``score``)
    and the maximum (first, as before), the name as the LMS wrote it, its id, the raw score,
    the points taken for lateness, the submission time, the late flag and a reason (why a
    file was not graded, lateness, missing answers, unmarked written answers); then one column
    per check or written question. A file that was not graded has a row with its reason and
    no score. UTF-8 (``José Ñúñez`` and ``王小明`` as written), no BOM, so that a script reading
    it with ``csv`` finds the column ``student`` as before."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(LMS_COLUMNS + columns)
        for row in rows:
            w.writerow([_cell(row.get(c, "")) for c in LMS_COLUMNS + columns])


def _cell(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, (int, float)):
        return _num(round(float(value), 4))
    return "" if value is None else as_text(str(value))


_FORMULA = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def as_text(value: str) -> str:
    """A text cell a spreadsheet shows as text: a leading ``=``, ``+``, ``-``, ``@``, tab or
    carriage return (names, file names and answers are the students' own) would make Excel or
    LibreOffice run it as a formula (``=HYPERLINK(...)``, DDE) when the lecturer opens the CSV,
    so such a cell starts with an apostrophe (OWASP's advice for CSV injection)."""
    return "'" + value if value.startswith(_FORMULA) else value

"""The runner of a simulated class (``assignments/NN_name/simulated_class.py``).

A simulated class is a dict ``STUDENTS``: student name → ``{"answers": {answer name: new
source, or a list of (old, new) edits of the key's source}, "lost": points below full
marks, "why": what is wrong}``. The runner builds each student's notebook from the released
notebook (the key's answers, then the student's), adds ``key`` (every answer the key's: full
marks) and ``blank`` (the released notebook as handed out: 0), grades them all in one
``rnn-grade grade`` run, and returns every student whose score is not full − lost, with the
per-check results. Used by tests/test_simulated_classes.py.
"""
from __future__ import annotations

import copy
import csv
import json
import runpy
from dataclasses import dataclass
from pathlib import Path

import nbformat

from rnngrade import cells, cli, grading

ROOT = Path(__file__).resolve().parents[1]
RESERVED = ("key", "blank")


@dataclass
class Student:
    name: str
    answers: dict
    lost: float
    why: str


def load_class(path: Path) -> list[Student]:
    """The students of ``path``; ValueError naming the student whose entry is malformed."""
    data = runpy.run_path(str(path)).get("STUDENTS")
    if not isinstance(data, dict) or not data:
        raise ValueError(f"{path}: expected a non-empty dict STUDENTS")
    out = []
    for name, entry in data.items():
        where = f"{path}: student {name!r}"
        if name in RESERVED or not isinstance(name, str) or not name.replace("_", "").isalnum():
            raise ValueError(f"{where}: a name of letters, digits and '_', not "
                             f"{'/'.join(RESERVED)} (the runner adds those)")
        if not isinstance(entry, dict) or set(entry) != {"answers", "lost", "why"}:
            raise ValueError(f"{where}: expected the keys answers, lost, why; got "
                             f"{sorted(entry) if isinstance(entry, dict) else entry!r}")
        if not isinstance(entry["lost"], (int, float)) or entry["lost"] < 0:
            raise ValueError(f"{where}: 'lost' must be a number >= 0, got {entry['lost']!r}")
        out.append(Student(name, dict(entry["answers"]), float(entry["lost"]), str(entry["why"])))
    return out


def key_answers(key) -> dict[str, str]:
    found = {}
    for c in key.cells:
        if c.cell_type == "code" and cells.role(c) == "answer":
            found.setdefault(str(cells.info(c)["answer"]), c.source)
    return found


def notebook_of(blank, key_sources: dict, student: Student | None):
    """The released notebook with the key's answers, then the student's, in its answer cells."""
    nb = copy.deepcopy(blank)
    wanted = dict(key_sources)
    given = student.answers if student else {}
    unknown = sorted(set(given) - set(key_sources))
    if unknown:
        raise ValueError(f"student {student.name!r}: no answer named {unknown} in the key "
                         f"(answers: {sorted(key_sources)})")
    for answer, spec in given.items():
        if isinstance(spec, str):
            wanted[answer] = spec
            continue
        source = key_sources[answer]
        for old, new in spec:
            if old not in source:
                raise ValueError(f"student {student.name!r}, answer {answer!r}: the edit's old "
                                 f"text does not occur in the key's source: {old!r}")
            source = source.replace(old, new)
        wanted[answer] = source
    for c in nb.cells:
        if c.cell_type == "code" and cells.role(c) == "answer":
            c.source = wanted[str(cells.info(c)["answer"])]
    return nb


def blank_of(folder: Path, key_path: Path, assignment: str, tmp: Path):
    released = ROOT / "assignments" / "released" / f"{assignment}.ipynb"
    if folder.resolve().parent == (ROOT / "assignments").resolve() and released.exists():
        return nbformat.read(released, as_version=4)
    return nbformat.read(grading.release_key(str(key_path), str(tmp / "released")), as_version=4)


def run(folder: Path, tmp: Path) -> tuple[list[str], dict]:
    """Grade ``folder``'s simulated class; returns (mismatch messages, {student: score})."""
    key_path = folder / "key.ipynb"
    key = nbformat.read(key_path, as_version=4)
    assignment = cells.assignment_meta(key)["assignment"]
    checks = cells.checks(key)
    full = sum(c.points for c in checks)
    students = load_class(folder / "simulated_class.py")
    blank = blank_of(folder, key_path, assignment, tmp)
    sources = key_answers(key)
    subs = tmp / "submissions"
    subs.mkdir(parents=True)
    expect = {"key": (full, "the key's own answers"), "blank": (0.0, "the released notebook")}
    nbformat.write(notebook_of(blank, sources, None), subs / "key.ipynb")
    nbformat.write(blank, subs / "blank.ipynb")
    for s in students:
        nbformat.write(notebook_of(blank, sources, s), subs / f"{s.name}.ipynb")
        expect[s.name] = (full - s.lost, s.why)
    out = tmp / "graded"
    status = cli.main(["grade", str(key_path), str(subs), "--out", str(out)])
    with open(out / "gradebook.csv", encoding="utf-8") as f:
        rows = {r["name"] or r["student"]: r for r in csv.DictReader(f)}
    problems, scores = [], {}
    if status != 0:
        problems.append(f"rnn-grade grade exited with status {status}")
    for name, (want, why) in expect.items():
        row = rows.get(name)
        if row is None or row.get("score", "") == "":
            problems.append(f"{name}: no score in the gradebook "
                            f"({row.get('reason') if row else 'no row'})")
            continue
        got = float(row["score"])
        scores[name] = got
        if abs(got - want) > 1e-9:
            results = json.loads((out / "results" / f"{row['student']}.json").read_text())
            detail = "\n".join(
                f"      {t['name']}: {t['score']:g}/{t['max_score']:g}"
                + ("" if t["score"] == t["max_score"] else
                   f"  ({t['output'].splitlines()[0] if t['output'] else ''})")
                for t in results["tests"])
            problems.append(f"{assignment}: student {name!r} scored {got:g}, expected {want:g} "
                            f"(full {full:g} - lost {full - want:g}: {why}); per check:\n"
                            + detail)
    return problems, scores

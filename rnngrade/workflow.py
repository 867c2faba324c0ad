"""The lecturer's workflow around a grading run: an LMS download in, an LMS gradebook out.

``grade_class`` reads the download (``lms``), grades the chosen notebooks with the grading
pipeline (``grading.grade``, handed a folder of ``<key>.ipynb`` and the same ``out``), applies
the late policy (``late``) and the hand marks of written answers (``manual``), and writes
gradebook.csv with the LMS columns, the feedback pages and the Gradescope results.

One record of results: the grading run's journal (``<out>/journal/``, one file per student
with the sha256 of the notebook and of the key it was graded with). ``<out>/lms_state.json``
keeps only what the LMS said (names, ids, times, late flags, where each file came from, the
sha256 of the notebook graded), the late options and the files not graded. So a rerun grades
only the notebooks with no journaled result for this key (new, changed, graded with an older
key, or left when a run was stopped) and keeps everyone else's; ``only`` regrades the students
named, whatever the journal holds (``new_only`` is what every rerun does; kept for scripts).
``rebuild`` rewrites the reports from the state and the journal (after importing written
marks) without running anything.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import datetime

import nbformat

from . import cells, gradebook, grading, late, lms, manual

STATE = "lms_state.json"
WRITTEN = "written.json"


@dataclass
class Summary:
    graded: list[str]                    # keys graded in this run
    kept: list[str]                      # keys whose earlier result was kept
    not_graded: list[lms.NotGraded]
    rows: list[dict] = field(default_factory=list)
    ok: bool = True                      # every file read, graded, and something found
    grader_errors: list[str] = field(default_factory=list)   # keys the grader failed on


# ------------------------------------------------------------------ the key

def key_facts(key_path: str):
    """(key notebook, assignment name, answer names, checks, written questions)."""
    key = nbformat.read(key_path, as_version=4)
    name = cells.assignment_meta(key)["assignment"]
    answers = []
    for c in key.cells:
        if c.cell_type == "code" and cells.role(c) == "answer":
            a = str(cells.info(c).get("answer"))
            if a not in answers:
                answers.append(a)
    return key, name, answers, cells.checks(key), manual.questions(key)


# ------------------------------------------------------------------ the policy, kept in state

def policy_from(spec: dict | None) -> late.Policy | None:
    """A Policy from its written options {deadline, penalty, grace, extensions}; None if empty."""
    spec = spec or {}
    if not any(spec.get(k) for k in ("deadline", "penalty", "extensions")):
        if spec.get("timezone"):
            late.zone(spec["timezone"])
        return None
    late.zone(spec.get("timezone") or None)
    return late.Policy(
        deadline=late.parse_time(spec["deadline"]) if spec.get("deadline") else None,
        penalty=late.parse_penalty(spec.get("penalty") or "none"),
        grace=late.parse_duration(spec.get("grace") or "0"),
        extensions=dict(late.parse_extension(e) for e in spec.get("extensions") or []),
        timezone=spec.get("timezone") or None)


def merge_policy(earlier: dict | None, given: dict) -> dict:
    """The late options of a rerun: those given replace the earlier ones, the others stay
    (``--only X --grace 15m`` keeps the deadline and the penalty; ``--penalty none`` and
    ``--deadline none`` lift them); extensions add to the earlier ones, a student's latest one
    replacing theirs."""
    merged = dict(earlier or {})
    merged.update({k: v for k, v in given.items() if v and k != "extensions"})
    for k in ("deadline", "grace", "timezone"):              # ``--deadline none`` lifts it
        if str(merged.get(k) or "").strip().lower() == "none":
            merged.pop(k)
    extensions = {}
    for e in list(merged.get("extensions") or []) + list(given.get("extensions") or []):
        extensions[str(e).partition("=")[0].strip()] = e
    merged["extensions"] = list(extensions.values())
    return merged


def _extensions_by_key(policy: late.Policy | None, people, strict: bool) -> late.Policy | None:
    """The policy with each extension resolved to one student's key (``people``: (key, LMS id,
    name) triples). An extension that names two students (a student named like another's
    LMS id, two students of one name) is refused; one that names no one is refused when
    ``strict`` (a typo would leave the student penalised)."""
    if policy is None or not policy.extensions:
        return policy
    resolved = {}
    for who, deadline in policy.extensions.items():
        found = resolve(people, who)
        if len(found) > 1:
            raise ValueError(f"argument 'extension': {who!r} matches {len(found)} students "
                             f"({_listing(people, found)}); name one by its key or LMS id")
        if not found:
            if strict:
                raise ValueError(f"argument 'extension': no student {who!r}; expected a key, "
                                 f"LMS id or name, e.g. one of: {_names(people)}")
            continue
        resolved[found[0]] = deadline
    return dataclasses.replace(policy, extensions=resolved)


# ------------------------------------------------------------------ state

def load_state(out: str) -> dict:
    path = os.path.join(out, STATE)
    if not os.path.exists(path):
        return {"students": {}, "policy": {}}
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def _save_json(path: str, data) -> None:
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1, ensure_ascii=False)
    os.replace(tmp, path)


def _entry(record: lms.Record) -> dict:
    """What the LMS said about a graded notebook (its result is in the journal)."""
    return {"name": record.name, "lms": record.lms, "lms_id": record.lms_id,
            "submitted": record.submitted.isoformat(sep=" ") if record.submitted else None,
            "late": record.late, "source": record.source, "sha256": record.sha256,
            "path_notes": record.notes,
            "graded_at": datetime.now().isoformat(sep=" ", timespec="seconds")}


def _journal(out: str, key_sha: str, seed: int | None = None) -> grading.Journal | None:
    """The journal of the earlier runs in ``out``, or None if there is none to keep (none
    yet, or ``seed`` is not its seed: the grading run then starts a new one)."""
    try:
        with open(os.path.join(out, "journal", grading.Journal.RUN_FILE), encoding="utf-8") as f:
            earlier = int(json.load(f)["seed"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if seed is not None and int(seed) != earlier:
        return None
    return grading.Journal(out, key_sha, None)


def _result_of(journal: grading.Journal | None, key: str, entry: dict,
               checks) -> gradebook.StudentResult | None:
    """The journaled result of the notebook ``entry`` describes, graded with this key or an
    earlier one; None if the journal has none (or its checks are no longer the key's)."""
    if journal is None:
        return None
    return journal.load(key, entry.get("sha256", ""), checks, any_key=True)


# ------------------------------------------------------------------ selecting who to grade

def resolve(people, who: str) -> list[str]:
    """The keys of the students ``who`` names, from (key, LMS id, name) triples: a key names
    one student (keys are unique); otherwise every student whose LMS id or name it is."""
    w = lms.nfc(str(who)).strip().casefold()
    by_key = [k for k, _, _ in people if k.casefold() == w]
    if len(by_key) == 1:
        return by_key
    return sorted({k for k, ident, name in people
                   if w and w in (k.casefold(), (ident or "").casefold(),
                                  lms.nfc(name or "").casefold())})


def _people(records) -> list[tuple[str, str, str]]:
    return [(r.key, r.lms_id, r.name) for r in records]


def _names(people) -> str:
    return ", ".join(sorted(name for _, _, name in people)[:20])


def _listing(people, keys) -> str:
    return ", ".join(f"{k}" + (f" (LMS id {i})" if i else "") for k, i, _ in people
                     if k in keys)


def select(records, done, only=(), new_only: bool = False) -> list[lms.Record]:
    """The records this run grades; ValueError when an ``only`` name matches no one, or two
    students (name them by key or LMS id). ``done(record)`` says whether the journal holds a
    result for that notebook and this key. Without ``only``, every record not done (new or
    changed notebooks, those graded with another version of the key, those a stopped run
    left); with ``only``, the students named, done or not (with ``new_only`` too, those of
    them not done)."""
    chosen = list(records)
    if only:
        people, keys = _people(records), set()
        for who in only:
            found = resolve(people, who)
            if not found:
                raise ValueError(f"argument 'only': no submission from {who!r}; expected a "
                                 f"key, LMS id or name, e.g. one of: {_names(people)}")
            if len(found) > 1:
                raise ValueError(f"argument 'only': {who!r} matches {len(found)} students "
                                 f"({_listing(people, found)}); name one by its key or LMS id")
            keys.update(found)
        chosen = [r for r in chosen if r.key in keys]
    if new_only or not only:
        chosen = [r for r in chosen if not done(r)]
    return chosen


def _identity(lms_name: str, lms_id: str, name: str) -> tuple:
    return (lms_name, lms_id) if lms_id else (lms_name, lms.nfc(name or "").casefold())


def stable_keys(records, students: dict) -> None:
    """Give each record the key its student had in the earlier run (``students``, the state),
    so that a newcomer whose name collides with theirs (keys get ``_2`` in the order of the
    download) never takes over their kept result; a new student gets a key no earlier
    student holds."""
    earlier = {}
    for k, e in students.items():
        earlier.setdefault(_identity(e.get("lms", ""), e.get("lms_id", ""), e.get("name", "")), k)
    used, fresh = set(), []
    for r in records:
        k = earlier.get(_identity(r.lms, r.lms_id, r.name))
        if k is not None and k.casefold() not in used:
            r.key = k
            used.add(k.casefold())
        else:
            fresh.append(r)
    taken = used | {k.casefold() for k in students}
    for r in fresh:
        base, key, n = r.key, r.key, 2
        while key.casefold() in taken:
            key, n = f"{base}_{n}", n + 1
        r.key = key
        taken.add(key.casefold())


def _key_sha(key_path: str) -> str:
    with open(key_path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def _same_assignment(state: dict, assignment: str, out: str) -> None:
    theirs = state.get("assignment")
    if state.get("students") and theirs and theirs != assignment:
        raise ValueError(f"argument 'out': {out!r} holds the grading of {theirs!r}, not of "
                         f"{assignment!r}; give each assignment its own --out")


# ------------------------------------------------------------------ grading a class

def grade_class(key_path: str, source: str, out: str, *, policy: dict | None = None,
                only=(), new_only: bool = False, times: dict | None = None, grade=None,
                limits=None, seed=None, screen: bool = True, progress=print) -> Summary:
    """Grade an LMS download into ``out``; see the module's docstring.

    ``policy`` holds the late options as written ({deadline, penalty, grace, extensions,
    timezone}), merged over those of the previous run in ``out`` (``merge_policy``). ``times`` gives
    submission times by LMS id or key (``late.read_times``) where the download's names have
    none (Canvas, Moodle). ``grade`` is the
    grading pipeline, ``grading.grade`` by default (a test passes a fake one); ``seed``,
    ``limits`` and ``screen`` are handed to it (``seed`` None: the journal's).
    """
    _key, assignment, answers, checks, _ = key_facts(key_path)
    key_sha = _key_sha(key_path)
    os.makedirs(out, exist_ok=True)
    state = load_state(out)
    _same_assignment(state, assignment, out)
    if policy is not None:
        state["policy"] = merge_policy(state.get("policy"), policy)
        policy_from(state["policy"])              # refuse a bad option before grading
    work = tempfile.mkdtemp(prefix="rg-lms-")
    try:
        found = lms.read(source, os.path.join(work, "submitted"), assignment=assignment,
                         answers=answers)
        stable_keys(found.records, state["students"])
        for r in found.records:
            if r.submitted is None and times:
                r.submitted = times.get(r.lms_id) or times.get(r.key)
        for n in found.not_graded:
            progress(f"  not graded: {n.source}: {n.reason}")
        rules = policy_from(state.get("policy"))
        people = _people(found.records) + [(k, e.get("lms_id", ""), e.get("name", ""))
                                           for k, e in state["students"].items()
                                           if k not in {r.key for r in found.records}]
        _extensions_by_key(rules, people, strict=True)
        untimed = [r for r in found.records if r.submitted is None and r.late is None]
        if rules is not None and rules.deadline is not None and untimed:
            progress(f"rnn-grade: {len(untimed)} students have no submission time in the "
                     "download (give --times): counted on time")
        journal = _journal(out, key_sha, seed)
        earlier = _journal(out, key_sha)          # whatever its seed: --only forgets in it

        def done(r: lms.Record) -> bool:            # a stopped run's results count too
            return journal is not None and journal.load(r.key, r.sha256, checks) is not None
        chosen = select(found.records, done, only, new_only)
        grader_errors: list[str] = []
        kept = [r.key for r in found.records
                 if r not in chosen and (r.key in state["students"] or done(r))]
        progress(f"rnn-grade: {len(found.records)} students in {os.path.basename(source)}, "
                 f"{len(found.not_graded)} files not graded; grading {len(chosen)}"
                 + (f", keeping {len(kept)} earlier results" if kept else ""))
        if chosen:
            folder = os.path.join(work, "to_grade")
            os.makedirs(folder)
            for r in chosen:
                shutil.copyfile(r.path, os.path.join(folder, r.key + ".ipynb"))
                if only and earlier is not None:
                    earlier.forget(r.key)         # --only: regraded even if journaled
            kwargs = {"seed": seed, "progress": progress}
            if only and seed is not None and earlier is not None and journal is None:
                kwargs["keep_journal"] = True     # --only X --seed N: the others stay
            if limits is not None:
                kwargs["limits"] = limits
            if not screen:
                kwargs["screen"] = False
            results = (grade or grading.grade)(key_path, folder, out, **kwargs)
            by_key = {res.student: res for res in results}
            journal = grading.Journal(out, key_sha, None)    # the run's (resumed, never reset)
            for r in chosen:
                res = by_key.get(r.key)
                if res is None:
                    raise RuntimeError(f"rnn-grade: the grading run returned no result for "
                                       f"{r.key!r}")
                entry = _entry(r)
                if res.error:                     # no score: not journaled, graded next run
                    entry["grader_error"] = res.error
                    grader_errors.append(r.key)
                    journal.forget(r.key)
                elif journal.load(r.key, r.sha256, checks) is None:  # a pipeline without one
                    journal.save(r.key, r.sha256, res)
                state["students"][r.key] = entry
        if journal is not None:                   # graded by a run stopped before its end
            for r in found.records:
                if (r not in chosen and r.key not in state["students"]
                        and journal.load(r.key, r.sha256, checks) is not None):
                    state["students"][r.key] = _entry(r)
        for r in found.records:                   # the LMS facts of a student not regraded
            if r.key in state["students"] and r not in chosen:
                entry = state["students"][r.key]
                entry.update(name=r.name, lms_id=r.lms_id)
                if entry.get("sha256") == r.sha256:
                    entry.pop("newer_file", None)
                    entry["source"] = r.source
                    if r.submitted:
                        entry["submitted"] = r.submitted.isoformat(sep=" ")
                else:                              # the result is of the file graded before
                    entry["newer_file"] = r.source
        state["assignment"] = assignment
        state["not_graded"] = [vars(n) for n in found.not_graded]
        pending = [r for r in found.records if r.key not in state["students"]]
        state["pending"] = [{"key": r.key, "name": r.name, "lms_id": r.lms_id,
                             "source": r.source} for r in pending]
        _save_json(os.path.join(out, STATE), state)
        rows = rebuild(key_path, out)
        return Summary([r.key for r in chosen], kept, found.not_graded, rows,
                       found.ok and not grader_errors, grader_errors)
    finally:
        shutil.rmtree(work, ignore_errors=True)


# ------------------------------------------------------------------ the reports

def rebuild(key_path: str, out: str) -> list[dict]:
    """Write gradebook.csv, feedback/ and results/ from the state, the journal and the
    written marks."""
    _key, assignment, _, checks, questions = key_facts(key_path)
    key_sha = _key_sha(key_path)
    journal = _journal(out, key_sha)
    state = load_state(out)
    _same_assignment(state, assignment, out)
    people = [(k, e.get("lms_id", ""), e.get("name", "")) for k, e in state["students"].items()]
    people += [(p["key"], p["lms_id"], p["name"]) for p in state.get("pending", [])]
    policy = _extensions_by_key(policy_from(state.get("policy")), people, strict=False)
    marks = load_written(out)
    written_checks = [cells.Check(f"written:{q.name}", q.name, q.points, False)
                      for q in questions]
    results, rows = [], []
    for k in sorted(state["students"], key=lambda k: (state["students"][k]["name"].casefold(),
                                                       k)):
        entry = state["students"][k]
        res = _result_of(journal, k, entry, checks)
        if res is None:
            reason = ("no result in the journal for this notebook (a stopped run, or the key's "
                      "checks changed): rerun to grade it")
            if entry.get("grader_error"):
                reason = f"not graded, grader error: {entry['grader_error']}"
            rows.append({"student": k, "name": entry["name"], "lms_id": entry.get("lms_id", ""),
                         "submitted": entry.get("submitted") or "", "reason": reason})
            continue
        reasons = list(entry.get("path_notes", []))
        if entry.get("newer_file"):
            reasons.append(f"a newer file is in the download ({entry['newer_file']}) than the "
                           "one graded: regrade (a rerun without --only does)")
        if journal.key_of(k) != key_sha:
            reasons.append("graded with an older version of the key: regrade (a rerun "
                           "without --only regrades every such student)")
        for wc, q in zip(written_checks, questions):
            m = marks.get(k, {}).get(q.name)
            if m is None or m.get("points") is None:
                res.results.append(gradebook.CheckResult(wc, False, 0.0, "", "",
                                                         "written answer not marked yet"))
                reasons.append(f"written answer {q.name} not marked yet")
            else:
                if m.get("sha256") and m["sha256"] != entry.get("sha256"):
                    reasons.append(f"written answer {q.name} marked on an earlier file than "
                                   "the one graded: re-mark it (export-written shows the new "
                                   "answer)")
                pts = float(m["points"])
                if pts > q.points:               # the key lowered the question's points since
                    reasons.append(f"written answer {q.name} marked {_num(pts)}, more than the "
                                   f"{_num(q.points)} points the key now gives: re-mark it")
                    pts = q.points
                res.results.append(gradebook.CheckResult(
                    wc, pts >= q.points, pts, "", "",
                    "marked by hand" + (f": {m['comment']}" if m.get("comment") else "")))
        raw = res.score
        submitted = (datetime.fromisoformat(entry["submitted"]) if entry.get("submitted")
                     else None)
        outcome = late.apply(policy, raw, res.max_score, submitted=submitted,
                             flagged=entry.get("late"), who=(k,))
        if (policy is not None and policy.deadline is not None and submitted is None
                and entry.get("late") is None):
            reasons.append("no submission time (give --times): counted on time")
        if outcome.reason:
            reasons.insert(0, outcome.reason)
            res.notes.insert(0, f"{outcome.reason}: {_num(raw)} → {_num(outcome.score)} / "
                                f"{_num(res.max_score)}" if outcome.penalty else outcome.reason)
        results.append((res, outcome))
        earned = {r.check.name: r.earned for r in res.results}
        rows.append({"student": k, "name": entry["name"], "lms_id": entry.get("lms_id", ""),
                     "score": outcome.score, "max_score": res.max_score, "raw_score": raw,
                     "penalty": outcome.penalty, "submitted": entry.get("submitted") or "",
                     "late": outcome.late, "reason": "; ".join(reasons), **earned,
                     "sandbox": _where(res)})
    for p in state.get("pending", []):
        rows.append({"student": p["key"], "name": p["name"], "lms_id": p["lms_id"],
                     "reason": "not graded yet (this run graded only some students)"})
    for n in state.get("not_graded", []):
        rows.append({"student": "", "name": n["name"], "lms_id": n["lms_id"],
                     "reason": f"{n['source']}: {n['reason']}"})
    all_checks = checks + written_checks
    names = {k: e.get("name") or k for k, e in state["students"].items()}
    gradebook.write_all(out, assignment, all_checks, [r for r, _ in results], names=names)
    gradebook.write_lms_gradebook(os.path.join(out, "gradebook.csv"),
                                  [c.name for c in all_checks] + ["sandbox"], rows)
    _write_lms_imports(out, assignment, state, rows)
    for res, outcome in results:                 # Gradescope's score is the penalised one
        path = os.path.join(out, "results", f"{res.student}.json")
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        data["score"] = outcome.score
        whys = {r.check.name: r.why for r in res.results}
        for test in data["tests"]:
            if test["name"].startswith("written:"):
                test["output"] = whys.get(test["name"], "")
        _save_json(path, data)
    return rows


def _where(res: gradebook.StudentResult) -> str:
    """The gradebook's ``sandbox`` column: where this student's code ran (the grading run
    notes an unsandboxed run in every result it makes)."""
    unsafe = any(n.startswith("graded WITHOUT a sandbox") for n in res.notes)
    return "NONE (--unsafe-no-sandbox)" if unsafe else "bubblewrap"


def _write_lms_imports(out: str, assignment: str, state: dict, rows: list[dict]) -> None:
    """The scores in the upload format of the LMS they came from, one file per LMS present:
    Canvas's gradebook import (matched on ``ID``, the user id) and Moodle's grading worksheet
    (matched on ``Identifier``, ``Participant <id>``). Only graded students; the penalised
    score; the reason as Moodle's feedback comment."""
    import csv

    lms_of = {k: e.get("lms") for k, e in state["students"].items()}
    graded = [r for r in rows if r.get("student") in lms_of and r.get("score") != ""
              and "score" in r]
    layouts = {
        "canvas": (["Student", "ID", "SIS User ID", "SIS Login ID", "Section", assignment],
                   lambda r: [gradebook.as_text(r["name"]), r["lms_id"], "", "", "",
                              _num(r["score"])]),
        "moodle": (["Identifier", "Full name", "Grade", "Feedback comments"],
                   lambda r: [f"Participant {r['lms_id']}", gradebook.as_text(r["name"]),
                              _num(r["score"]), gradebook.as_text(r["reason"])]),
    }
    for lms_name, (header, row_of) in layouts.items():
        mine = [r for r in graded if lms_of[r["student"]] == lms_name and r["lms_id"]]
        path = os.path.join(out, f"gradebook_{lms_name}.csv")
        if not mine:
            if os.path.exists(path):
                os.remove(path)
            continue
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(header)
            w.writerows(row_of(r) for r in mine)


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


# ------------------------------------------------------------------ written answers

def load_written(out: str) -> dict:
    path = os.path.join(out, WRITTEN)
    if not os.path.exists(path):
        return {}
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def export_written(key_path: str, source: str, out: str, question: str | None = None):
    """Every student's answer to one written question: (html path, csv path, Collection).

    Exported into the folder ``rnn-grade grade`` wrote, the students keep the keys they have
    there (see ``stable_keys``); the marks are read back checked against them."""
    key, assignment, answers, _, _ = key_facts(key_path)
    work = tempfile.mkdtemp(prefix="rg-written-")
    try:
        found = lms.read(source, work, assignment=assignment, answers=answers)
        state = load_state(out)                 # exported into the graded folder: its keys
        if state.get("assignment") in (None, assignment):
            stable_keys(found.records, state["students"])
        html_path, csv_path = manual.export(key, found.records, out, question)
        return html_path, csv_path, found
    finally:
        shutil.rmtree(work, ignore_errors=True)


def import_written(key_path: str, marks_csv: str, out: str) -> tuple[int, list[dict]]:
    """Merge a filled CSV into ``<out>/written.json`` and rewrite the reports.

    Returns (how many marks were read, the gradebook rows). The students must be those of
    the grading run in ``out``.
    """
    key, *_ = key_facts(key_path)
    state = load_state(out)
    if not state["students"]:
        raise ValueError(f"argument 'out': {out!r} holds no grading run ({STATE} is missing); "
                         "grade the class first")
    _same_assignment(state, cells.assignment_meta(key)["assignment"], out)
    marks = manual.read_marks(marks_csv, key, students={
        k: (e.get("name", ""), e.get("lms_id", "")) for k, e in state["students"].items()})
    written = load_written(out)
    for (student, question), m in marks.items():
        earlier = written.get(student, {}).get(question)
        if m.points is None and earlier and earlier.get("points") is not None:
            continue                       # a blank cell does not erase an earlier mark
        # the file whose answer was marked: a resubmission after it is flagged (``rebuild``)
        written.setdefault(student, {})[question] = {
            "points": m.points, "comment": m.comment,
            "sha256": state["students"][student].get("sha256")}
    _save_json(os.path.join(out, WRITTEN), written)
    return len(marks), rebuild(key_path, out)

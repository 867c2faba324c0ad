"""Written answers graded by hand: export them side by side, read the marks back.

A key marks the cell a student writes in (markdown or code) with

    {"role": "written", "question": "jacobian_paragraph", "points": 4}

(``{"written": "jacobian_paragraph", "points": 4}`` is read the same way). The cell's text in
the key is the prompt, with a model answer, if any, between ``### BEGIN SOLUTION`` and
``### END SOLUTION`` as in answer cells (release must strip it); the export shows it to the
lecturer. A student cell whose text is still the handout's counts as unanswered.

``export`` writes, for one question, an HTML page with every student's answer next to the
others (to read) and a CSV with one row per student (to fill: ``points`` and ``comment``).
``read_marks`` reads that CSV back, as a spreadsheet saved it (UTF-8 with or without a BOM,
or Windows-1252 as Excel's plain "CSV" writes it,
commas or semicolons, a decimal comma); it refuses points outside 0..max and unknown students
or questions, naming the row. A blank ``points`` is "not marked yet".
"""
from __future__ import annotations

import csv
import html
import io
import json
import os
import re
import unicodedata
from dataclasses import dataclass

from .gradebook import as_text

COLUMNS = ["student", "name", "lms_id", "question", "max_points", "points", "comment", "answer"]


@dataclass(frozen=True)
class Question:
    name: str
    points: float
    prompt: str          # the key cell's text


@dataclass(frozen=True)
class Mark:
    points: float | None   # None: not marked yet
    comment: str


def _info(cell) -> dict:
    meta = cell.get("metadata", {}) if isinstance(cell, dict) else {}
    info = meta.get("rnngrade") if isinstance(meta, dict) else None
    return info if isinstance(info, dict) else {}


def _written_name(cell) -> str | None:
    info = _info(cell)
    if info.get("role") == "written":
        name = info.get("question", info.get("written"))
    else:
        name = info.get("written")
    return str(name) if name not in (None, "", True) else None


def _text(cell) -> str:
    src = cell.get("source", "")
    if isinstance(src, list):            # a student's notebook may hold anything here
        return "".join(x if isinstance(x, str) else "" for x in src)
    return src if isinstance(src, str) else ""


def questions(key) -> list[Question]:
    """The written questions of a key, in notebook order."""
    found, seen = [], set()
    for cell in key["cells"]:
        name = _written_name(cell)
        if name is None:
            continue
        if not re.fullmatch(r"\w[\w.-]*", name):     # it names files and a gradebook column
            raise ValueError(f"key: written question name {name!r}: expected letters, digits, "
                             "'_', '.' or '-', starting with a letter or digit")
        if name in seen:
            raise ValueError(f"key: written question names must be unique, {name!r} repeats")
        seen.add(name)
        points = _info(cell).get("points", 1)
        try:
            points = float(points)
        except (TypeError, ValueError):
            raise ValueError(f"key: written question {name!r} has points {points!r}, "
                             "expected a number") from None
        found.append(Question(name, points, _text(cell)))
    return found


def answer_of(submission, question: Question) -> tuple[str, str]:
    """(the student's text, a note: "" or why there is nothing to mark)."""
    for cell in submission.get("cells", []) if isinstance(submission, dict) else []:
        if _written_name(cell) == question.name:
            text = _text(cell)
            if _squash(text) in _handouts(question.prompt):
                return text, "unchanged from the handout"
            return text, "" if text.strip() else "empty"
    return "", "no cell carries this question's metadata"


def _squash(text: str) -> str:
    return " ".join(text.split())


def _handouts(prompt: str) -> set[str]:
    """What a student who wrote nothing hands back: the key's text, or the text with its
    model answer (a ``### BEGIN SOLUTION`` region, as in answer cells) removed or stubbed."""
    from .cells import _REGION, strip_written
    found = {_squash(prompt), _squash(_REGION.sub("", prompt)),
             _squash(_REGION.sub("YOUR ANSWER HERE", prompt))}
    for code in (False, True):                   # what rnn-grade release hands out
        try:
            found.add(_squash(strip_written(prompt, code=code)))
        except ValueError:
            pass
    return found


def _read_nb(path: str):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return {}


def _pick(key, question: str | None) -> Question:
    qs = questions(key)
    if not qs:
        raise ValueError("key: no written question (no cell has metadata rnngrade "
                         "{'role': 'written', 'question': NAME, 'points': N})")
    if question is None:
        if len(qs) > 1:
            raise ValueError(f"argument 'question': the key has {len(qs)} written questions "
                             f"({', '.join(q.name for q in qs)}); name one")
        return qs[0]
    for q in qs:
        if q.name == question:
            return q
    raise ValueError(f"argument 'question': expected one of {[q.name for q in qs]}, "
                     f"got {question!r}")


def export(key, records, out: str, question: str | None = None) -> tuple[str, str]:
    """Write ``written_<question>.html`` and ``written_<question>.csv`` under ``out``.

    ``records`` are lms.Record (key, name, lms_id, path); returns the two paths.
    """
    q = _pick(key, question)
    os.makedirs(out, exist_ok=True)
    rows = []
    for r in sorted(records, key=lambda r: (r.name.casefold(), r.key)):
        text, note = answer_of(_read_nb(r.path), q)
        rows.append((r, text, note))
    csv_path = os.path.join(out, f"written_{q.name}.csv")
    with open(csv_path, "w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f)
        w.writerow(COLUMNS)
        for r, text, note in rows:
            w.writerow([r.key, as_text(r.name), as_text(r.lms_id), q.name, _num(q.points),
                        "0" if note else "", note, _cell_text(text)])
    html_path = os.path.join(out, f"written_{q.name}.html")
    with open(html_path, "w", encoding="utf-8") as f:
        f.write(_page(q, rows))
    return html_path, csv_path


CELL_CHARS = 30_000       # Excel holds 32,767 characters in a cell and spills the rest


def _cell_text(text: str) -> str:
    """The answer as a CSV cell a spreadsheet keeps whole: a formula-looking start made text,
    and a very long answer cut (Excel would spill it over the rows below, and the marks
    typed there would belong to no student); the HTML page shows it all."""
    if len(text) > CELL_CHARS:
        text = text[:CELL_CHARS] + f" [… cut at {CELL_CHARS} characters: read it on the page]"
    return as_text(text)


def _page(q: Question, rows) -> str:
    cards = []
    for r, text, note in rows:
        ident = f" · {html.escape(r.lms_id)}" if r.lms_id else ""
        body = (f"<p class='note'>{html.escape(note)}</p>" if note else "") + \
            (f"<pre>{html.escape(text)}</pre>" if text.strip() else "")
        cards.append(f"<section><h2>{html.escape(r.name)}<small> · {html.escape(r.key)}{ident}"
                     f"</small></h2>{body}</section>")
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>Written answers: {html.escape(q.name)}</title><style>"
            "body{font-family:sans-serif;margin:1em}main{display:grid;"
            "grid-template-columns:repeat(auto-fill,minmax(24em,1fr));gap:1em}"
            "section{border:1px solid #999;padding:.5em}pre{white-space:pre-wrap;"
            "font-family:inherit}h2{font-size:1em}small{font-weight:normal;color:#444}"
            ".note{color:#a33f00}details pre{background:#f4f4f4}</style></head><body>"
            f"<h1>Written answers: {html.escape(q.name)} ({_num(q.points)} points)</h1>"
            f"<p>{len(rows)} students. Mark them in written_{html.escape(q.name)}.csv "
            "(columns points and comment), then run <code>rnn-grade import-written</code>.</p>"
            f"<details><summary>The key's cell</summary><pre>{html.escape(q.prompt)}</pre>"
            f"</details><main>{''.join(cards)}</main></body></html>")


def read_marks(path: str, key, students=None) -> dict[tuple[str, str], Mark]:
    """(student key, question) → Mark, from a filled CSV; ValueError naming a bad row.

    ``students`` (the keys of the grading run, or {key: (name, LMS id)}) refuses a row for
    another student; given names and ids, a row whose ``lms_id`` (or, without ids, ``name``)
    is not that key's student is refused too (an export made from another download, where
    keys fell differently, would put one student's mark on another). A student marked twice
    for one question with different points or comments is refused."""
    qs = {q.name: q for q in questions(key)}
    with open(path, "rb") as f:
        data = f.read()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:           # Excel's "CSV (Comma delimited)" on Windows
        text = data.decode("cp1252", "replace")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    missing = {"student", "question", "points"} - set(reader.fieldnames or [])
    if missing:
        raise ValueError(f"argument 'marks': {path} lacks the column(s) {sorted(missing)}; "
                         f"expected the header {','.join(COLUMNS)}")
    marks = {}
    for n, row in enumerate(reader, start=2):
        if not any(str(v or "").strip() for v in row.values()):
            continue                     # a blank row a spreadsheet left
        student, name = (row.get("student") or "").strip(), (row.get("question") or "").strip()
        if name not in qs:
            raise ValueError(f"argument 'marks': {path} line {n}: unknown question {name!r}, "
                             f"expected one of {sorted(qs)}")
        if students is not None and student not in students:
            raise ValueError(f"argument 'marks': {path} line {n}: unknown student {student!r}")
        if isinstance(students, dict):
            _same_student(path, n, student, row, *students[student])
        raw = (row.get("points") or "").strip().replace(",", ".")
        points = None
        if raw:
            try:
                points = float(raw)
            except ValueError:
                raise ValueError(f"argument 'marks': {path} line {n}: points {raw!r} is not a "
                                 "number") from None
            if not 0 <= points <= qs[name].points:
                raise ValueError(f"argument 'marks': {path} line {n}: points {points:g} outside "
                                 f"0..{qs[name].points:g} for {name!r}")
        mark = Mark(points, (row.get("comment") or "").strip())
        if (student, name) in marks and marks[(student, name)] != mark:
            raise ValueError(f"argument 'marks': {path} line {n}: {student!r} marked twice for "
                             f"{name!r} ({marks[(student, name)].points} and {points})")
        marks[(student, name)] = mark
    return marks


def _same_id(theirs: str, ours: str) -> bool:
    """The row's LMS id is ours, as a spreadsheet may have rewritten it (``00123`` → ``123``,
    ``12345678901234`` → ``1.23457E+13``: then it cannot be told apart, and passes)."""
    if theirs == ours:
        return True
    try:
        a, b = float(theirs.replace(",", ".")), float(ours)
    except ValueError:
        return False
    return a == b or "e" in theirs.lower()


def _same_student(path, n, student, row, name, lms_id) -> None:
    def plain(text):
        text = unicodedata.normalize("NFC", (text or "").strip())
        return text.removeprefix("'")                           # as_text's apostrophe
    theirs_id, theirs_name = plain(row.get("lms_id")), plain(row.get("name"))
    if lms_id and theirs_id and not _same_id(theirs_id, plain(lms_id)):
        raise ValueError(f"argument 'marks': {path} line {n}: {student!r} has the LMS id "
                         f"{lms_id!r} in this grading run, the row says {theirs_id!r} (was "
                         "the CSV exported from another download?)")
    if not (lms_id and theirs_id) and theirs_name and plain(name).isascii() and \
            theirs_name.casefold() != plain(name).casefold():     # (cp1252 loses the rest)
        raise ValueError(f"argument 'marks': {path} line {n}: {student!r} is {name!r} in this "
                         f"grading run, the row says {theirs_name!r} (was the CSV exported "
                         "from another download?)")


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"

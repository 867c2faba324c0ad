"""Submissions: a folder of ``<student>.ipynb`` files, or a zip of them (an LMS download).

Student names come from the file names, reduced to letters (any script: ``José_Ñúñez``,
``王小明``), digits, ``.``, ``_`` and ``-``. A zip's members are read by name only (folders
inside the zip are ignored, nothing is extracted outside the grader's folder), so a crafted zip
cannot write elsewhere.

``collect_records`` is the successor that reads LMS downloads (Canvas, Moodle, Blackboard;
zip or folder, recursed) into records with names, LMS ids, times and late flags, and lists
every file it did not grade with a reason: see ``rnngrade.lms``.
"""
from __future__ import annotations

import os
import re
import unicodedata
import zipfile
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .lms import Collection

MAX_BYTES = 512 << 20           # a notebook bigger than this is not read (outputs are dropped)


def student_name(filename: str) -> str:
    stem = unicodedata.normalize("NFC", os.path.splitext(os.path.basename(filename))[0])
    return re.sub(r"[^\w.-]", "_", stem).strip("._") or "student"


def collect_records(source: str, into: str, *, assignment: str | None = None,
                    answers=()) -> Collection:
    """The LMS-aware successor of ``collect``: records, and the files not graded with a reason.

    ``collect_records(...).as_dict()`` is the {student: path} that ``collect`` returns.
    """
    from . import lms
    return lms.read(source, into, assignment=assignment, answers=answers)


def collect(source: str, into: str) -> dict[str, str]:
    """Student → path of a private copy of their notebook under ``into``."""
    os.makedirs(into, exist_ok=True)
    found: dict[str, str] = {}
    if os.path.isdir(source):
        for name in sorted(os.listdir(source)):
            path = os.path.join(source, name)
            if name.endswith(".ipynb") and os.path.isfile(path):
                with open(path, "rb") as f:
                    _store(found, into, name, f.read(MAX_BYTES + 1))
    elif zipfile.is_zipfile(source):
        with zipfile.ZipFile(source) as z:
            for info in sorted(z.infolist(), key=lambda i: i.filename):
                base = os.path.basename(info.filename)
                if (info.is_dir() or not base.endswith(".ipynb") or base.startswith(".")
                        or "__MACOSX" in info.filename):
                    continue
                with z.open(info) as f:
                    _store(found, into, base, f.read(MAX_BYTES + 1))
    else:
        raise ValueError(f"SUBMISSIONS: expected a folder of .ipynb files or a zip of them, "
                         f"got {source!r}")
    return found


def _store(found: dict, into: str, filename: str, data: bytes) -> None:
    student = student_name(filename)
    while student in found:                      # two files with one name: keep both
        student += "_"
    path = os.path.join(into, student + ".ipynb")
    with open(path, "wb") as f:
        f.write(data[:MAX_BYTES + 1])
    found[student] = path

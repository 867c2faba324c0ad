"""The notebook nbval grades for one student: the key's cells, the student's answers.

Only the source of answer cells comes from the submission, matched by answer name (the first
cell carrying it; a missing one counts as an unanswered stub). Everything else is the key's:
check cells, their expected outputs (from the key, run on this machine with this run's seed),
setup cells, metadata. So a student who edits, deletes, re-tags or duplicates check cells,
adds NBVAL markers or edits stored outputs changes nothing that is graded.

The graded notebook starts with the grader's own cell, which installs ``rnngrade.guard``
before any student code runs; the seed cell is replaced by ``SEED = <this run's seed>``.
"""
from __future__ import annotations

import copy
import json
import re

import nbformat

from . import cells, screen

_NBVAL_MARKER = re.compile(r"^\s*#\s*NBVAL_\w*.*$", re.MULTILINE)
IGNORE = "nbval-ignore-output"


def seeded(key, seed: int):
    """The key without its key-only cells, with ``SEED = seed`` in its seed cell."""
    nb = copy.deepcopy(key)
    nb.cells = [c for c in nb.cells if cells.role(c) != "key-only"]
    for cell in nb.cells:
        if cells.role(cell) == "seed":
            cell.source = f"SEED = {int(seed)}"
    return nb


def answers_of(submission) -> dict[str, str]:
    """Answer name → source, from a student's notebook (first cell with each name)."""
    found: dict[str, str] = {}
    for cell in submission.get("cells", []):
        try:
            if cell.get("cell_type") == "code" and cells.role(cell) == "answer":
                name = str(cells.info(cell).get("answer"))
                source = cell.get("source", "")
                source = "".join(source) if isinstance(source, list) else str(source)
                found.setdefault(name, source)
        except (AttributeError, TypeError):
            continue                         # a mangled cell is no answer
    return found


def read_submission(path) -> tuple[dict | None, str]:
    """The submission as a dict, or (None, why it cannot be read)."""
    try:
        with open(path, encoding="utf-8") as f:
            nb = json.load(f)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        return None, f"not a readable notebook: {type(err).__name__}: {err}"
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        return None, "not a notebook: no list of cells"
    return nb, ""


def guard_cell(allowed, max_output: int):
    src = (f"import rnngrade.guard\nrnngrade.guard.install({sorted(allowed)!r}, "
           f"max_output={int(max_output)})\ndel rnngrade")
    cell = nbformat.v4.new_code_cell(src)
    cell.metadata["tags"] = [IGNORE]
    return cell


def graded_notebook(executed_seeded_key, answers: dict[str, str], allowed: set[str],
                    max_output: int = 20_000):
    """Returns (notebook for nbval, {answer name: screen problems})."""
    nb = copy.deepcopy(executed_seeded_key)
    rejected: dict[str, list[str]] = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        r = cells.role(cell)
        if r == "answer":
            name = str(cells.info(cell).get("answer"))
            source = answers.get(name)
            if source is None:
                source = cells.stub(cell.source)
            source = _NBVAL_MARKER.sub("", source)
            found = screen.problems(source, allowed)
            if found:
                rejected[name] = found
                source = f"raise RuntimeError('rnn-grade: answer {name!r} was not run')"
            cell.source = source
        if r != "check":
            cell.outputs, cell.execution_count = [], None
            cell.metadata["tags"] = [IGNORE]
        else:
            cell.metadata["tags"] = []       # compare this cell's output, nothing else
    nb.cells.insert(0, guard_cell(allowed, max_output))
    return nb, rejected


def check_cell_numbers(nb) -> dict[int, str]:
    """nbval's code-cell number → check name, for a notebook made by graded_notebook."""
    numbers, n = {}, 0
    for cell in nb.cells:
        if cell.cell_type == "code":
            if cells.role(cell) == "check":
                numbers[n] = cells.check_of(cell).name
            n += 1
    return numbers

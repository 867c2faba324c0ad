"""What runs for one student: the key's cells, the student's answers, no stored output.

Only the source of answer cells comes from the submission, matched by answer name (the first
cell carrying it; a missing one counts as an unanswered stub). Everything else is the key's
(or, for ``rnn-grade check``, the release's pristine copy of it): setup cells, check cells,
the seed. So a student who edits, deletes, re-tags or duplicates check cells, adds NBVAL
markers or edits stored outputs changes nothing that is graded. The job carries no output
of any kind: expected outputs stay in the grader.
"""
from __future__ import annotations

import copy
import json
import os
import re

from . import cells, screen

_NBVAL_MARKER = re.compile(r"^\s*#\s*NBVAL_\w*.*$", re.MULTILINE)
MAX_BYTES = 512 << 20          # a submission bigger than this is not read
MAX_ANSWER = 1_000_000         # characters of one answer cell; a longer one is not run


def seeded(key, seed: int):
    """The key without its key-only cells, with ``SEED = seed`` in its seed cell."""
    nb = copy.deepcopy(key)
    nb.cells = [c for c in nb.cells if cells.role(c) != "key-only"]
    for cell in nb.cells:
        if cells.role(cell) == "seed":
            cell.source = f"SEED = {int(seed)}"
    return nb


def spec_of(nb) -> list[dict]:
    """The code cells that run, in order: ``{"kind", "source", "answer"?, "check"?}``.

    ``nb`` is a key (its key-only cells dropped) or a release; answer cells keep their stub
    (what runs when a student leaves them out). Written cells, code or markdown, never run,
    nor do ungraded cells (a long run on a corpus, released for the student's Jupyter).
    """
    out = []
    for cell in nb.cells:
        if not cells.runs(cell):
            continue
        r = cells.role(cell)
        item = {"kind": r or "setup", "source": cell.source}
        if r == "answer":
            item["answer"] = str(cells.info(cell).get("answer"))
            item["source"] = cells.stub(cell.source) if cells.BEGIN in cell.source \
                else cell.source
        elif r == "check":
            check = cells.check_of(cell)
            item.update(check=check.name, graded_answer=check.answer, points=check.points)
        out.append(item)
    return out


def job(spec: list[dict], answers: dict[str, str], seed: int | None = None) -> list[dict]:
    """The cells the runner executes for one student (answers in, NBVAL markers out)."""
    out = []
    for item in spec:
        item = dict(item)
        if item["kind"] == "answer":
            source = answers.get(item["answer"])
            item["source"] = _NBVAL_MARKER.sub("", item["source"] if source is None else source)
        elif item["kind"] == "seed" and seed is not None:
            item["source"] = f"SEED = {int(seed)}"
        out.append(item)
    return out


def warnings(spec: list[dict], answers: dict[str, str], allowed: set[str]) -> dict[str, list[str]]:
    """Answer name → what the screen noticed (advice only: nothing is refused)."""
    found = {}
    for item in spec:
        if item["kind"] == "answer" and item["answer"] in answers:
            problems = screen.problems(answers[item["answer"]], allowed)
            if problems:
                found[item["answer"]] = problems
    return found


def answers_of(submission) -> dict[str, str]:
    """Answer name → source, from a student's notebook (first cell with each name)."""
    found: dict[str, str] = {}
    for cell in submission.get("cells", []):
        try:
            if cell.get("cell_type") == "code" and cells.role(cell) == "answer":
                name = str(cells.info(cell).get("answer"))
                source = cell.get("source", "")
                source = "".join(source) if isinstance(source, list) else str(source)
                if len(source) > MAX_ANSWER:     # copied, screened, sent: costs the grader
                    source = (f"raise ValueError('this answer cell is longer than {MAX_ANSWER} "
                              "characters: not run')")
                found.setdefault(name, source)
        except (AttributeError, TypeError):
            continue                         # a mangled cell is no answer
    return found


def read_submission(path) -> tuple[dict | None, str]:
    """The submission as a dict (outputs dropped), or (None, why it cannot be read)."""
    try:
        if os.path.getsize(path) > MAX_BYTES:
            return None, f"not read: larger than {MAX_BYTES >> 20} MB"
        with open(path, encoding="utf-8") as f:
            nb = json.load(f)
    except (OSError, ValueError, RecursionError) as err:   # ValueError: also an integer
        # of more digits than Python converts, which stopped the whole grading
        return None, f"not a readable notebook: {type(err).__name__}: {str(err)[:200]}"
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        return None, "not a notebook: no list of cells"
    for cell in nb["cells"]:
        if isinstance(cell, dict):
            cell.pop("outputs", None)        # oversized outputs (plots) cost nothing
    return nb, ""

"""What each cell of an assignment notebook is, read from its ``metadata["rnngrade"]``.

A key (the instructor notebook) marks its cells with a small dict:

    {"role": "seed"}                                     SEED = ...; the grader sets a new one
    {"role": "answer", "answer": "rnn_step"}             a solution region the student writes
    {"role": "check", "check": "step_shape", "answer": "rnn_step", "points": 1}
    {"role": "check", ..., "hidden": true}               graded, never released
    {"role": "key-only"}                                 the key's own comparison with rnnlib
    {"role": "written", "question": "why_tanh", "points": 3}   marked by hand (``manual``)
    {"role": "ungraded"}                                 released and run in Jupyter, never by
                                                         the grader (a long run on a corpus)

A written cell (markdown or code) holds the prompt and, between the solution markers, a model
answer: release replaces the region by ``YOUR ANSWER HERE`` (``strip_written``), and a written
cell never runs, in the key or for a student (``runs``).

Cells without the dict (task text, setup code) are kept as they are. The notebook's own
``metadata["rnngrade"]`` names the assignment and the rnnlib names an answer may use:
``{"assignment": "01_forward", "allowed_rnnlib": ["init_params"]}``.

Solution regions use nbgrader's markers, so lecturers already know them::

    def rnn_step(params, x, h_prev):
        ### BEGIN SOLUTION
        ...
        ### END SOLUTION
"""
from __future__ import annotations

import re
from dataclasses import dataclass

ROLES = ("seed", "answer", "check", "key-only", "written", "ungraded")
# cells the grader never runs: the key's own comparisons (not released), written answers (a
# model answer, not setup) and the student's long runs (released with the key's outputs, run
# in Jupyter: the sandbox has no corpus)
NOT_GRADED = ("key-only", "written", "ungraded")
BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
_REGION = re.compile(r"^([ \t]*)### BEGIN SOLUTION[^\n]*\n.*?^[ \t]*### END SOLUTION[^\n]*$",
                     re.MULTILINE | re.DOTALL)


@dataclass(frozen=True)
class Check:
    """One graded check: its name, the answer it grades, its points, whether it is hidden."""
    name: str
    answer: str
    points: float
    hidden: bool


def info(cell) -> dict:
    """The cell's rnngrade metadata ({} for a plain cell)."""
    meta = cell.get("metadata", {}).get("rnngrade", {})
    return meta if isinstance(meta, dict) else {}


def role(cell) -> str | None:
    meta = info(cell)
    r = meta.get("role")
    if r is None and meta.get("written") not in (None, "", True):
        return "written"                     # the short form {"written": NAME, "points": N}
    return r if r in ROLES else None


def runs(cell) -> bool:
    """Whether the grader executes a key's cell (setup, seed, answer, check); key-only,
    written and ungraded cells never run there (a written code cell holds a model answer)."""
    return cell.get("cell_type") == "code" and role(cell) not in NOT_GRADED


def check_of(cell) -> Check:
    m = info(cell)
    return Check(name=str(m["check"]), answer=str(m.get("answer", "")),
                 points=float(m.get("points", 1)), hidden=bool(m.get("hidden", False)))


def checks(nb) -> list[Check]:
    """The checks of a key in notebook order; raises ValueError on a repeated name."""
    found = [check_of(c) for c in nb.cells if c.cell_type == "code" and role(c) == "check"]
    names = [c.name for c in found]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValueError(f"key: check names must be unique, repeated: {repeated}")
    return found


def assignment_meta(nb) -> dict:
    meta = nb.metadata.get("rnngrade")
    if not isinstance(meta, dict) or "assignment" not in meta:
        raise ValueError("key: notebook metadata['rnngrade'] must name the 'assignment' "
                         f"and its 'allowed_rnnlib' names, got {meta!r}")
    return meta


WRITTEN_STUB = "YOUR ANSWER HERE"


def strip_written(source: str, code: bool = False) -> str:
    """A written cell's text without its model answer: each solution region becomes
    ``YOUR ANSWER HERE`` (``# YOUR ANSWER HERE`` in a code cell); the prompt stays."""
    text = WRITTEN_STUB if not code else "# " + WRITTEN_STUB
    out = _REGION.sub(lambda m: m.group(1) + text, source)
    if BEGIN in out or END in out:
        raise ValueError(f"written cell: unmatched solution markers in:\n{source}")
    return out


def stub(source: str) -> str:
    """``source`` with every solution region replaced by ``raise NotImplementedError``."""
    if BEGIN not in source:
        raise ValueError(f"answer cell: expected a '{BEGIN}' ... '{END}' region, got:\n{source}")

    def replace(m: re.Match) -> str:
        indent = m.group(1)
        return f'{indent}# YOUR CODE HERE\n{indent}raise NotImplementedError("write this part")'

    out = _REGION.sub(replace, source)
    if BEGIN in out or END in out:
        raise ValueError(f"answer cell: unmatched solution markers in:\n{source}")
    return out

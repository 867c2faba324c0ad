"""The student version of a key: what a lecturer hands out.

Solutions become stubs that raise ``NotImplementedError``; a written question keeps its
prompt and loses its model answer; hidden checks and the key's own comparisons with rnnlib
are removed; public checks keep the outputs of the key, run fresh; ungraded cells (a long
run the student makes in Jupyter) keep the key's stored outputs.
A pristine copy of what ``rnn-grade check`` needs (the code cells that run, and the public
checks' expected outputs) is kept in the notebook's metadata (``rnngrade.release``), apart
from the cells a student edits, so editing a check cell or its stored output cannot change
what the self-check compares with. The book shows the result as a page without executing
it (``metadata["mystnb"]["execution_mode"] = "off"``).
"""
from __future__ import annotations

import copy

import nbformat

from . import assemble, cells


def _text(outputs) -> str:
    parts = []
    for out in outputs or []:
        if out.get("output_type") == "stream" and out.get("name", "stdout") == "stdout":
            parts.append(out.get("text", ""))
        elif "data" in out:
            parts.append(out["data"].get("text/plain", ""))
    return "".join(parts)


def student_version(executed_key) -> nbformat.NotebookNode:
    """The released notebook, from a key whose outputs are fresh."""
    nb = copy.deepcopy(executed_key)
    kept = []
    for cell in nb.cells:
        r = cells.role(cell)
        if r == "key-only" or (r == "check" and cells.check_of(cell).hidden):
            continue
        if r == "answer":
            cell.source = cells.stub(cell.source)
            cell.outputs, cell.execution_count = [], None
        elif r == "written":
            cell.source = cells.strip_written(cell.source, code=cell.cell_type == "code")
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        kept.append(cell)
    nb.cells = kept
    expected = {cells.check_of(c).name: _text(c.outputs) for c in kept
                if c.cell_type == "code" and cells.role(c) == "check"}
    meta = dict(nb.metadata.get("rnngrade", {}))
    meta["release"] = {"cells": assemble.spec_of(nb), "expected": expected}
    nb.metadata["rnngrade"] = meta
    nb.metadata["mystnb"] = {"execution_mode": "off"}
    return nb

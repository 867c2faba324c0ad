"""The student version of a key: what a lecturer hands out.

Solutions become stubs that raise ``NotImplementedError``; hidden checks and the key's own
comparisons with rnnlib are removed; public checks keep the outputs of the key, run fresh,
so a student can compare with nbval (``rnn-grade check``). The book shows the result as a
page without executing it (``metadata["mystnb"]["execution_mode"] = "off"``).
"""
from __future__ import annotations

import copy

import nbformat

from . import cells


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
        kept.append(cell)
    nb.cells = kept
    nb.metadata["mystnb"] = {"execution_mode": "off"}
    return nb

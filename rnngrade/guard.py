"""Runs first in the student's kernel, before any answer cell: the second line of defence.

- Every public rnnlib name the assignment does not allow is replaced, at the package's top
  level, by a function that raises ``RnnlibBlocked``: an answer that delegates to
  the function it was asked to write fails its checks instead of passing them. (The screen
  in ``rnngrade.screen`` already refuses such answers before they run; this also catches a
  call the screen cannot see.)
- Output is capped per cell (``max_output`` characters of stdout and stderr together), so a
  flood of prints cannot fill the grader's memory; the rest of the cell's output is dropped.
- Nothing here keeps a reference to the originals, so there is nothing to restore them from.
"""
from __future__ import annotations

import sys


class RnnlibBlocked(RuntimeError):
    """Raised by an rnnlib function that the assignment asks the student to write."""


def _blocker(name: str):
    def blocked(*args, **kwargs):
        raise RnnlibBlocked(f"rnnlib.{name} is what this assignment asks you to write; "
                            "the grader does not let answers call it")
    blocked.__name__ = name
    return blocked


def block_rnnlib(allowed) -> list[str]:
    """Replace every public rnnlib name not in ``allowed``; returns the names blocked.

    Only the package's top level is changed, where answers reach rnnlib (``rnnlib.forward``):
    the submodules keep their functions, so an allowed helper such as ``loss_and_grads`` still
    works, and the screen refuses any answer that reaches into a submodule.
    """
    import rnnlib

    allowed = set(allowed)
    names = [n for n in rnnlib.__all__ if n not in allowed]
    for name in names:
        setattr(rnnlib, name, _blocker(name))
    rnnlib.__getattr__ = _no_lazy_modules
    return names


def _no_lazy_modules(name):
    raise AttributeError(f"rnnlib.{name} is not available while grading")


class _CappedWrite:
    """A stream's ``write`` that lets through at most ``budget`` characters per cell."""

    def __init__(self, write, budget: dict):
        self._write, self._budget = write, budget

    def __call__(self, text):
        left = self._budget["left"]
        if left < 0:                          # already cut off, and said so
            return len(text)
        if len(text) > left:
            self._write(text[:left] + "\n[rnn-grade: output truncated]\n")
            self._budget["left"] = -1
            return len(text)
        self._budget["left"] = left - len(text)
        return self._write(text)


def cap_output(max_output: int) -> None:
    """Cap each cell's stdout+stderr at ``max_output`` characters (reset before each cell)."""
    budget = {"left": max_output}

    def cap_streams(*_):
        budget["left"] = max_output
        for stream in (sys.stdout, sys.stderr):
            if not isinstance(stream.write, _CappedWrite):
                stream.write = _CappedWrite(stream.write, budget)

    cap_streams()
    try:
        ip = get_ipython()  # noqa: F821  (defined inside a kernel)
    except NameError:
        return
    # IPython 9 swaps each stream's ``write`` for one that also records the output, around
    # every cell, and puts the previous one back afterwards, which would drop a cap set once:
    # so the cap goes in again before each cell (inside the swap, so the record is capped too).
    ip.events.register("pre_run_cell", cap_streams)


def install(allowed, max_output: int = 20_000) -> None:
    """What the graded notebook's first cell calls."""
    block_rnnlib(allowed)
    cap_output(max_output)

"""Numbers as the book reports them: rounded to a stated precision, never a signed zero.

A stored output that shows the last bits of a float passes on the machine that saved it and
fails on another one, whose BLAS rounds differently. Everything a chapter prints or glues for
its prose goes through these helpers, so what nbval compares is the same on every CPU:

    rounded(x, digits=4)     x rounded to `digits` significant digits (a float, or an array)
    fmt(x, digits=4)         the same as text, in plain or scientific notation
    below(x, bound)          "< 1e-12": for errors that are rounding noise, whose digits vary
    glue(name, x, digits=4)  myst-nb's glue of the rounded float, for {glue:text} in the prose

Pick `digits` for what the prose needs, not more. A value near a rounding boundary can still
flip its last digit on another CPU; ``tools/nbval-other-cpu`` finds those.
"""
from __future__ import annotations

import math
from numbers import Real

import numpy as np


def _check_digits(digits) -> int:
    if isinstance(digits, bool) or not isinstance(digits, int) or not 1 <= digits <= 15:
        raise ValueError(f"digits: expected a whole number from 1 to 15, got {digits!r}")
    return digits


def rounded(x, digits: int = 4):
    """``x`` rounded to ``digits`` significant digits, with -0.0 turned into 0.0.

    x: a real number (returns a float) or an array-like of them (returns a float array).
    """
    digits = _check_digits(digits)
    if isinstance(x, Real) and not isinstance(x, bool):
        return _round_scalar(float(x), digits)
    arr = np.asarray(x)
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"x: expected a real number or an array of them, got {type(x).__name__}"
                        f" of dtype {arr.dtype}")
    return np.vectorize(lambda v: _round_scalar(float(v), digits), otypes=[float])(arr)


def _round_scalar(v: float, digits: int) -> float:
    if not math.isfinite(v) or v == 0.0:
        return 0.0 if v == 0.0 else v        # 0.0 also replaces -0.0
    r = float(f"{v:.{digits - 1}e}")
    return r + 0.0                           # -0.0 + 0.0 is +0.0


def fmt(x, digits: int = 4) -> str:
    """``x`` as text with ``digits`` significant digits ("0.6590", "1.234e-05"), no "-0"."""
    v = rounded(x, digits)
    if not isinstance(v, float):
        raise TypeError(f"x: expected a single real number, got an array of shape {np.shape(x)}")
    if v != 0.0 and not 1e-4 <= abs(v) < 1e6:
        return f"{v:.{digits - 1}e}"
    return f"{v:.{digits}g}" if abs(v) >= 10 ** (digits - 1) else _fixed(v, digits)


def _fixed(v: float, digits: int) -> str:
    # digits after the point so that `digits` significant digits show (0.06590 → 4 of them)
    if v == 0.0:
        return "0"
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(v))))
    return f"{v:.{decimals}f}"


def below(x, bound: float) -> str:
    """"< bound" after checking x < bound: for rounding-noise errors whose digits vary by CPU.

    Raises AssertionError if x is not below ``bound``: the prose claims the bound, so a run
    where it fails must not print it.
    """
    x = float(x)
    if not (isinstance(bound, Real) and bound > 0):
        raise ValueError(f"bound: expected a positive number, got {bound!r}")
    if not x < bound:
        raise AssertionError(f"the value {x!r} is not below the stated bound {bound!r}")
    return f"< {bound:.0e}".replace("e-0", "e-").replace("e+0", "e")


def glue(name: str, x, digits: int = 4, *, display: bool = False):
    """Glue ``x`` rounded to ``digits`` significant digits under ``name`` for the prose.

    Strings and whole numbers (ints, numpy ints) are glued as they are. Returns the glued
    value; end a cell with ``_ = glue(...)`` to keep it out of the output (nbval does not
    honour a trailing semicolon).
    """
    from myst_nb import glue as myst_glue   # only inside a notebook build or Jupyter

    if isinstance(x, (str, bool)) or isinstance(x, (int, np.integer)):
        value = x if isinstance(x, str) else int(x)
    else:
        value = rounded(x, digits)
    myst_glue(name, value, display=display)
    return value


def source(func, *, docstring: bool = True) -> str:
    """The source code of ``func`` as the book prints it; without its docstring if asked.

    Chapters show rnnlib's own code this way, so the page cannot drift from the library.
    """
    import ast
    import inspect
    import textwrap

    if not callable(func):
        raise TypeError(f"func: expected a function, got {type(func).__name__}")
    text = textwrap.dedent(inspect.getsource(func))
    if docstring:
        return text
    body = ast.parse(text).body[0].body
    first = body[0]
    if not (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str)):
        return text
    lines = text.splitlines(keepends=True)
    return "".join(lines[:first.lineno - 1] + lines[first.end_lineno:])

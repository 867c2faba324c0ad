"""Numbers as the book reports them: rounded to a stated precision, never a signed zero.

A stored output that shows the last bits of a float passes on the machine that saved it and
fails on another one, whose BLAS rounds differently. Everything a chapter prints or glues for
its prose goes through these helpers, so what nbval compares is the same on every CPU:

    rounded(x, digits=4)     x rounded to `digits` significant digits (a float, or an array)
    fmt(x, digits=4)         the same as text, in plain or scientific notation
    below(x, bound)          "< 1e-12": for errors that are rounding noise, whose digits vary
    glue(name, x, digits=4)  myst-nb's glue of the rounded float, quoted in the prose as
                             {eval}`glued["name"]` (see ``glued``)
    glue_range(name, values, digits=4)
                             the smallest and the largest of several runs' values, glued as
                             name_lo and name_hi
    value_range(values, digits=4)
                             the same two ends, not glued (for a printed table of ranges)
    power_of_ten(x, digits=1)
                             "8 × 10⁻⁸": a number far from 1, for the prose
    round_bound(x, digits=1, side="up")
                             x rounded outward, to the nearest number of `digits`
                             significant digits on the side of x a bound needs: what a
                             sentence "at most ..." ("up") or "at least ..." ("down") can state

Pick `digits` for what the prose needs, not more. A value near a rounding boundary can still
flip its last digit on another CPU; ``tools/nbval-other-cpu`` finds those.
"""
from __future__ import annotations

import math
from numbers import Real
from typing import NamedTuple

import numpy as np

from ..core.validation import (as_array, bad_type, bad_value, check_choice, check_int,
                                check_positive, check_str)


def _check_digits(digits) -> int:
    return check_int("digits", digits, minimum=1, maximum=15)   # a float64 keeps 15 digits


def rounded(x, digits: int = 4):
    """``x`` rounded to ``digits`` significant digits, with -0.0 turned into 0.0.

    x: a real number (returns a float) or an array-like of them (returns a float array).
    """
    digits = _check_digits(digits)
    if isinstance(x, Real) and not isinstance(x, bool):
        return _round_scalar(float(x), digits)
    arr = as_array("x", x)
    if arr.dtype.kind not in "iuf":
        raise bad_type("x", "a real number or an array of them", x)
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
        raise bad_type("x", "a single real number", np.asarray(x))
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
    arr = as_array("x", x)
    if arr.shape != () or arr.dtype.kind not in "iuf":
        raise bad_type("x", "a single real number", x)
    x = float(arr)
    check_positive("bound", bound)
    if not x < bound:        # not an argument error: the prose's claim is false for this run
        raise AssertionError(f"the value {x!r} is not below the stated bound {bound!r}")
    return f"< {bound:.0e}".replace("e-0", "e-").replace("e+0", "e")


def glue(name: str, x, digits: int = 4, *, display: bool = False):
    """Glue ``x`` rounded to ``digits`` significant digits under ``name`` for the prose.

    Strings and whole numbers (ints, numpy ints) are glued as they are, and so are IPython
    display objects (``Math``, ``Markdown``) for ``glued.math`` and ``glued.md``. Returns the
    glued value; end a cell with ``_ = glue(...)`` to keep it out of the output (nbval does
    not honour a trailing semicolon).

    The value is glued twice over, from one call: into the cell's output for the built site
    (myst-nb's glue, which nbval compares), and into ``glued``, which the prose's inline
    expressions read when JupyterLab runs a markdown cell. Inside IPython, ``glued`` is also
    put into the user's namespace, so ``{eval}`glued["name"]``` needs no import.
    """
    _check_name(name)
    if isinstance(x, (str, bool)) or isinstance(x, (int, np.integer)):
        value = x if isinstance(x, str) else int(x)
    elif hasattr(x, "_repr_latex_") or hasattr(x, "_repr_markdown_"):
        value = x
    else:
        value = rounded(x, digits)
    _myst_glue(name, value, display=display)
    glued._store(name, value)
    return value


def _check_name(name) -> str:
    """A glue name: a non-empty str without ':' (the prose's format spec follows it) or '`'."""
    if not check_str("name", name) or ":" in name or "`" in name:
        raise bad_value("name", "a non-empty name without ':' or '`'", repr(name))
    return name


class Range(NamedTuple):
    """The two ends ``glue_range`` glued; ``f"{r:.2f}"`` formats both: "0.85..0.89"."""

    lo: float
    hi: float

    def __format__(self, spec: str) -> str:
        return f"{self.lo:{spec}}..{self.hi:{spec}}"


def value_range(values, digits: int = 4) -> Range:
    """The smallest and the largest of ``values`` (real numbers, any shape: one result per
    training run, say), each as ``glue`` would glue it: a float rounded to ``digits``
    significant digits, a whole number as it is. ``f"{r:.2f}"`` formats both ends
    ("0.85..0.89"), so a printed table shows the ranges the prose quotes via ``glue_range``.
    """
    digits = _check_digits(digits)
    arr = as_array("values", values)
    if arr.dtype.kind not in "iuf":
        raise bad_type("values", "real numbers", values)
    if arr.size == 0:
        raise bad_value("values", "at least one number", "none")
    if np.isnan(arr).any():
        where = tuple(int(i) for i in np.argwhere(np.isnan(arr))[0])
        raise bad_value("values", "numbers, not nan", f"nan at index {where}")
    ends = (arr.min(), arr.max())
    if arr.dtype.kind in "iu":
        return Range(*(int(v) for v in ends))
    return Range(*(rounded(float(v), digits) for v in ends))


def glue_range(name: str, values, digits: int = 4) -> Range:
    """Glue the smallest and the largest of ``values`` as ``name_lo`` and ``name_hi``.

    values: real numbers, any shape (one result per training run, say). Each end is glued as
    ``glue`` glues it: a float rounded to ``digits`` significant digits, a whole number as it
    is. The prose quotes both ends, so that a claim about several runs states their spread,
    not one run's value: ``{eval}`glued["acc_lo:.2f"]`..{eval}`glued["acc_hi:.2f"]```.
    Returns the glued ends as a ``Range`` (``value_range``'s).
    """
    _check_name(name)            # checked as given: "name_lo" would hide an empty name
    lo, hi = value_range(values, digits)
    return Range(glue(f"{name}_lo", lo, digits), glue(f"{name}_hi", hi, digits))


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def power_of_ten(x, digits: int = 1) -> str:
    """``x`` as "m × 10ⁿ", m with ``digits`` significant digits and the exponent in
    superscript ("8 × 10⁻⁸", "-2.5 × 10³"): for the prose, where a number far from 1 reads
    better so than as "8e-08". Zero, which has no exponent, is "0". x: a finite real number
    (a 0-d array is one)."""
    digits = _check_digits(digits)
    arr = as_array("x", x)
    if isinstance(x, bool) or arr.shape != () or arr.dtype.kind not in "iuf":
        raise bad_type("x", "a single real number", x)
    v = float(arr)
    if not math.isfinite(v):
        raise bad_value("x", "a finite number", v)
    if v == 0.0:
        return "0"
    # formatted from x itself, not from rounded(x): rounding 1.7e308 to one digit overflows
    mantissa, exponent = f"{v:.{digits - 1}e}".split("e")
    return f"{mantissa} × 10{str(int(exponent)).translate(_SUPERSCRIPT)}"


def round_bound(x, digits: int = 1, *, side: str = "up") -> float:
    """``x`` rounded to ``digits`` significant digits away from the claim a bound makes: the
    smallest such number >= x (side="up", for "at most ...") or the largest <= x ("down", for
    "at least ..." or "no ... below ..."). ``rounded`` may land on the wrong side of x
    (0.8467 -> 0.85), which would make such a sentence false. x: a finite real number."""
    v = rounded(x, digits)
    if not isinstance(v, float):
        raise bad_type("x", "a single real number", np.asarray(x))
    if not math.isfinite(v):
        raise bad_value("x", "a finite number", v)
    check_choice("side", side, ("up", "down"))
    x = float(x)
    if (side == "up" and v < x) or (side == "down" and v > x):
        # one unit in the last kept digit of x (not of v: 0.0095 rounds up to 0.01)
        step = 10.0 ** (math.floor(math.log10(abs(x))) - digits + 1)
        v = rounded(v + step if side == "up" else v - step, digits)
    return v + 0.0


def _myst_glue(name: str, value, display: bool) -> None:
    """myst-nb's ``glue``; the same output written here when myst-nb is not installed (a
    chapter downloaded from the site into a bare Jupyter needs only rnnlib)."""
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        from IPython.core.formatters import format_display_data
        from IPython.display import display as ipy_display

        bundle, metadata = format_display_data(value)
        prefix = "" if display else "application/papermill.record/"
        metadata["scrapbook"] = {"name": name, "mime_prefix": prefix}
        ipy_display({prefix + k: v for k, v in bundle.items()}, raw=True, metadata=metadata)
        return
    myst_glue(name, value, display=display)


def _format_plain_text(text: str, spec: str) -> str:
    """myst-nb's ``format_plain_text`` (what ``{glue:text}`name:spec` `` pastes), repeated here
    so that rnnlib does not need myst-nb; tests/test_lab_sources.py checks they agree."""
    from ast import literal_eval

    try:
        value = literal_eval(text)
    except (SyntaxError, ValueError):
        value = text
    if spec == "":
        return str(value)
    kind = spec[-1]
    if kind == "s":
        value = str(value)
    elif kind in ("b", "c", "d", "o", "x", "X"):
        value = int(value)
    elif kind in ("e", "E", "f", "F", "g", "G", "n", "%"):
        value = float(value)
    return format(value, spec)


class _Plain(str):
    """Text that displays as itself: no quotes around it in an inline expression."""

    def __repr__(self) -> str:
        return str(self)


class _Rich:
    """A glued display object (``Math``, ``Markdown``) shown with one of its formats only."""

    def __init__(self, bundle: dict, mime: str):
        self._bundle = {mime: bundle[mime], "text/plain": bundle.get("text/plain", "")}

    def _repr_mimebundle_(self, include=None, exclude=None):
        return self._bundle


class _Glued:
    """The values glued so far in this kernel, as the prose quotes them.

    ``glued["name"]`` and ``glued["name:.3f"]`` are the text that ``{glue:text}`name` `` and
    ``{glue:text}`name:.3f` `` paste on the site (the same formatting code, myst-nb's);
    ``glued.math["name"]`` is a glued ``Math`` object (a displayed equation, on a line of its
    own in the prose) and ``glued.md["name"]`` a glued ``Markdown`` object. The book's Sphinx
    extension (tools/book_eval.py) turns each ``{eval}`` of these into the matching glue role
    or directive, so the site and JupyterLab read the same name.
    """

    def __init__(self):
        self._bundles: dict[str, dict] = {}
        self.math = _Kind(self, "text/latex")
        self.md = _Kind(self, "text/markdown")

    def _store(self, name: str, value) -> None:
        from IPython.core.formatters import format_display_data

        self._bundles[name] = format_display_data(value)[0]
        try:
            from IPython import get_ipython
            shell = get_ipython()
        except ImportError:         # pragma: no cover - IPython comes with myst-nb
            shell = None
        if shell is not None and shell.user_ns.get("glued") is not self:
            shell.user_ns["glued"] = self

    def _bundle(self, name: str) -> dict:
        if name in self._bundles:
            return self._bundles[name]
        saved = self._saved().get(name)
        if saved is None:    # not an argument error: a failed lookup, as a dict's KeyError
            raise KeyError(f"nothing is glued under {name!r} yet: run the cell that glues it")
        return saved

    def _saved(self) -> dict:
        """The glued values stored in the notebook file this kernel runs (JupyterLab only).

        A chapter's prose sometimes states a setting before the cell that computes with it
        and glues it; when JupyterLab runs all cells in order, that paragraph asks for the
        value before this run has glued it, and gets the one saved in the notebook (from the
        run whose outputs nbval compares). Jupyter's server names the notebook in the
        kernel's environment (JPY_SESSION_NAME); without it, nothing is saved.
        """
        if getattr(self, "_saved_bundles", None) is None:
            self._saved_bundles = {}
            import json
            import os
            from pathlib import Path

            # JPY_SESSION_NAME is absolute in current servers; a relative one is relative to
            # the server's root, not to the kernel's folder (the notebook's), so only its name
            # is looked up there
            name = os.environ.get("JPY_SESSION_NAME", "")
            candidates = [Path(name)] if Path(name).is_absolute() else []
            for path in [*candidates, Path.cwd() / Path(name).name]:
                if name.endswith(".ipynb") and path.is_file():
                    try:
                        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
                    except (OSError, ValueError, KeyError):
                        break
                    for cell in cells:
                        for out in cell.get("outputs", []):
                            key = out.get("metadata", {}).get("scrapbook", {}).get("name")
                            if key is not None:
                                prefix = "application/papermill.record/"
                                self._saved_bundles[key] = {k.removeprefix(prefix): v for k, v
                                                            in out.get("data", {}).items()}
                    break
        return self._saved_bundles

    def __getitem__(self, key: str) -> _Plain:
        name, _, spec = check_str("key", key).partition(":")    # "name" or "name:format"
        return _Plain(_format_plain_text(self._bundle(name)["text/plain"], spec or "s"))

    def __repr__(self) -> str:
        return f"<glued: {len(self._bundles)} values>"


class _Kind:
    def __init__(self, owner: _Glued, mime: str):
        self._owner, self._mime = owner, mime

    def __getitem__(self, name: str) -> _Rich:
        bundle = self._owner._bundle(name)
        if self._mime not in bundle:     # not an argument error: a failed lookup, as a dict's
            raise KeyError(f"{name!r} was not glued as {self._mime}")
        return _Rich(bundle, self._mime)


glued = _Glued()


def source(func, *, docstring: bool = True) -> str:
    """The source code of ``func`` as the book prints it; without its docstring if asked.

    Chapters show rnnlib's own code this way, so the page cannot drift from the library.
    """
    import ast
    import inspect
    import textwrap

    if not callable(func):
        raise bad_type("func", "a function", func)
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

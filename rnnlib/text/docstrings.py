"""Real English text that needs no download: the summaries of numpy's own docstrings.

Chapter 9 trains a character-level language model on text every reader already has. numpy is
pinned in requirements.txt, so the text, and every number the chapter computes from it, is the
same on every machine set up with the book's commands. (Python's own documentation would do as
well, but it changes with the Python version, which the book does not pin.)

Each public numpy function (and method of numpy's main classes) contributes the prose at the top of its docstring: the one-line
summary and the paragraph after it, up to the first numpydoc section ("Parameters", ...).
Signatures, reStructuredText directives and code examples are left out.
"""
from __future__ import annotations

import hashlib
import importlib
import inspect
import operator
import re

import numpy as np

from ..core.validation import check_int, check_str

# The numpydoc section headings; the prose of a docstring ends at the first of them.
SECTIONS = ("Parameters", "Returns", "Yields", "Raises", "See Also", "Notes", "Examples",
            "References", "Attributes", "Methods", "Other Parameters", "Warns", "Warnings")
_SECTION = re.compile(r"^\s*(%s)\s*$" % "|".join(SECTIONS))
_SIGNATURE = re.compile(r"^[A-Za-z_][\w.]*\(.*\)(\s*->.*)?$")   # "absolute(x, /, out=None, ...)"
_DIRECTIVE = re.compile(r"\.\. [\w-]+::")


def docstring_summary(doc: str) -> str:
    """The prose before the first numpydoc section, as one line of single-spaced text."""
    lines = []
    for line in check_str("doc", doc).splitlines():
        if _SECTION.match(line) or line.lstrip().startswith((">>>", ":")):
            break                            # a section, an example or a field list: no prose
        if not lines and _SIGNATURE.match(line.strip()):
            continue                         # ufuncs start with their call signature
        lines.append(line)
    text = " ".join(" ".join(lines).split())
    return _DIRECTIVE.sub("", text).replace("  ", " ").strip()


# Where the functions come from: numpy's main namespace, its submodules, and the methods of its
# main classes, in this order (and by name within each), so the text is always assembled alike.
NAMESPACES = ("numpy", "numpy.linalg", "numpy.fft", "numpy.random", "numpy.ma", "numpy.polynomial",
              "numpy.strings", "numpy.lib", "numpy.testing", "numpy.lib.scimath")
CLASSES = ("ndarray", "random.Generator", "ma.MaskedArray", "polynomial.Polynomial")


def _documented(owner):
    """Every public callable attribute of a module or class, by name."""
    for name in sorted(n for n in dir(owner) if not n.startswith("_")):
        obj = getattr(owner, name, None)
        # Only numpy's own code: a name re-exported from the standard library (numpy.testing
        # has a few) would bring in text that changes with the Python version.
        if callable(obj) and (getattr(obj, "__module__", None) or "numpy").startswith("numpy"):
            yield obj


def numpy_docstrings(min_length: int = 40) -> str:
    """One line per documented numpy function or method: the prose summary of its docstring.

    Summaries shorter than ``min_length`` characters (bare one-liners such as "Alias of ...")
    and repeats (aliases share a docstring) are skipped. The result depends only on numpy's
    version; ``corpus_fingerprint`` tells two versions apart.
    """
    min_length = check_int("min_length", min_length, minimum=0)
    owners = [importlib.import_module(m) for m in NAMESPACES]
    owners += [operator.attrgetter(c)(np) for c in CLASSES]
    seen, out = set(), []
    for owner in owners:
        for obj in _documented(owner):
            doc = inspect.getdoc(obj)
            text = docstring_summary(doc) if doc else ""
            if len(text) >= min_length and text not in seen:
                seen.add(text)
                out.append(text)
    return "\n".join(out) + "\n"


def corpus_fingerprint(text: str) -> str:
    """The first 12 hex digits of the text's SHA-256: equal fingerprints mean equal text."""
    return hashlib.sha256(check_str("text", text).encode("utf-8")).hexdigest()[:12]

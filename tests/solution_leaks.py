"""Find a key's solution regions (answer cells' code, written questions' model answers) in
the pages the book publishes. Used by tests/test_no_solution_leaks.py.

A region is the text between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` in any cell of
a key; it is compared after dropping comments and all whitespace (``normalise``), so a copy
re-indented, re-wrapped or stripped of its comments is still found. A region shorter than
``MIN_CHARS`` characters (after that normalisation) is too generic to count
(``return np.tanh(a)``).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from rnngrade import cells

MIN_CHARS = 40
_MARKERS = re.compile(r"^[ \t]*### BEGIN SOLUTION[^\n]*\n(.*?)^[ \t]*### END SOLUTION",
                      re.MULTILINE | re.DOTALL)


_TRAILING_COMMENT = re.compile(r"\s+#[^'\"\n]*$")


def normalise(text: str) -> str:
    """Comment-only lines and trailing comments dropped, then every whitespace: a copy
    re-indented, re-wrapped, re-spaced (a formatter's ``a=b`` or ``a = b``) or stripped of its
    comments compares equal."""
    lines = [_TRAILING_COMMENT.sub("", ln) for ln in text.split("\n")
             if not ln.strip().startswith("#")]
    return "".join("".join(lines).split())


@dataclass(frozen=True)
class Region:
    key: str            # the key's assignment
    kind: str           # "answer <name>" or "written <question>"
    text: str           # normalised


def regions(key: dict, assignment: str) -> list[Region]:
    """Every solution region of a key (a notebook as a dict) long enough to count."""
    found = []
    for cell in key.get("cells", []):
        src = cell.get("source", "")
        src = "".join(src) if isinstance(src, list) else src
        info = cells.info(cell)
        r = cells.role(cell)
        kind = (f"written {info.get('question', info.get('written'))}" if r == "written"
                else f"answer {info.get('answer')}" if r == "answer" else f"{r or 'plain'} cell")
        for m in _MARKERS.finditer(src):
            text = normalise(m.group(1))
            if len(text) >= MIN_CHARS:
                found.append(Region(assignment, kind, text))
    return found


def strings(obj):
    """Every string in a JSON value (cell sources, outputs, metadata), each normalised."""
    if isinstance(obj, str):
        yield normalise(obj)
    elif isinstance(obj, list):
        if obj and all(isinstance(x, str) for x in obj):     # a source split into lines
            yield normalise("".join(obj))
        else:
            for x in obj:
                yield from strings(x)
    elif isinstance(obj, dict):
        for x in obj.values():
            yield from strings(x)


def page_texts(path: Path) -> list[str]:
    if path.suffix == ".ipynb":
        return list(strings(json.loads(path.read_text(encoding="utf-8"))))
    return [normalise(path.read_text(encoding="utf-8"))]


def leaks(keys: dict[str, dict], pages: dict[str, list[str]]) -> list[str]:
    """One line per (region, page) where the page holds the region."""
    found = []
    for assignment, key in sorted(keys.items()):
        for region in regions(key, assignment):
            for page, texts in sorted(pages.items()):
                if any(region.text in t for t in texts):
                    found.append(f"{page} holds the solution region of {assignment}'s "
                                 f"{region.kind}: {region.text[:100]}...")
    return found

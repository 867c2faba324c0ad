"""Read the numbers back from a stepper frame's HTML (the widget tests compare them)."""
from __future__ import annotations

import re

import numpy as np

from rnnlib.widgets.formatting import MINUS


def parse_number(text: str) -> float:
    """The inverse of :func:`fmt` (tests read the numbers back from the HTML)."""
    return float(text.replace(MINUS, "-"))


def read_cells(fragment: str, key: str) -> np.ndarray:
    """The numbers printed in the block ``data-name=key`` of an HTML fragment."""
    start = fragment.index(f'data-name="{key}"')
    tag_start = fragment.rfind("<div", 0, start)
    # walk to the matching </div>
    depth, i = 0, tag_start
    pattern = re.compile(r"<div\b|</div>")
    for m in pattern.finditer(fragment, tag_start):
        depth += 1 if m.group() == "<div" else -1
        if depth == 0:
            i = m.end()
            break
    block = fragment[tag_start:i]
    texts = re.findall(r'<span class="c [sg]\d+(?: mk)?"[^>]*>([^<]*)</span>', block)
    return np.array([parse_number(t) for t in texts if t != ""])

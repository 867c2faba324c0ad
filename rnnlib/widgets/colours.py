"""Colours of the steppers' number cells: two colour-blind-safe maps and readable text on them.

Signed values use the diverging map PuOr (orange below zero, purple above, white at zero);
magnitudes and probabilities use cividis. Each map is sampled into a lookup table of 101
colours, so a cell's colour is one of a few hundred CSS classes (see :func:`colour_css`).
"""
from __future__ import annotations

import numpy as np
from matplotlib import colormaps
from matplotlib.colors import to_hex

from ..plotting.style import DIVERGING, SEQUENTIAL


def _lut(name: str, n: int = 101) -> list[str]:
    cmap = colormaps[name]
    return [to_hex(cmap(i / (n - 1))) for i in range(n)]


_LUTS = {"signed": _lut(DIVERGING), "magnitude": _lut(SEQUENTIAL)}


def _luminance(hex_colour: str) -> float:
    """WCAG relative luminance of '#rrggbb'."""
    rgb = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def text_colour(background: str) -> str:
    """Black or white, whichever contrasts more with ``background`` (WCAG contrast ratio)."""
    lum = _luminance(background)
    return "#000" if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "#fff"


def _fraction(value: float, kind: str, vmax: float) -> float:
    """Where ``value`` falls on its map, 0..1: "signed" maps [-vmax, vmax], "magnitude" [0, vmax];
    values beyond the range are clipped, and a vmax that is not a finite positive number is 1."""
    vmax = float(vmax) if vmax and np.isfinite(vmax) and vmax > 0 else 1.0
    frac = (value / vmax + 1) / 2 if kind == "signed" else value / vmax
    return min(max(frac, 0.0), 1.0)


def _bin(value: float, kind: str, vmax: float) -> int:
    return int(round(_fraction(value, kind, vmax) * (len(_LUTS[kind]) - 1)))


def colour(value: float, kind: str, vmax: float) -> str:
    """The cell colour of ``value`` ('#rrggbb'): PuOr for kind "signed" (0 → white), cividis
    for kind "magnitude"."""
    return _LUTS[kind][_bin(value, kind, vmax)]


def colour_class(value: float, kind: str, vmax: float) -> str:
    """The CSS class of a cell's colour bin: 's0'..'s100' (signed, PuOr) or 'g0'..'g100'
    (magnitude, cividis). Classes keep frames small: a colour is written once, in the CSS."""
    return ("s" if kind == "signed" else "g") + str(_bin(value, kind, vmax))


def colour_css() -> str:
    """One CSS rule per colour class: its background and the text colour that reads on it."""
    rules = []
    for prefix, kind in (("s", "signed"), ("g", "magnitude")):
        for i, bg in enumerate(_LUTS[kind]):
            rules.append(f".rnnw .{prefix}{i}{{background:{bg};color:{text_colour(bg)}}}")
    return "\n".join(rules)

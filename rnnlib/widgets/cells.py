"""HTML number cells: rows, columns and heatmaps of coloured cells that print their values.

Everything returns an HTML string; ``data-name`` attributes label each block, so tests (and
curious readers of the HTML) can find the numbers a frame shows.
"""
from __future__ import annotations

import numpy as np

from .colours import colour, colour_class, text_colour
from .formatting import MINUS, esc, fixed_point


def legend_html(signed_text: str = "values", magnitude_text: str | None = None) -> str:
    """One line that explains the two colour maps (with swatches)."""
    neg, zero, pos = (colour(v, "signed", 1) for v in (-1, 0, 1))
    parts = [f'<span style="background:{neg};color:{text_colour(neg)};padding:0 4px">{MINUS}</span>'
             f'<span style="background:{zero};padding:0 4px;border:1px solid #ccc">0</span>'
             f'<span style="background:{pos};color:{text_colour(pos)};padding:0 4px">+</span>'
             f' {esc(signed_text)}: orange below zero, purple above (PuOr)']
    if magnitude_text:
        lo, hi = colour(0, "magnitude", 1), colour(1, "magnitude", 1)
        parts.append(f'<span style="background:{lo};color:{text_colour(lo)};padding:0 4px">0</span>'
                     f'<span style="background:{hi};color:{text_colour(hi)};padding:0 4px">1</span>'
                     f' {esc(magnitude_text)} (cividis)')
    return '<div class="rnnw-legend">' + " &nbsp;·&nbsp; ".join(parts) + "</div>"


def cell(value: float, kind: str, vmax: float, *, mark: bool = False, show: bool = True,
         title: str | None = None) -> str:
    cls = f"c {colour_class(value, kind, vmax)}" + (" mk" if mark else "")
    tip = f' title="{esc(title)}"' if title else ""
    text = fixed_point(value) if show else ""
    return f'<span class="{cls}"{tip}>{text}</span>'


def vector_row(name_html: str, values, kind: str, vmax: float, *, key: str,
               index_labels=None, mark: int | None = None) -> str:
    """One labelled row of the ``.rows`` grid: the name, then one cell per entry.

    ``key`` goes into ``data-name`` so tests (and curious readers of the HTML) can find it.
    """
    values = np.asarray(values, dtype=float).reshape(-1)
    cells = []
    for i, v in enumerate(values):
        c = cell(v, kind, vmax, mark=(mark == i))
        if index_labels is not None:
            c = f'<span class="cw"><span class="ix">{esc(index_labels[i])}</span>{c}</span>'
        cells.append(c)
    return (f'<div class="nm">{name_html}</div>'
            f'<div class="cells" data-name="{esc(key)}">{"".join(cells)}</div>')


def column(values, kind: str, vmax: float, caption_html: str, *, key: str) -> str:
    """A column vector of cells with a caption underneath (for written-out equations)."""
    values = np.asarray(values, dtype=float).reshape(-1)
    cells = "".join(cell(v, kind, vmax) for v in values)
    return (f'<div class="vcol" data-name="{esc(key)}">{cells}'
            f'<div class="cap">{caption_html}</div></div>')


def matrix(M, kind: str, vmax: float, caption_html: str = "", *, key: str,
           max_labelled_cols: int = 10, col_labels=None, row_labels=None) -> str:
    """A heatmap of cells; values are printed when there are at most ``max_labelled_cols``
    columns (otherwise the cells shrink to colour only, and the value shows on hover).
    Optional ``col_labels`` go above the columns, ``row_labels`` left of the rows."""
    M = np.atleast_2d(np.asarray(M, dtype=float))
    rows, cols = M.shape
    show = cols <= max_labelled_cols
    cls = "m" if show else "m nolab"
    width = 44 if show else 16
    parts = []
    if col_labels is not None:
        if row_labels is not None:
            parts.append("<span></span>")
        parts.extend(f'<span class="ix">{esc(c)}</span>' for c in col_labels)
    for i in range(rows):
        if row_labels is not None:
            parts.append(f'<span class="rl">{esc(row_labels[i])}</span>')
        parts.extend(cell(v, kind, vmax, show=show, title=None if show else fixed_point(v)) for v in M[i])
    template = f"repeat({cols},{width}px)" if row_labels is None else f"max-content repeat({cols},{width}px)"
    grid = (f'<div class="{cls}" data-name="{esc(key)}" data-shape="{rows}x{cols}" '
            f'style="grid-template-columns:{template}">{"".join(parts)}</div>')
    cap = f'<div class="cap">{caption_html}</div>' if caption_html else ""
    return f'<div class="vcol">{grid}{cap}</div>'

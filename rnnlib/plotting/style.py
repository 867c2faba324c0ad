"""One look for every figure: legible at the page's width, colour-blind-safe.

Colours are the Okabe-Ito palette (distinguishable under the common colour-vision
deficiencies); maps of signed values use diverging "PuOr", magnitudes "cividis".
"""
from __future__ import annotations

import matplotlib as mpl
import matplotlib.axes  # mpl.axes.Axes, for the ax check

from ..core.validation import bad_type, check_int

PALETTE = {
    "blue": "#0072B2", "orange": "#E69F00", "green": "#009E73", "vermillion": "#D55E00",
    "sky": "#56B4E9", "purple": "#CC79A7", "yellow": "#F0E442", "black": "#000000",
}
DIVERGING = "PuOr"
SEQUENTIAL = "cividis"
# The order in which a figure's lines take colours. Each of the first five comes from another
# hue family (blue / orange / green / reddish purple / black), so five curves stay apart for
# readers with any common colour-vision deficiency; the near twins of earlier colours (sky
# blue after blue, vermillion after orange) come only from the sixth on, and yellow, faint on
# white, last.
ORDER = ("blue", "orange", "green", "purple", "black", "sky", "vermillion", "yellow")


def use_book_style() -> None:
    """Apply the book's matplotlib settings (call once at the top of a chapter)."""
    mpl.rcParams.update({
        "figure.figsize": (7.0, 3.6),
        "figure.dpi": 100,
        "savefig.dpi": 100,
        "font.size": 11,
        "axes.titlesize": 12,
        "axes.labelsize": 11,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.prop_cycle": mpl.cycler(color=[PALETTE[name] for name in ORDER]),
        "image.cmap": SEQUENTIAL,
        "legend.frameon": False,
        "figure.constrained_layout.use": True,
    })


def colour(i: int) -> str:
    """The colour of a figure's i-th line (i >= 0), in ``ORDER``; the ninth line takes the
    first colour again."""
    return PALETTE[ORDER[check_int("i", i, minimum=0) % len(ORDER)]]


def axes_or_new(ax=None, figsize: tuple | None = None):
    """``ax`` itself (a matplotlib Axes), or a fresh single Axes when None (of ``figsize``
    inches, else matplotlib's default): the one way a figure function of one panel gets its
    axes, so every one checks ``ax`` alike."""
    if ax is None:
        import matplotlib.pyplot as plt
        _, ax = plt.subplots(figsize=figsize)
        return ax
    if not isinstance(ax, mpl.axes.Axes):
        raise bad_type("ax", "a matplotlib Axes or None", ax)
    return ax

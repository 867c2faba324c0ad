"""Figures of word vectors (chapter 6): a labelled 2-D projection, a similarity heatmap and the
coverage of a vocabulary against its size.

Each function draws on one Axes (a new figure when ``ax`` is None) and returns the Axes, so a
chapter can set two methods side by side. Nothing here learns or projects: the points come from
``rnnlib.embeddings.project_2d``, the similarities from normalised vectors, the coverages from
``Vocabulary.coverage``.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np

from ..core.validation import bad_value, check_float_array, check_list, check_vector
from .style import DIVERGING, ORDER, PALETTE

MARKERS = "o^sDvP*X"
# Where a label may go, relative to its point (points): right, left, above, below, diagonals.
_OFFSETS = ((6, 0), (-6, 0), (0, 7), (0, -7), (6, 6), (-6, 6), (6, -6), (-6, -6),
            (10, 10), (-10, 10), (10, -10), (-10, -10), (0, 14), (0, -14), (14, 0), (-14, 0))
_ALIGN = {1: "left", -1: "right", 0: "center"}
_VALIGN = {1: "bottom", -1: "top", 0: "center"}


def _axes(ax):
    if ax is None:
        _, ax = plt.subplots()
    return ax


def _groups(name: str, words: Sequence[str], mapping: Mapping[str, str] | None) -> list:
    """The group of each word (None everywhere if no mapping); every word must have one."""
    if mapping is None:
        return [None] * len(words)
    missing = [w for w in words if w not in mapping]
    if missing:
        raise bad_value(name, "a group for every word", f"none for the words {missing}")
    return [mapping[w] for w in words]


def _overlaps(box, boxes) -> bool:
    return any(box.overlaps(other) for other in boxes)


def _place_labels(ax, points: np.ndarray, words: Sequence[str], fontsize: float) -> list:
    """Annotate each point with its word, trying offsets in turn until the label's box overlaps
    neither an earlier label nor a point; the first offset is kept if every one collides."""
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    ax.autoscale_view()
    xy_pixels = ax.transData.transform(points)
    dots = [plt.matplotlib.transforms.Bbox.from_bounds(x - 3, y - 3, 6, 6) for x, y in xy_pixels]
    placed, texts = [], []
    for i, (word, xy) in enumerate(zip(words, points)):
        others = dots[:i] + dots[i + 1:]
        chosen = None
        for dx, dy in _OFFSETS:
            text = ax.annotate(word, xy, xytext=(dx, dy), textcoords="offset points",
                               ha=_ALIGN[int(np.sign(dx))], va=_VALIGN[int(np.sign(dy))],
                               fontsize=fontsize)
            box = text.get_window_extent(renderer).expanded(1.05, 1.1)
            if not _overlaps(box, placed) and not _overlaps(box, others):
                chosen = (text, box)
                break
            text.remove()
        if chosen is None:               # crowded: fall back to the first position
            dx, dy = _OFFSETS[0]
            text = ax.annotate(word, xy, xytext=(dx, dy), textcoords="offset points",
                               ha="left", va="center", fontsize=fontsize)
            chosen = (text, text.get_window_extent(renderer))
        texts.append(chosen[0])
        placed.append(chosen[1])
    return texts


def projection_scatter(points, words: Sequence[str], *, colour_by: Mapping[str, str] | None = None,
                       marker_by: Mapping[str, str] | None = None, ax=None,
                       title: str = "Word vectors projected to two dimensions",
                       xlabel: str = "first principal component",
                       ylabel: str = "second principal component", fontsize: float = 9.5,
                       legend: bool = True):
    """Scatter of 2-D word positions, each point labelled with its word.

    points: (n, 2), e.g. ``rnnlib.embeddings.project_2d(vectors)``; words: the n labels.
    colour_by / marker_by: {word: group} (e.g. rank and gender); each group gets one colour
    (colour-blind-safe palette) or one marker, and the legend lists the groups. Labels sit
    beside their points, moved around to avoid covering each other. Returns the Axes.
    """
    points = check_float_array("points", points)
    if points.ndim != 2 or points.shape[1] != 2:
        raise bad_value("points", "shape (n, 2)", f"shape {points.shape}")
    words = check_list("words", list(words), len(points), "labels (one per point)")
    colours = _groups("colour_by", words, colour_by)
    markers = _groups("marker_by", words, marker_by)
    colour_of = {g: PALETTE[ORDER[i % len(ORDER)]] for i, g in enumerate(dict.fromkeys(colours))}
    marker_of = {g: MARKERS[i % len(MARKERS)] for i, g in enumerate(dict.fromkeys(markers))}
    ax = _axes(ax)
    for c in colour_of:
        for m in marker_of:
            idx = [i for i in range(len(words)) if colours[i] == c and markers[i] == m]
            if idx:
                ax.scatter(points[idx, 0], points[idx, 1], s=42, color=colour_of[c],
                           marker=marker_of[m], edgecolor="white", linewidth=0.6, zorder=3)
    # Pad the limits so labels at the edge stay inside the axes.
    lo, hi = points.min(axis=0), points.max(axis=0)
    span = np.where(hi - lo > 0, hi - lo, 1.0)
    ax.set_xlim(lo[0] - 0.12 * span[0], hi[0] + 0.18 * span[0])
    ax.set_ylim(lo[1] - 0.1 * span[1], hi[1] + 0.1 * span[1])
    _place_labels(ax, points, words, fontsize)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    if legend and (colour_by is not None or marker_by is not None):
        handles = []
        for c, colour in colour_of.items():
            if c is not None:
                handles.append(plt.Line2D([], [], ls="none", marker="o", color=colour, label=str(c)))
        for m, marker in marker_of.items():
            if m is not None:
                handles.append(plt.Line2D([], [], ls="none", marker=marker, color="0.35",
                                          label=str(m)))
        ax.legend(handles=handles, fontsize=9, loc="best", handletextpad=0.2)
    return ax


def similarity_heatmap(similarity, words: Sequence[str], *, ax=None,
                       title: str = "Cosine similarity between words", colorbar: bool = True,
                       annotate: bool = False, fontsize: float = 9):
    """A (n, n) matrix of cosine similarities as a heatmap on [-1, 1] (diverging map, white 0).

    words: the n row and column labels. annotate: write each value (two decimals) in its cell,
    for small n. colorbar: add one, labelled. Returns the Axes (the image is ``ax.images[0]``).
    """
    sim = check_float_array("similarity", similarity)
    if sim.ndim != 2 or sim.shape[0] != sim.shape[1]:
        raise bad_value("similarity", "a square matrix", f"shape {sim.shape}")
    words = check_list("words", list(words), sim.shape[0], "labels")
    if np.any(np.abs(sim) > 1 + 1e-9):
        raise bad_value("similarity", "cosines in [-1, 1]", f"an entry {np.abs(sim).max():.6g} "
                        "in absolute value")
    ax = _axes(ax)
    image = ax.imshow(sim, cmap=DIVERGING, vmin=-1, vmax=1)
    n = len(words)
    ax.set_xticks(range(n), words, rotation=90, fontsize=fontsize)
    ax.set_yticks(range(n), words, fontsize=fontsize)
    ax.grid(False)
    if annotate:
        for i in range(n):
            for j in range(n):
                ax.text(j, i, f"{sim[i, j]:.2f}", ha="center", va="center", fontsize=fontsize - 2,
                        color="white" if abs(sim[i, j]) > 0.6 else "black")
    if colorbar:
        ax.figure.colorbar(image, ax=ax, label="cosine similarity", shrink=0.85)
    ax.set_title(title)
    return ax


def coverage_curve(sizes, coverage, *, marks: Mapping[str, int] | None = None, ax=None,
                   title: str = "How much held-out text a vocabulary of each size knows",
                   xlabel: str = "vocabulary size (max_size, including <UNK> and <EOS>)",
                   ylabel: str = "held-out tokens covered (%)"):
    """Coverage (a fraction in [0, 1], drawn in %) against the vocabulary size.

    sizes, coverage: equal-length 1-D sequences, e.g. ``Vocabulary(tokens, max_size=m)
    .coverage(held_out)`` for each m. marks: {label: size} drawn as dotted vertical lines (such
    as the size at which every non-name word is in). Returns the Axes.
    """
    sizes = check_vector("sizes", sizes, "vocabulary sizes")
    coverage = check_vector("coverage", coverage, "fractions, one per size", size=sizes.size)
    if np.any(coverage < 0) or np.any(coverage > 1):
        raise bad_value("coverage", "fractions in [0, 1]", f"values from {coverage.min():g} to "
                        f"{coverage.max():g}")
    ax = _axes(ax)
    ax.plot(sizes, 100 * coverage, color=PALETTE["blue"], lw=1.8, marker="o", ms=3)
    for i, (label, size) in enumerate((marks or {}).items()):
        ax.axvline(size, color=PALETTE[ORDER[1 + i % (len(ORDER) - 1)]], ls=":", lw=1.4,
                   label=label)
    if marks:
        ax.legend(loc="lower right")
    ax.set_ylim(min(100 * coverage.min(), 100) - 3, 101)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    return ax

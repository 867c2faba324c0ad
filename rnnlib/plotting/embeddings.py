"""Figures of word vectors (chapter 6): a similarity heatmap and the coverage of a vocabulary
against its size.

Each function draws on one Axes (a new figure when ``ax`` is None) and returns the Axes, so a
chapter can set two side by side. Nothing here learns: the similarities come from normalised
vectors (``rnnlib.text.embeddings.normalize``), the coverages from ``Vocabulary.coverage``.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence


from ..core.validation import (bad_value, check_float_array, check_list, check_range,
                               check_vector)
from .style import DIVERGING, ORDER, PALETTE, axes_or_new

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
    # a cosine computed in floating point may stray past ±1 by a few ulps
    check_range("similarity", sim, "cosines in [-1, 1]", minimum=-1 - 1e-9, maximum=1 + 1e-9)
    ax = axes_or_new(ax)
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
    coverage = check_vector("coverage", coverage, "fractions in [0, 1], one per size",
                            size=sizes.size, minimum=0, maximum=1)
    ax = axes_or_new(ax)
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

"""Figures for the gated cells (chapter 8): a result over several seeds, drawn as its mean
with the min..max range, so one lucky or unlucky run cannot pass for the rule.

Nothing here trains: the accuracies come from ``rnnlib.experiments.recall.recall_sweep``.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.ticker as mticker

from ..core.validation import (bad_value, check_float_array, check_fraction, check_mapping,
                               check_range, check_shape, check_vector)
from .style import PALETTE, axes_or_new as _axes, colour as _colour


def accuracy_spread(distances: Sequence[int], runs: Mapping, *, chance: float, ax=None,
                    title: str = "Accuracy against distance, mean and range over seeds",
                    xlabel: str = "distance k (steps between the first token and the answer)"):
    """Mean test accuracy against the distance k, a bar from the min to the max over seeds,
    and each seed's run as a small dot.

    distances: the k trained on (n,). runs: {label: accuracies (n, n_seeds)}. chance: the
    accuracy of guessing (1 / n_symbols). Returns the Axes.
    """
    distances = check_vector("distances", distances, "distances >= 1", minimum=1)
    check_mapping("runs", runs, "accuracies (len(distances), n_seeds)")
    chance = check_fraction("chance", chance, low_open=True)
    ax = _axes(ax)
    n = len(runs)
    for i, (label, values) in enumerate(runs.items()):
        name = f"runs[{label!r}]"
        acc = check_float_array(name, values)
        if acc.ndim != 2:
            raise bad_value(name, f"accuracies of shape (len(distances)={distances.size}, "
                            "n_seeds)", f"shape {acc.shape}")
        check_shape(name, acc, (distances.size, acc.shape[1]), "(len(distances), n_seeds)")
        check_range(name, acc, "accuracies in [0, 1]", minimum=0, maximum=1)
        x = distances * 2.0 ** (0.06 * (i - (n - 1) / 2))   # spread the curves a little
        mean, lo, hi = acc.mean(axis=1), acc.min(axis=1), acc.max(axis=1)
        colour = _colour(i)
        ax.errorbar(x, mean, yerr=[mean - lo, hi - mean], color=colour, marker="os^D"[i % 4],
                    lw=1.8, capsize=4, label=f"{label} (mean, min..max)")
        for j in range(acc.shape[1]):
            ax.plot(x, acc[:, j], ls="none", marker=".", ms=4, color=colour, alpha=0.5)
    ax.axhline(chance, color=PALETTE["black"], ls="--", lw=1.2,
               label=f"chance (1/{round(1 / chance)})")
    ax.set_xscale("log", base=2)
    ax.set_xticks(distances, [str(int(k)) for k in distances])
    ax.xaxis.set_minor_locator(mticker.NullLocator())
    ax.set_ylim(0, 1.05)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("test accuracy")
    ax.set_title(title)
    ax.legend(fontsize=9, loc="center left")   # clear of the chance line and of k's ends
    return ax

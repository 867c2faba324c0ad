"""Figures of the output layer: what softmax makes of a vector of logits.

:func:`plot_temperature_bars` draws softmax(o / τ) for several temperatures τ side by side;
:func:`plot_entropy_vs_temperature` draws the entropy of that distribution against τ, between
its two limits 0 (τ -> 0, all mass on the largest logit) and ln K (τ -> ∞, uniform).
The entropy is ``rnnlib.entropy`` (core/softmax.py), the one the softmax-temperature stepper
prints too.
"""
from __future__ import annotations

import matplotlib as mpl
import numpy as np

from ..core.softmax import entropy, softmax
from ..core.validation import check_list, check_vector
from .style import PALETTE, axes_or_new


def plot_temperature_bars(o, temperatures, ax=None, class_labels=None,
                          title: str | None = "The same logits at several temperatures"):
    """Grouped bars of softmax(o / τ) for each τ in ``temperatures``; returns the axes.

    o: (K,) logits. class_labels: K tick labels (default "class 0" ...). Bars of one τ share a
    colour from the cividis map, dark for small τ (sharp) to light for large τ (flat).
    """
    o = check_vector("o", o, "logits (K,)")
    taus = check_vector("temperatures", temperatures, "temperatures > 0", positive=True)
    K = o.size
    labels = ([f"class {k}" for k in range(K)] if class_labels is None
              else check_list("class_labels", list(class_labels), K, "labels"))
    ax = axes_or_new(ax)
    cmap = mpl.colormaps["cividis"]
    width = 0.8 / taus.size
    for i, tau in enumerate(taus):
        colour = cmap(0.05 + 0.85 * i / max(taus.size - 1, 1))
        ax.bar(np.arange(K) - 0.4 + width * (i + 0.5), softmax(o, temperature=float(tau)), width,
               color=colour, edgecolor="white", linewidth=0.5, label=f"τ = {tau:g}")
    ax.axhline(1 / K, color=PALETTE["black"], linestyle=":", linewidth=1.2, label="uniform 1/K")
    ax.set_xticks(np.arange(K), labels)
    ax.set_ylim(0, 1)
    ax.set_xlabel("class k (logit shown in the tick label)" if class_labels is not None else "class k")
    ax.set_ylabel("probability softmax(o/τ)$_k$")
    ax.legend(ncols=2, fontsize=9)
    if title:
        ax.set_title(title)
    return ax


def plot_entropy_vs_temperature(o, temperatures, ax=None,
                                title: str | None = "Entropy rises from 0 to ln K as τ grows"):
    """Entropy (nats) of softmax(o / τ) against τ on a log axis, with the limits 0 and ln K.

    Returns the axes. o: (K,) logits; temperatures: the τ values to evaluate (e.g. a geomspace).
    """
    o = check_vector("o", o, "logits (K,)")
    taus = np.sort(check_vector("temperatures", temperatures, "temperatures > 0",
                                positive=True))
    H = np.array([entropy(softmax(o, temperature=float(t))) for t in taus])
    ax = axes_or_new(ax)
    ax.plot(taus, H, color=PALETTE["blue"], linewidth=2, label="entropy of softmax(o/τ)")
    ax.axhline(np.log(o.size), color=PALETTE["vermillion"], linestyle="--", linewidth=1.2,
               label=f"ln K = ln {o.size} (uniform)")
    ax.axhline(0.0, color=PALETTE["black"], linestyle=":", linewidth=1.2, label="0 (one-hot)")
    ax.set_xscale("log")
    ax.set_xlabel("temperature τ (log scale)")
    ax.set_ylabel("entropy (nats)")
    ax.legend(fontsize=9, loc="center right")
    if title:
        ax.set_title(title)
    return ax

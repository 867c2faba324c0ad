"""Figures about vanishing and exploding gradients (chapter 5).

How ‖∂h_T/∂h_t‖ shrinks or grows with the distance T − t, what that does to a task that needs a
long memory, what an exploding gradient looks like during training, and how the two ways of
clipping change a gradient's direction.

Each function draws on one Axes (a new figure when ``ax`` is None) and returns the Axes, so a
chapter can place two of them side by side. Nothing here trains or differentiates: the numbers
come from ``rnnlib.jacobian_norms``, ``rnnlib.fit``, ``rnnlib.clip_by_global_norm`` and
``rnnlib.clip_elementwise``.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.ticker as mticker
import numpy as np

from ..core.validation import (bad_value, check_fraction, check_mapping, check_positive,
                               check_vector)
from ..training.clipping import clip_by_global_norm, clip_elementwise
from .style import PALETTE, axes_or_new as _axes, colour as _colour
from .training import draw_runs


def jacobian_norm_decay(norms: Mapping, *, rates: Mapping | None = None, ax=None,
                        title: str = r"How far back a change in $h_t$ still reaches $h_T$",
                        xlabel: str = r"distance $T - t$ (time steps)"):
    """‖∂h_T/∂h_t‖₂ against the distance T − t on a log scale, one line per labelled run.

    norms: {label: array (T+1,)} as returned by ``rnnlib.jacobian_norms`` for one sequence
    (entry t is ‖∂h_T/∂h_t‖, entry T is 1); the array is reversed so distance 0 is on the left.
    rates: optional {label: r}; draws r^(T−t) as a dashed line in the run's colour, the
    prediction of the linear analysis (r = ρ(W)). Returns the Axes.
    """
    check_mapping("norms", norms, "norms (T+1,)")
    rates = {} if rates is None else dict(check_mapping("rates", rates, "a rate r > 0"))
    unknown = set(rates) - set(norms)
    if unknown:
        raise bad_value("rates", "labels that are in 'norms'",
                        f"labels {sorted(map(str, unknown))} that are not")
    ax = _axes(ax)
    for i, (label, values) in enumerate(norms.items()):
        values = check_vector(f"norms[{label!r}]", values, "finite norms >= 0",
                              minimum=0)[::-1]                 # index = distance T - t
        distance = np.arange(values.size)
        ax.plot(distance, values, color=_colour(i), lw=1.8, label=str(label))
        if label in rates:
            r = check_positive(f"rates[{label!r}]", rates[label])
            ax.plot(distance, r ** distance, color=_colour(i), lw=1.0, ls="--")
    if rates:   # one legend entry explains every dashed line
        ax.plot([], [], color=PALETTE["black"], lw=1.0, ls="--",
                label=r"$\rho(W)^{T-t}$ (prediction)")
    ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(r"$\|\partial h_T / \partial h_t\|_2$")
    ax.set_title(title)
    ax.legend(fontsize=9, ncol=2 if len(norms) > 3 else 1)
    return ax


def accuracy_vs_distance(lengths: Sequence[int], accuracies: Mapping | Sequence[float], *,
                         chance: float, ax=None,
                         title: str = "Accuracy falls to chance as the gap grows",
                         xlabel: str = "sequence length k (steps the first token must be kept)"):
    """Test accuracy against the sequence length k (log₂ x axis), with the chance level dashed.

    lengths: the lengths trained on. accuracies: one accuracy per length, or
    {label: accuracies} for several runs (e.g. two training budgets). chance: the accuracy of
    guessing, 1 / n_symbols for ``rnnlib.recall_first``. Returns the Axes.
    """
    lengths = check_vector("lengths", lengths, "lengths >= 1", minimum=1)
    chance = check_fraction("chance", chance, low_open=True)
    runs = accuracies if isinstance(accuracies, Mapping) else {"vanilla RNN": accuracies}
    check_mapping("accuracies", runs, "accuracies, one per length")
    ax = _axes(ax)
    markers = "osD^v"
    for i, (label, values) in enumerate(runs.items()):
        values = check_vector(f"accuracies[{label!r}]", values,
                              "accuracies in [0, 1], one per length", size=lengths.size,
                              minimum=0, maximum=1)
        ax.plot(lengths, values, marker=markers[i % len(markers)], color=_colour(i), lw=1.8,
                label=str(label))
    ax.axhline(chance, color=PALETTE["black"], ls="--", lw=1.2,
               label=f"chance (1/{round(1 / chance)})")
    ax.set_xscale("log", base=2)
    ax.set_xticks(lengths, [str(int(k)) for k in lengths])
    ax.xaxis.set_minor_locator(mticker.NullLocator())
    ax.set_ylim(0, 1.05)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("test accuracy")
    ax.set_title(title)
    ax.legend(fontsize=9)
    return ax


def gradient_norm_curves(runs: Mapping, *, clip: float | None = None, ax=None,
                         title: str = "Gradient norm during training",
                         xlabel: str = "update (SGD step)", styles=("-",)):
    """The global gradient norm (before clipping) at every update, log scale, one line per label.

    runs: {label: History or sequence of norms}, or {label: a list of them} (several seeds of
    one setting: drawn as their median, in a band from the lowest to the highest). A History
    that stopped because it diverged is marked with an × at its last finite point. clip: draw
    the clipping threshold κ as a dash-dotted line. styles: the labels' line styles, in turn.
    Returns the Axes.
    """
    check_mapping("runs", runs, "History or sequence of norms")
    if clip is not None:
        clip = check_positive("clip", clip)
    ax = _axes(ax)
    draw_runs(ax, runs, "grad_norm", "gradient norms", styles=styles)
    if clip is not None:
        ax.axhline(clip, color=PALETTE["black"], ls="-.", lw=1.0,
                   label=f"clipping threshold κ = {clip:g}")
    ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(r"$\|\nabla L\|$ before clipping")
    ax.set_title(title)
    ax.legend(fontsize=9)
    return ax


def clipping_directions(g: Sequence[float], *, max_norm: float, limit: float, ax=None,
                        title: str = "Global-norm clipping keeps the direction; element-wise turns it"):
    """A 2-D gradient g, its global-norm clip (to ``max_norm``) and its element-wise clip
    (each entry to [-limit, limit]), drawn as arrows from the origin, with the circle
    ‖g‖ = max_norm and the box |g_i| ≤ limit. Both clips are computed by rnnlib. Returns the Axes.
    """
    g = check_vector("g", g, "finite numbers (a 2-D gradient)", size=2)
    by_norm = clip_by_global_norm({"W": g}, max_norm)[0]["W"]
    by_entry = clip_elementwise({"W": g}, limit)["W"]
    ax = _axes(ax, figsize=(6.4, 4.8))   # square data aspect: taller than the default
    theta = np.linspace(0, 2 * np.pi, 200)
    ax.plot(max_norm * np.cos(theta), max_norm * np.sin(theta), color=PALETTE["blue"], lw=1,
            ls=":", label=rf"$\|g\| = {max_norm:g}$")
    box = limit * np.array([[-1, -1], [1, -1], [1, 1], [-1, 1], [-1, -1]])
    ax.plot(box[:, 0], box[:, 1], color=PALETTE["vermillion"], lw=1, ls=":",
            label=rf"$|g_i| \leq {limit:g}$")
    arrows = [(g, PALETTE["black"], "gradient $g$", 2.5),
              (by_norm, PALETTE["blue"], "clipped by global norm", 2.0),
              (by_entry, PALETTE["vermillion"], "clipped element-wise", 2.0)]
    for vec, colour, label, width in arrows:
        ax.annotate("", xy=vec, xytext=(0, 0),
                    arrowprops=dict(arrowstyle="-|>", color=colour, lw=width, mutation_scale=16))
        ax.plot([], [], color=colour, lw=width, label=label)     # legend entry for the arrow
    reach = 1.15 * max(np.abs(g).max(), max_norm, limit)
    window = (-0.25 * reach, reach)                 # the quadrant g points into, plus a margin
    ax.set_xlim(window if g[0] >= 0 else (-window[1], -window[0]))
    ax.set_ylim(window if g[1] >= 0 else (-window[1], -window[0]))
    ax.set_aspect("equal")
    ax.set_xlabel("gradient entry 1")
    ax.set_ylabel("gradient entry 2")
    ax.set_title(title)
    ax.legend(fontsize=9, loc="upper left")
    return ax

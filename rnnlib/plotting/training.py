"""Figures about training by BPTT (chapter 4): loss curves, what truncation changes, memory.

Each function draws on one Axes (a new figure when ``ax`` is None) and returns the Axes, so a
chapter can place two of them side by side. Nothing here trains or differentiates: the numbers
come from ``rnnlib.fit``, ``rnnlib.loss_and_grads`` and the chapter's measurements.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.ticker as mticker
import numpy as np

from ..core.validation import check_int, check_mapping, check_positive, check_vector
from .style import PALETTE, axes_or_new as _axes, colour as _colour

def _losses(name: str, run) -> tuple[np.ndarray, bool]:
    """(losses, diverged) from a History-like object (``.loss``, ``.diverged``) or a sequence;
    a diverged run's last loss may be inf or nan."""
    losses = run.loss if hasattr(run, "loss") else run
    return (check_vector(name, losses, "losses", finite=False),
            bool(getattr(run, "diverged", False)))


def loss_curves(runs: Mapping, *, per: float = 1.0, ax=None, log: bool = True,
                title: str = "Training loss", ylabel: str = "loss",
                xlabel: str = "update (SGD step)"):
    """One line per labelled run: loss[i] / ``per`` against the update number i.

    runs: {label: History or sequence of losses}. per: divide by it (the batch size turns the
    book's summed loss into a loss per sequence). A run that stopped because it diverged, or
    that ends above where it started, is marked with an × at its last point. log: log-scale y.
    Returns the Axes.
    """
    check_mapping("runs", runs, "History or sequence of losses")
    per = check_positive("per", per)
    ax = _axes(ax)
    for i, (label, run) in enumerate(runs.items()):
        losses, diverged = _losses(f"runs[{label!r}]", run)
        y = losses / per
        steps = np.arange(y.size)
        ax.plot(steps, y, color=_colour(i), lw=1.6, label=str(label))
        finite = np.isfinite(y)
        if diverged or (finite.all() and y[-1] > y[0]):
            last = np.flatnonzero(finite)[-1] if finite.any() else 0
            ax.plot(steps[last], y[last], marker="x", ms=9, mew=2, color=_colour(i),
                    linestyle="none")
    if log:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend()
    return ax


def truncation_gap(ks: Sequence[int], gaps: Mapping[str, Sequence[float]], *, T: int | None = None,
                   ax=None, title: str = "What truncation removes from the gradient",
                   xlabel: str = "truncation length S (steps per chunk)"):
    """Relative difference between truncated and full BPTT gradients against the chunk length S.

    ks: chunk lengths (x axis). gaps: {parameter name: relative difference for each S}, e.g. from
    ``rnnlib.relative_error(truncated[name], full[name])``. T: the sequence length, drawn as a
    dotted line where truncation stops changing anything. xlabel: the x axis's label (another
    quantity, such as the length of the last chunk, may stand on the x axis). Returns the Axes.
    """
    ks = check_vector("ks", ks, "chunk lengths")
    check_mapping("gaps", gaps, "relative differences, one per k")
    if T is not None:
        T = check_int("T", T)
    ax = _axes(ax)
    markers = "osD^v<>"
    for i, (name, values) in enumerate(gaps.items()):
        values = check_vector(f"gaps[{name!r}]", values, "relative differences, one per k",
                              size=ks.size, finite=False)
        ax.plot(ks, values, marker=markers[i % len(markers)], color=_colour(i), lw=1.6,
                label=f"$\\nabla_{{{name}}} L$")
    if T is not None:
        ax.axvline(T, color=PALETTE["black"], ls=":", lw=1.2)
        ax.annotate(f"S = T = {T}: full BPTT", (T, ax.get_ylim()[1]), ha="right", va="top",
                    fontsize=10, xytext=(-4, -4), textcoords="offset points")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("relative difference from full BPTT")
    ax.set_title(title)
    ax.legend()
    return ax


def memory_vs_length(lengths: Sequence[int], peaks: Mapping[str, Sequence[float]], *, ax=None,
                     title: str = "Peak memory of one gradient computation"):
    """Peak memory (bytes, drawn in MB) against the sequence length T, one line per method.

    lengths: the sequence lengths measured. peaks: {label: peak bytes for each length}, e.g.
    from ``rnnlib.peak_bytes``. Both axes are logarithmic, so memory that
    grows in proportion to T is a straight line of slope one and constant memory is flat.
    Returns the Axes.
    """
    lengths = check_vector("lengths", lengths, "sequence lengths > 0", positive=True)
    check_mapping("peaks", peaks, "peak bytes, one per length")
    ax = _axes(ax)
    for i, (label, values) in enumerate(peaks.items()):
        values = check_vector(f"peaks[{label!r}]", values, "peak bytes, one per length",
                              size=lengths.size)
        ax.plot(lengths, values / 1e6, marker="o", color=_colour(i), lw=1.6, label=str(label))
    ax.set_xscale("log")
    ax.set_yscale("log")
    # label the measured lengths themselves (plain numbers read better than 6×10²)
    ax.set_xticks(lengths, [f"{n:,.0f}" for n in lengths])
    ax.xaxis.set_minor_locator(mticker.NullLocator())
    ax.yaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{v:g}"))
    ax.set_xlabel("sequence length T (steps)")
    ax.set_ylabel("peak memory (MB)")
    ax.set_title(title)
    ax.legend()
    return ax

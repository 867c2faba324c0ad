"""Figures about training by BPTT (chapter 4): loss curves, what truncation changes, memory.

Each function draws on one Axes (a new figure when ``ax`` is None) and returns the Axes, so a
chapter can place two of them side by side. Nothing here trains or differentiates: the numbers
come from ``rnnlib.fit``, ``rnnlib.loss_and_grads`` and the chapter's measurements.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.ticker as mticker
import numpy as np

from ..core.validation import bad_type, bad_value, check_int, check_mapping, check_positive, check_vector
from .style import PALETTE, axes_or_new as _axes, colour as _colour

def runs_of(name: str, run, attr: str, what: str) -> tuple[np.ndarray, bool]:
    """One label's curves as an array (R, N), and whether its run diverged.

    run: a History-like object (its ``attr``, "loss" or "grad_norm", and ``.diverged``), a
    sequence of N numbers, or several runs of one setting (one per seed, say) as a list of
    either or an (R, N) array, all of one length N. A diverged run's last value may be inf or
    nan. ``diverged`` is only ever True for a single History that says so.
    """
    if isinstance(run, np.ndarray) and run.ndim == 2:
        run = list(run)
    if isinstance(run, (list, tuple)) and run and (hasattr(run[0], attr) or np.ndim(run[0]) > 0):
        rows = [_one_run(f"{name}[{i}]", one, attr, what) for i, one in enumerate(run)]
        if len({row.size for row in rows}) > 1:
            raise bad_value(name, f"runs of one length ({what})",
                            f"lengths {[row.size for row in rows]}")
        return np.stack(rows), False
    return _one_run(name, run, attr, what)[None], bool(getattr(run, "diverged", False))


def _one_run(name: str, run, attr: str, what: str) -> np.ndarray:
    """The curve (N,) of one run: a History-like object's ``attr``, or a sequence of numbers."""
    return check_vector(name, getattr(run, attr) if hasattr(run, attr) else run, what,
                        finite=False)


LINE_STYLES = ("-", "--", "-.", ":", "solid", "dashed", "dashdot", "dotted")


def draw_runs(ax, runs: Mapping, attr: str, what: str, *, per: float = 1.0, styles=("-",),
              mark_rise: bool = False) -> None:
    """One curve per label of ``runs`` against the update number, divided by ``per``.

    runs: {label: run or runs} as :func:`runs_of` reads them. A label with one run is its line,
    with an × at its last finite point if it diverged (or, with ``mark_rise``, if it ends above
    where it started); a label with several runs is their median, in a band from the lowest to
    the highest. The i-th label takes colour i and line style ``styles[i % len(styles)]``.
    """
    # matplotlib's named line styles; anything else would fail deep inside matplotlib
    if isinstance(styles, str) or not isinstance(styles, Sequence):
        raise bad_type("styles", "a tuple of line styles", styles)
    if not styles or any(s not in LINE_STYLES for s in styles):
        raise bad_value("styles", f"a non-empty tuple of line styles from {LINE_STYLES}",
                        repr(styles))
    for i, (label, run) in enumerate(runs.items()):
        values, diverged = runs_of(f"runs[{label!r}]", run, attr, what)
        values = values / per
        steps = np.arange(values.shape[1])
        colour, style = _colour(i), styles[i % len(styles)]
        if values.shape[0] > 1:
            ax.fill_between(steps, values.min(axis=0), values.max(axis=0), color=colour,
                            alpha=0.2, lw=0)
            ax.plot(steps, np.median(values, axis=0), color=colour, ls=style, lw=1.8,
                    label=str(label))
            continue
        y = values[0]
        ax.plot(steps, y, color=colour, ls=style, lw=1.6, label=str(label))
        finite = np.isfinite(y)
        if diverged or (mark_rise and finite.all() and y[-1] > y[0]):
            last = np.flatnonzero(finite)[-1] if finite.any() else 0
            ax.plot(steps[last], y[last], marker="x", ms=9, mew=2, color=colour,
                    linestyle="none")


def loss_curves(runs: Mapping, *, per: float = 1.0, ax=None, log: bool = True,
                title: str = "Training loss", ylabel: str = "loss",
                xlabel: str = "update (SGD step)", styles=("-",)):
    """One line per labelled run: loss[i] / ``per`` against the update number i.

    runs: {label: History or sequence of losses}, or {label: a list of them} (several seeds of
    one setting: drawn as their median, in a band from the lowest to the highest). per: divide
    by it (the batch size turns the book's summed loss into a loss per sequence). A run that
    stopped because it diverged, or that ends above where it started, is marked with an × at
    its last point. log: log-scale y. styles: the labels' line styles, in turn. Returns the Axes.
    """
    check_mapping("runs", runs, "History or sequence of losses")
    per = check_positive("per", per)
    ax = _axes(ax)
    draw_runs(ax, runs, "loss", "losses", per=per, styles=styles, mark_rise=True)
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

"""Figures and numbers for the hidden-layer nonlinearities f and their derivatives f'.

Everything is computed by ``rnnlib.activate`` and ``rnnlib.derivative`` (the functions the
forward and backward passes use), so the figure shows exactly what the library does.

    activation_summary(("tanh", "sigmoid", "relu"))   # ranges, max f', saturated share
    plot_activations(("tanh", "sigmoid", "relu"))      # one panel per f: f(a) and f'(a)
"""
from __future__ import annotations

import math
from numbers import Real

import matplotlib.pyplot as plt
import numpy as np

from ..core.activations import activate, derivative
from ..core.validation import (ACTIVATIONS, bad_type, bad_value, check_choice, check_float_array,
                               check_int, check_list, check_positive)
from .style import PALETTE

DEFAULT_NAMES = ("tanh", "sigmoid", "relu")


def activation_grid(a_min: float = -5.0, a_max: float = 5.0, n: int = 2001) -> np.ndarray:
    """An evenly spaced grid of pre-activations a (n,), including a = 0 when n is odd and the
    interval is symmetric."""
    for name, value in (("a_min", a_min), ("a_max", a_max)):
        if isinstance(value, bool) or not isinstance(value, Real):
            raise bad_type(name, "a finite real number", value)
        if not math.isfinite(value):
            raise bad_value(name, "a finite real number", value)
    if not a_max > a_min:
        raise bad_value("a_max", f"a number > a_min = {a_min}", a_max)
    return np.linspace(a_min, a_max, check_int("n", n, minimum=2))   # n grid points


def _names(names) -> list:
    """A list of activation names, each one of rnnlib's."""
    return [check_choice("names", name, ACTIVATIONS)
            for name in check_list("names", names, what="activation names")]


def curves(name: str, a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """f(a) and f'(a) on the grid ``a`` (both the shape of ``a``), from rnnlib itself."""
    check_choice("activation", name, ACTIVATIONS)
    a = check_float_array("a", a)
    h = activate(a, name)
    return h, derivative(a, h, name)


def activation_summary(names=DEFAULT_NAMES, a_min: float = -5.0, a_max: float = 5.0,
                       n: int = 2001, saturation: float = 0.1) -> dict:
    """Numbers that describe each f on the interval [a_min, a_max].

    Returns {name: {"f_min", "f_max", "df_max", "a_at_df_max", "saturated_share"}}: the
    smallest and largest value of f on the grid, the largest derivative and where it occurs,
    and the share of the grid where f'(a) < ``saturation`` (where f is "saturated": a change
    of a barely changes h).
    """
    names, saturation = _names(names), check_positive("saturation", saturation)
    a = activation_grid(a_min, a_max, n)
    out = {}
    for name in names:
        h, d = curves(name, a)
        i = int(np.argmax(d))
        out[name] = {"f_min": float(h.min()), "f_max": float(h.max()), "df_max": float(d[i]),
                     "a_at_df_max": float(a[i]),
                     "saturated_share": float(np.mean(d < saturation))}
    return out


def plot_activations(names=DEFAULT_NAMES, a_min: float = -5.0, a_max: float = 5.0,
                     n: int = 2001, saturation: float = 0.1):
    """One panel per activation: f(a) (solid), f'(a) (dashed), the maximum of f' marked, and
    the saturated region (f'(a) < ``saturation``) shaded. Returns the matplotlib Figure."""
    names, saturation = _names(names), check_positive("saturation", saturation)
    a = activation_grid(a_min, a_max, n)
    fig, axes = plt.subplots(1, len(names), figsize=(3.3 * len(names), 3.8), sharex=True,
                             sharey=True, squeeze=False)
    for ax, name in zip(axes[0], names):
        h, d = curves(name, a)
        ax.fill_between(a, 0, 1, where=d < saturation, transform=ax.get_xaxis_transform(),
                        color=PALETTE["sky"], alpha=0.18, linewidth=0,
                        label=f"saturated: f' < {saturation:g}")
        ax.plot(a, h, color=PALETTE["blue"], lw=2.2, label="f(a)")
        # Break the dashed line where f' jumps (ReLU at 0) instead of drawing a vertical edge.
        d_line = d.copy()
        d_line[1:][np.abs(np.diff(d)) > 0.5] = np.nan
        ax.plot(a, d_line, color=PALETTE["vermillion"], lw=2.0, ls="--", label="f'(a)")
        i = int(np.argmax(d))
        ax.plot([a[i]], [d[i]], "o", color=PALETTE["vermillion"], ms=6)
        ax.annotate(f"max f' = {d[i]:.2f}", (a[i], d[i]), xytext=(6, 8),
                    textcoords="offset points", fontsize=10, color=PALETTE["vermillion"])
        ax.axhline(0, color=PALETTE["black"], lw=0.6)
        ax.set_title(name)
        ax.set_xlabel("pre-activation a (unitless)")
    # One y scale for every panel, so the derivatives compare at a glance (ReLU, unbounded
    # above, leaves the top of its panel).
    axes[0, 0].set_ylim(-1.15, 1.4)
    axes[0, 0].set_ylabel("value of f(a) and f'(a)")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=3)
    fig.suptitle("tanh and sigmoid flatten away from a = 0; ReLU is flat for every a < 0")
    return fig

"""The shapes of sequence tasks, drawn unfolded in the style of the unrolled graph (``graph.py``).

:func:`draw_shape` draws one of

    "one_to_one"       x → h → ŷ: a feed-forward network (a recurrence of one step)
    "one_to_many"      one input, then each output fed back as the next input
    "many_to_one"      T inputs, one output read from the last state
    "many_to_many"     an output at every step (tagging)
    "encoder_decoder"  T inputs read into a state, T' outputs written from it (states h^enc_t,
                       then h^dec_j; the context C between the two halves)
    "bidirectional"    a left-to-right and a right-to-left row of states, both under each output
    "stacked"          two rows of states, the upper reading the lower

with inputs (blue) at the bottom, states (green) in the middle and outputs (orange) on top, one
column per time step. Edges carry no matrix labels here: the point is the shape.
:func:`draw_all_shapes` puts the first five side by side.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Circle, FancyArrowPatch

from ..core.validation import check_choice, check_int
from .graph import EDGE as PLAIN_EDGE
from .graph import KIND_COLOURS

NODE_RADIUS = 0.3


def _node(ax, xy, text: str, kind: str) -> Circle:
    """A circle with a math label; its outline colour says which kind of quantity it is (as
    in the unrolled graph)."""
    circle = Circle(xy, NODE_RADIUS, facecolor="#ffffff", edgecolor=KIND_COLOURS[kind],
                    linewidth=1.6, zorder=3)
    circle.set_gid(f"node:{text}")
    ax.add_patch(circle)
    ax.text(*xy, f"${text}$", ha="center", va="center", fontsize=12, zorder=4)
    return circle


def _edge(ax, start, end) -> FancyArrowPatch:
    """An arrow between two node centres, stopping at the circles."""
    start, end = np.asarray(start, float), np.asarray(end, float)
    direction = (end - start) / np.linalg.norm(end - start)
    arrow = FancyArrowPatch(tuple(start + NODE_RADIUS * direction),
                            tuple(end - NODE_RADIUS * direction), arrowstyle="-|>",
                            mutation_scale=13, color=PLAIN_EDGE, linewidth=1.2, zorder=2)
    ax.add_patch(arrow)
    return arrow

SHAPES = ("one_to_one", "one_to_many", "many_to_one", "many_to_many", "encoder_decoder",
          "bidirectional", "stacked")
TITLES = {"one_to_one": "one-to-one", "one_to_many": "one-to-many", "many_to_one": "many-to-one",
          "many_to_many": "many-to-many, equal lengths",
          "encoder_decoder": "many-to-many, unequal lengths\n(encoder–decoder)",
          "bidirectional": "bidirectional", "stacked": "stacked (deep)"}


def _chain(ax, xs_at, h_at, out_at, T, h_name="h", y_name="\\hat y", start=0):
    """Inputs at columns xs_at, states h_1..h_T in a row from h_0, outputs at columns out_at."""
    for t in range(start + 1, start + T + 1):
        _node(ax, (t, 1.0), f"{h_name}_{{{t - start}}}", "h")
        _edge(ax, (t - 1, 1.0), (t, 1.0))
        if t - start in xs_at:
            _node(ax, (t, 0.0), f"x_{{{t - start}}}", "x")
            _edge(ax, (t, 0.0), (t, 1.0))
        if t - start in out_at:
            _node(ax, (t, 2.0), f"{y_name}_{{{out_at.index(t - start) + 1}}}" if len(out_at) > 1
                  else y_name, "o")
            _edge(ax, (t, 1.0), (t, 2.0))


def _bend(ax, start, end, rad: float):
    """A curved arrow between two node centres, for edges that would cross a node if straight."""
    arrow = FancyArrowPatch(start, end, connectionstyle=f"arc3,rad={rad}", arrowstyle="-|>",
                            mutation_scale=13, color=PLAIN_EDGE, linewidth=1.2, zorder=2,
                            shrinkA=NODE_RADIUS * 72 * 0.9, shrinkB=NODE_RADIUS * 72 * 0.9)
    ax.add_patch(arrow)
    return arrow


def draw_shape(kind: str, ax=None, *, T: int = 3, T_out: int = 2, title: bool = True):
    """Draw one task shape unfolded (see the module docstring); return the axes."""
    check_choice("kind", kind, SHAPES)
    T, T_out = check_int("T", T, minimum=1), check_int("T_out", T_out, minimum=1)
    if ax is None:
        width = {"one_to_one": 2.2, "encoder_decoder": T + T_out + 2}.get(kind, T + 2)
        _, ax = plt.subplots(figsize=(0.95 * width, 3.4 if kind != "stacked" else 4.4))
    top, right = 2.0, T
    if kind == "one_to_one":
        _node(ax, (1, 0.0), "x", "x")
        _node(ax, (1, 1.0), "h", "h")
        _node(ax, (1, 2.0), "\\hat y", "o")
        _edge(ax, (1, 0.0), (1, 1.0))
        _edge(ax, (1, 1.0), (1, 2.0))
        left = 0.5
        right = 1.5
    else:
        left = 0.0
        first = {"encoder_decoder": "h^{\\mathrm{enc}}_{0}", "stacked": "h^{1}_{0}",
                 "bidirectional": "\\overrightarrow{h}_{0}"}.get(kind, "h_{0}")
        _node(ax, (0, 1.0), first, "h")
    if kind == "many_to_one":
        _chain(ax, list(range(1, T + 1)), None, [T], T)
    elif kind == "many_to_many":
        _chain(ax, list(range(1, T + 1)), None, list(range(1, T + 1)), T)
    elif kind == "one_to_many":
        _chain(ax, [1], None, list(range(1, T + 1)), T)
        for t in range(2, T + 1):       # each output is the next step's input
            _edge(ax, (t - 1, 2.0), (t, 1.0))
    elif kind == "encoder_decoder":
        # the book's notation: encoder states h^enc_t, decoder states h^dec_j, context C
        _chain(ax, list(range(1, T + 1)), None, [], T, h_name="h^{\\mathrm{enc}}")
        _chain(ax, [], None, list(range(1, T_out + 1)), T_out, h_name="h^{\\mathrm{dec}}", start=T)
        for j in range(2, T_out + 1):
            _edge(ax, (T + j - 1, 2.0), (T + j, 1.0))
        for label in ax.texts:          # the longer state names, sized to fit their circles
            if "mathrm" in label.get_text():
                label.set_fontsize(9)
        ax.text(T + 0.5, 1.32, "$C$", ha="center", fontsize=11, color="#444")
        right = T + T_out
    elif kind == "bidirectional":
        _chain(ax, list(range(1, T + 1)), None, [], T, h_name="\\overrightarrow{h}")
        _node(ax, (T + 1, 2.0), "\\overleftarrow{h}_{%d}" % (T + 1), "h")
        for t in range(T, 0, -1):
            _node(ax, (t, 2.0), f"\\overleftarrow{{h}}_{{{t}}}", "h")
            _edge(ax, (t + 1, 2.0), (t, 2.0))
            _bend(ax, (t, 0.0), (t, 2.0), 0.45)      # x_t feeds both directions
            _node(ax, (t, 3.0), f"\\hat y_{{{t}}}", "o")
            _bend(ax, (t, 1.0), (t, 3.0), -0.45)     # and the output reads both
            _edge(ax, (t, 2.0), (t, 3.0))
        top, right = 3.0, T + 1
    elif kind == "stacked":
        _chain(ax, list(range(1, T + 1)), None, [], T, h_name="h^{1}")
        _node(ax, (0, 2.0), "h^{2}_{0}", "h")
        for t in range(1, T + 1):
            _node(ax, (t, 2.0), f"h^{{2}}_{{{t}}}", "h")
            _edge(ax, (t - 1, 2.0), (t, 2.0))
            _edge(ax, (t, 1.0), (t, 2.0))
            _node(ax, (t, 3.0), f"\\hat y_{{{t}}}", "o")
            _edge(ax, (t, 2.0), (t, 3.0))
        top = 3.0
    ax.set_xlim(left - 0.55, right + 0.55)
    ax.set_ylim(-0.5, top + 0.5)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(TITLES[kind], fontsize=11)
    return ax


def draw_all_shapes(*, T: int = 3, T_out: int = 2):
    """The five shapes of the tutorial notes' catalogue side by side; returns the figure."""
    kinds = ("one_to_one", "one_to_many", "many_to_one", "many_to_many", "encoder_decoder")
    T, T_out = check_int("T", T), check_int("T_out", T_out)
    widths = [1.6, T + 1.2, T + 1.2, T + 1.2, T + T_out + 1.2]
    fig, axes = plt.subplots(1, 5, figsize=(sum(widths) * 0.62, 2.9),
                             gridspec_kw={"width_ratios": widths})
    for kind, ax in zip(kinds, axes):
        draw_shape(kind, ax, T=T, T_out=T_out)
    return fig

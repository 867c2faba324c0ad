"""Computational-graph drawings of the RNN, made with matplotlib for any number of steps.

:func:`draw_unrolled` draws the unfolded graph of

    a_t = b + W h_{t-1} + U x_t,   h_t = f(a_t),   o_t = c + V h_t,   L_t = loss(o_t, y_t)

as one column per time step (x_t at the bottom, then h_t, o_t, L_t), with every edge labelled
by the matrix it applies. The labels repeat from column to column on purpose: the point of the
picture is that each column uses the *same* U, W and V. :func:`draw_folded` draws the compact
form with the recurrent self-loop. Both return the axes, so a caller (a chapter, a stepper)
can add to the drawing.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Circle, FancyArrowPatch

from ..core.validation import check_int
from .style import PALETTE

NODE_RADIUS = 0.3
# Rows of the drawing, bottom to top, and the colour of each kind of node's outline.
ROWS = {"x": 0.0, "h": 1.0, "o": 2.0, "L": 3.0}
KIND_COLOURS = {"x": PALETTE["blue"], "h": PALETTE["green"], "o": PALETTE["orange"],
                "L": PALETTE["vermillion"]}
PLAIN_FILL = "#ffffff"
PLAIN_EDGE = "#444444"
HIGHLIGHT_FILL = "#fbe3b0"          # a light tint of PALETTE["orange"]
HIGHLIGHT_EDGE = PALETTE["vermillion"]


def _check_steps(T) -> int:
    return check_int("T", T, minimum=1)


def _check_highlight(highlight, T: int) -> int | None:
    if highlight is None:
        return None
    return check_int("highlight", highlight, minimum=1, maximum=T)


def _node(ax, xy, text: str, kind: str, highlighted: bool) -> Circle:
    """A circle with a math label; its outline colour says which kind of quantity it is."""
    circle = Circle(xy, NODE_RADIUS, facecolor=HIGHLIGHT_FILL if highlighted else PLAIN_FILL,
                    edgecolor=KIND_COLOURS[kind], linewidth=2.6 if highlighted else 1.6, zorder=3)
    circle.set_gid(f"node:{text}")
    ax.add_patch(circle)
    ax.text(*xy, f"${text}$", ha="center", va="center", fontsize=12, zorder=4)
    return circle


def _edge(ax, start, end, label: str, highlighted: bool, label_side: float = 1.0):
    """An arrow between two node centres, stopping at the circles, labelled at its middle.

    ``label_side`` puts the label on the left (+1) or right (-1) of the direction of travel.
    """
    start, end = np.asarray(start, float), np.asarray(end, float)
    direction = (end - start) / np.linalg.norm(end - start)
    tail, head = start + NODE_RADIUS * direction, end - NODE_RADIUS * direction
    colour = HIGHLIGHT_EDGE if highlighted else PLAIN_EDGE
    arrow = FancyArrowPatch(tuple(tail), tuple(head), arrowstyle="-|>", mutation_scale=13,
                            color=colour, linewidth=2.2 if highlighted else 1.2, zorder=2)
    ax.add_patch(arrow)
    if label:
        normal = np.array([-direction[1], direction[0]]) * label_side
        where = (tail + head) / 2 + 0.13 * normal
        ax.text(*where, f"${label}$", ha="center", va="center", fontsize=11,
                color=colour, fontweight="bold" if highlighted else "normal", zorder=4,
                bbox=dict(boxstyle="round,pad=0.1", facecolor="white", edgecolor="none"))
    return arrow


def _finish(ax, width: float, top: float, title: str | None) -> None:
    ax.set_xlim(-0.65, width + 0.65)
    ax.set_ylim(-0.55, top + 0.55)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title)


def draw_unrolled(T: int, highlight: int | None = None, ax=None, show_outputs: bool = True,
                  *, title: str | None = "default"):
    """Draw the RNN unfolded over ``T`` steps and return the matplotlib axes.

    Columns t = 1..T hold x_t (bottom), h_t, and, with ``show_outputs``, o_t and L_t; h_0 sits
    at the left. Edges: x_t -> h_t labelled U, h_{t-1} -> h_t labelled W, h_t -> o_t labelled
    V, o_t -> L_t (the loss compares o_t with the target y_t). ``highlight`` = t draws step t's
    nodes and incoming edges in the highlight colour (for pointing at one step). ``ax``: axes to
    draw into; None makes a new figure sized to T. ``title``: None for none; the default says
    what to see. Readable up to T of about 12 at the book's page width.
    """
    T = _check_steps(T)
    highlight = _check_highlight(highlight, T)
    top = ROWS["L"] if show_outputs else ROWS["h"]
    if ax is None:
        width_in = min(1.0 * (T + 1) + 1.0, 14.0)
        _, ax = plt.subplots(figsize=(width_in, 1.05 * (top + 1.1) + 0.5))
    _node(ax, (0.0, ROWS["h"]), "h_{0}", "h", False)
    for t in range(1, T + 1):
        lit = t == highlight
        _node(ax, (t, ROWS["x"]), f"x_{{{t}}}", "x", lit)
        _node(ax, (t, ROWS["h"]), f"h_{{{t}}}", "h", lit)
        _edge(ax, (t, ROWS["x"]), (t, ROWS["h"]), "U", lit)
        _edge(ax, (t - 1, ROWS["h"]), (t, ROWS["h"]), "W", lit)
        if show_outputs:
            _node(ax, (t, ROWS["o"]), f"o_{{{t}}}", "o", lit)
            _node(ax, (t, ROWS["L"]), f"L_{{{t}}}", "L", lit)
            _edge(ax, (t, ROWS["h"]), (t, ROWS["o"]), "V", lit)
            _edge(ax, (t, ROWS["o"]), (t, ROWS["L"]), "", lit)
    if title == "default":
        title = f"Unrolled over T = {T} steps: every column reuses the same U, W, V"
    _finish(ax, T, top, title)
    return ax


def draw_folded(ax=None, show_outputs: bool = True, *, title: str | None = "default"):
    """Draw the folded (compact) RNN: x -> h -> o -> L with a self-loop W on h; return the axes.

    The self-loop stands for "h_{t-1} feeds h_t": unrolling it T times gives
    :func:`draw_unrolled`.
    """
    top = ROWS["L"] if show_outputs else ROWS["h"]
    if ax is None:
        _, ax = plt.subplots(figsize=(3.0, 1.05 * (top + 1.1) + 0.5))
    _node(ax, (0.0, ROWS["x"]), "x_t", "x", False)
    _node(ax, (0.0, ROWS["h"]), "h_t", "h", False)
    _edge(ax, (0.0, ROWS["x"]), (0.0, ROWS["h"]), "U", False)
    # The recurrent edge leaves h on the right and comes back on the left.
    loop = FancyArrowPatch((NODE_RADIUS * 0.85, ROWS["h"] - 0.16), (NODE_RADIUS * 0.85, ROWS["h"] + 0.16),
                           connectionstyle="arc,angleA=0,angleB=0,armA=28,armB=28,rad=8",
                           arrowstyle="-|>", mutation_scale=13, color=PLAIN_EDGE, linewidth=1.2,
                           zorder=2)
    ax.add_patch(loop)
    ax.text(0.78, ROWS["h"], "$W$", ha="center", va="center", fontsize=11, color=PLAIN_EDGE)
    if show_outputs:
        _node(ax, (0.0, ROWS["o"]), "o_t", "o", False)
        _node(ax, (0.0, ROWS["L"]), "L_t", "L", False)
        _edge(ax, (0.0, ROWS["h"]), (0.0, ROWS["o"]), "V", False)
        _edge(ax, (0.0, ROWS["o"]), (0.0, ROWS["L"]), "", False)
    if title == "default":
        title = "Folded"
    ax.set_xlim(-0.8, 1.4)
    ax.set_ylim(-0.55, top + 0.55)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title)
    return ax

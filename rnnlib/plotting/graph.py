"""The RNN's computational graph, folded and unrolled, drawn as SVG: the one drawer of both.

:func:`unrolled` draws the graph of

    a_t = b + W h_{t-1} + U x_t,   h_t = f(a_t),   o_t = c + V h_t,   L_t = loss(o_t, y_t)

as one column per time step (x_t at the bottom, then h_t, o_t, L_t), every edge labelled by
the matrix it applies: the labels repeat from column to column on purpose, since the point of
the picture is that each column uses the *same* U, W and V. :func:`folded` draws the compact
form with the recurrent self-loop; :func:`beside` sets drawings side by side.

Chapter 1 shows the drawings as figures and the steppers put one in every frame (step t lit,
the steps done tinted, the token under each input). A stepper stores all its frames in the
page, so the drawing is written by hand rather than by matplotlib, whose SVG of the same graph
(T = 4 to 8) is 37-70 kB with 90-166 element ids a frame, ids that repeated across frames
would be duplicates in one page; this one is 6.7-12.5 kB with no id (arrowheads are polygons,
not markers) and coordinates rounded to 0.1 px, so a call gives the same text on every machine.
"""
from __future__ import annotations

import html
import math

from ..core.validation import bad_type, bad_value, check_choice, check_int, check_list
from .style import PALETTE

R = 20                      # node radius
STEP = 76                   # distance between two columns (time steps)
ROW = 72                    # distance between two rows (x, h, o, L)
PAD = 12                    # margin around the drawing
TITLE_H = 30                # the title's band on top
LABEL_H = 22                # the tokens' band under the inputs
HEAD = 8                    # arrowhead length
ELLIPSIS_R = 12             # how far an edge stops short of a '…' (half its width)
KIND_COLOURS = {"x": PALETTE["blue"], "h": PALETTE["green"], "o": PALETTE["orange"],
                "L": PALETTE["vermillion"]}
PLAIN_FILL = "#ffffff"
HIGHLIGHT_FILL = "#fbe3b0"          # a light tint of PALETTE["orange"]: the lit step
DONE_FILL = {"forward": "#d6e6f4", "backward": "#f8dccb"}   # tints of blue / vermillion
EDGE = "#444444"
HIGHLIGHT_EDGE = PALETTE["vermillion"]
SANS = "'DejaVu Sans', 'Helvetica Neue', Arial, sans-serif"
MATH = "'STIX Two Math', 'STIX Two Text', 'Latin Modern Roman', 'Cambria Math', 'Times New Roman', serif"
# What the math text of a drawing's graph shares, set once on its group (see _graph)
MATH_GROUP = (f'font-family="{MATH}" font-style="italic" font-size="17" text-anchor="middle" '
              'fill="#111"')


def _n(value: float) -> str:
    """A coordinate at 0.1 px, without a trailing '.0'."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


class Drawing:
    """An SVG drawing: ``svg()`` is the markup; in Jupyter it displays itself (image/svg+xml).

    ``body`` holds the elements in the drawing's own coordinates, (0, 0) to (width, height);
    ``label`` says what it shows (the aria-label and the SVG's title, for screen readers).
    """

    def __init__(self, body: str, width: float, height: float, label: str):
        self.body, self.width, self.height, self.label = body, width, height, label

    def svg(self) -> str:
        w, h = _n(self.width), _n(self.height)
        return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" '
                f'height="{h}" style="max-width:100%;height:auto" role="img" '
                f'aria-label="{_esc(self.label)}" font-family="{SANS}">'
                f"<title>{_esc(self.label)}</title>{self.body}</svg>")

    def _repr_svg_(self) -> str:
        return self.svg()

    def __repr__(self) -> str:
        return f"<Drawing {_n(self.width)}x{_n(self.height)}: {self.label}>"


# ----------------------------------------------------------------------- the pieces
def _math(x: float, y: float, base: str, sub: str = "", *, size: int = 17, colour: str = "#111",
          bold: bool = False, anchor: str = "middle") -> str:
    """Math-like text (inside a ``MATH_GROUP``): an italic letter and its subscript, upright
    when it is a number (h_3), italic when it is a letter (h_t). Only what differs from the
    group's defaults is written, which keeps a stepper's frames small."""
    extra = "".join((f' font-size="{size}"' if size != 17 else "",
                     f' fill="{colour}"' if colour != "#111" else "",
                     ' font-weight="bold"' if bold else "",
                     f' text-anchor="{anchor}"' if anchor != "middle" else ""))
    upright = "" if sub.isalpha() else ' font-style="normal"'
    tail = f'<tspan dy="5" font-size="{round(size * 0.7)}"{upright}>{_esc(sub)}</tspan>' if sub else ""
    return f'<text x="{_n(x)}" y="{_n(y)}"{extra}>{_esc(base)}{tail}</text>'


def _node(x: float, y: float, kind: str, base: str, sub: str, fill: str, lit: bool) -> str:
    """A circle whose outline colour says the kind of quantity, and its name inside."""
    return (f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{R}" fill="{fill}" stroke="{KIND_COLOURS[kind]}" '
            f'stroke-width="{3 if lit else 1.6}"/>' + _math(x, y + 5, base, sub))


def _arrow(x1: float, y1: float, x2: float, y2: float, colour: str = EDGE,
           width: float = 1.3) -> str:
    """A line from (x1, y1) to (x2, y2) ending in a filled triangle (a polygon: no marker id)."""
    n = math.hypot(x2 - x1, y2 - y1)
    ux, uy = (x2 - x1) / n, (y2 - y1) / n
    bx, by = x2 - ux * HEAD, y2 - uy * HEAD
    px, py = -uy * HEAD * 0.5, ux * HEAD * 0.5
    return (f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(bx)}" y2="{_n(by)}" stroke="{colour}" '
            f'stroke-width="{width}"/><polygon points="{_n(x2)},{_n(y2)} {_n(bx + px)},'
            f'{_n(by + py)} {_n(bx - px)},{_n(by - py)}" fill="{colour}"/>')


def _edge(x1: float, y1: float, x2: float, y2: float, label: str, lit: bool, *,
          r1: float = R, r2: float = R) -> str:
    """An edge between two node centres, stopping ``r1`` and ``r2`` short of them (at the
    circles), its matrix beside it: left of an upward edge, above a rightward one."""
    colour, width = (HIGHLIGHT_EDGE, 2.4) if lit else (EDGE, 1.3)
    n = math.hypot(x2 - x1, y2 - y1)
    ux, uy = (x2 - x1) / n, (y2 - y1) / n
    out = _arrow(x1 + ux * r1, y1 + uy * r1, x2 - ux * r2, y2 - uy * r2, colour, width)
    if label:
        mx, my = (x1 + x2) / 2, (y1 + y2) / 2
        where = (mx - 9, my + 6, "end") if x1 == x2 else (mx, my - 8, "middle")
        out += _math(where[0], where[1], label, size=16, colour=colour, bold=lit, anchor=where[2])
    return out


def _graph(title: str | None, width: float, parts: list[str], after: str = "") -> str:
    """A drawing's body: the title on top, the graph's parts in one ``MATH_GROUP``, then
    ``after`` (text in the page's font, such as the tokens)."""
    head = "" if not title else (f'<text x="{_n(width / 2)}" y="{PAD + 14}" text-anchor="middle" '
                                 f'font-size="15" fill="#111">{_esc(title)}</text>')
    return f'{head}<g {MATH_GROUP}>{"".join(parts)}</g>{after}'


def _title_width(text: str | None) -> float:
    """About how wide the title is at 15 px (a sans-serif letter is about 0.55 em)."""
    return 0 if not text else 15 * 0.55 * len(text) + 2 * PAD


def _rows(show_outputs: bool, output_name: str, show_loss: bool) -> list[tuple[str, str]]:
    """(kind, letter) of each row, bottom to top."""
    rows = [("x", "x"), ("h", "h")]
    if show_outputs:
        rows.append(("o", output_name))
        if show_loss:
            rows.append(("L", "L"))
    return rows


def _check_rows(show_outputs, output_name, show_loss) -> None:
    for name, value in (("show_outputs", show_outputs), ("show_loss", show_loss)):
        if not isinstance(value, bool):
            raise bad_type(name, "True or False", value)
    if not isinstance(output_name, str):
        raise bad_type("output_name", "a string such as 'o'", output_name)
    if not output_name:
        raise bad_value("output_name", "a non-empty string such as 'o'", "''")


def _check_title(title) -> None:
    if title is not None and not isinstance(title, str):
        raise bad_type("title", "a string or None", title)


def _check_steps(T, highlight, labels, direction, window) -> tuple:
    """:func:`unrolled`'s arguments about the steps, checked: (T, highlight, labels, window),
    the window T when None."""
    T = check_int("T", T, minimum=1)
    if highlight is not None:
        highlight = check_int("highlight", highlight, minimum=1, maximum=T)
    if labels is not None:
        labels = check_list("labels", labels, T, "strings")
        for label in labels:
            if not isinstance(label, str):
                raise bad_type("labels", f"a list of {T} strings", label)
    if direction is not None:
        check_choice("direction", direction, ("forward", "backward"))
        if highlight is None:
            raise bad_value("highlight", "a step 1..T when a direction is given", None)
    window = T if window is None else check_int("window", window, minimum=1)
    return T, highlight, labels, window


# ----------------------------------------------------------------------- the drawings
def unrolled(T: int, highlight: int | None = None, *, show_outputs: bool = True,
             show_loss: bool = True, output_name: str = "o", labels=None,
             direction: str | None = None, window: int | None = None,
             title: str | None = None) -> Drawing:
    """The RNN unfolded over ``T`` steps, as a :class:`Drawing` (``.svg()`` for the markup).

    Columns t = 1..T hold x_t (bottom), h_t and, with ``show_outputs``, the output (named
    ``output_name``: o_t, or ŷ_t in the steppers) and, with ``show_loss``, L_t; h_0 sits at the
    left. Edges: x_t -> h_t labelled U, h_{t-1} -> h_t labelled W, h_t -> o_t labelled V,
    o_t -> L_t. ``highlight`` = t lights step t: its nodes tinted, its incoming edges in the
    highlight colour. ``labels``: T strings written under the inputs (the tokens).
    ``direction`` (needs ``highlight``): "forward" also tints the steps before t, done;
    "backward" tints the steps after t and draws, instead of the lit forward edges, the paths
    by which the gradient reaches h_t (from its output, from h_{t+1}). ``window``: draw at most
    that many steps, around the highlighted one, with '…' where steps are left out.
    ``title``: a line on top, or None.
    """
    T, highlight, labels, window = _check_steps(T, highlight, labels, direction, window)
    _check_rows(show_outputs, output_name, show_loss)
    _check_title(title)
    centre = highlight or 1
    lo = max(1, min(centre - window // 2, T - window + 1))
    hi = min(T, lo + window - 1)
    rows = _rows(show_outputs, output_name, show_loss)
    top = PAD + (TITLE_H if title else 0)
    y = {kind: top + R + (len(rows) - 1 - i) * ROW for i, (kind, _) in enumerate(rows)}
    drawing_w = 2 * PAD + 2 * R + (hi - lo + 1) * STEP + (STEP * 0.75 if hi < T else 0)
    width = max(drawing_w, _title_width(title))
    left = PAD + R + (width - drawing_w) / 2            # the centre of column 0 (h_0 or '…')
    column = {s: left + (s - lo + 1) * STEP for s in range(lo, hi + 1)}
    column[lo - 1] = left
    if hi < T:
        column[hi + 1] = column[hi] + STEP * 0.75        # where the '…' of later steps sits
    height = y["x"] + R + (LABEL_H if labels else 0) + PAD

    def fill(s: int) -> str:
        if s == highlight:
            return HIGHLIGHT_FILL
        done = (direction == "forward" and s < highlight) or (direction == "backward" and s > highlight)
        return DONE_FILL[direction] if done else PLAIN_FILL

    out, tokens = [], []
    if lo == 1:
        out.append(_node(left, y["h"], "h", "h", "0", PLAIN_FILL, False))
    else:
        out.append(_ellipsis(left, y["h"]))
    for s in range(lo, hi + 1):
        cx, lit = column[s], s == highlight and direction != "backward"
        out.append(_edge(column[s - 1], y["h"], cx, y["h"], "W", lit,
                         r1=ELLIPSIS_R if s == lo > 1 else R))
        out.append(_edge(cx, y["x"], cx, y["h"], "U", lit))
        for (kind, _), (above, _) in zip(rows[1:], rows[2:]):
            out.append(_edge(cx, y[kind], cx, y[above], "V" if kind == "h" else "", lit))
        for kind, letter in rows:
            out.append(_node(cx, y[kind], kind, letter, str(s), fill(s), s == highlight))
        if labels:
            tokens.append(f'<text x="{_n(cx)}" y="{_n(y["x"] + R + 17)}">{_esc(labels[s - 1])}</text>')
    if hi < T:
        out.append(_edge(column[hi], y["h"], column[hi + 1], y["h"], "W", False, r2=ELLIPSIS_R))
        out.append(_ellipsis(column[hi + 1], y["h"]))
    if direction == "backward":
        out.append(_gradient_paths(column, y, rows, highlight, T, hi))
    after = f'<g font-size="13" text-anchor="middle" fill="#111">{"".join(tokens)}</g>' if tokens else ""
    return Drawing(_graph(title, width, out, after), width, height,
                   _unrolled_label(T, lo, hi, rows, highlight, direction))


def _ellipsis(x: float, y: float) -> str:
    """'…' where steps are left out (a W edge runs from or into it)."""
    return f'<text x="{_n(x)}" y="{_n(y + 6)}" font-size="18" fill="#333">…</text>'


def _gradient_paths(column: dict, y: dict, rows: list, t: int, T: int, hi: int) -> str:
    """The backward pass into h_t: down from the loss (or output) at t, and back from step
    t+1 (or the '…' after the last step drawn, ``hi``); beside the forward edges, ``off`` px
    away."""
    off = 9
    rim = math.sqrt(R * R - off * off)          # where a line ``off`` from a centre meets its circle
    cx = column[t]
    out = []
    for (below, _), (kind, _) in zip(rows[1:], rows[2:]):
        out.append(_arrow(cx + off, y[kind] + rim, cx + off, y[below] - rim, HIGHLIGHT_EDGE, 2.4))
    if t < T:
        nx = column[t + 1] - (rim if t + 1 <= hi else ELLIPSIS_R)
        out.append(_arrow(nx, y["h"] + off, cx + rim, y["h"] + off, HIGHLIGHT_EDGE, 2.4))
    return "".join(out)


def _unrolled_label(T, lo, hi, rows, highlight, direction) -> str:
    """The drawing's text for a screen reader (its aria-label and title): what the columns
    hold, and, with a step highlighted, every edge drawn in the highlight colour, as
    ``unrolled`` draws them."""
    names = ", ".join(letter for _, letter in rows)
    matrices = "U, W and V" if len(rows) > 2 else "U and W"     # V only with an output row
    text = (f"The RNN unrolled over T = {T} steps: a column of {names} per step, h_0 on the "
            f"left, every column using the same {matrices}")
    if (lo, hi) != (1, T):
        text += f"; steps {lo} to {hi} shown"
    if highlight is None:
        return text
    t = highlight
    text += f"; step {t} highlighted"
    if direction == "forward" and t > 1:
        text += ", steps before it done"
    if direction == "backward":
        # _gradient_paths: down the column from the top row to h_t, and back from h_{t+1}
        column = [f"{letter}_{t}" for _, letter in reversed(rows[1:])]
        paths = [" → ".join(column)] if len(column) > 1 else []
        if t < T:
            paths.append(f"h_{t + 1} → h_{t}")
        text += ", steps after it done"
        if paths:
            text += f", the gradient flowing into h_{t} drawn beside the edges: {_and(paths)}"
        return text
    # the edges into the step's nodes, lit as unrolled lights them
    edges = [f"x_{t} → h_{t} (U)", f"h_{t - 1} → h_{t} (W)"]
    for (kind, lower), (_, upper) in zip(rows[1:], rows[2:]):     # h -> o (V), o -> L
        edges.append(f"{lower}_{t} → {upper}_{t}" + (" (V)" if kind == "h" else ""))
    return text + f", its edges lit: {_and(edges)}"


def _and(items: list[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def folded(*, show_outputs: bool = True, show_loss: bool = True, output_name: str = "o",
           title: str | None = None) -> Drawing:
    """The folded (compact) RNN: x_t -> h_t -> o_t -> L_t with a self-loop W on h_t.

    The loop stands for "h_{t-1} feeds h_t": unrolling it T times gives :func:`unrolled`,
    whose rows it shares (same heights), so :func:`beside` lines the two up.
    """
    _check_rows(show_outputs, output_name, show_loss)
    _check_title(title)
    rows = _rows(show_outputs, output_name, show_loss)
    top = PAD + (TITLE_H if title else 0)
    y = {kind: top + R + (len(rows) - 1 - i) * ROW for i, (kind, _) in enumerate(rows)}
    loop = 34                                   # how far the loop reaches right of h_t
    drawing_w = 2 * PAD + 2 * R + 24 + loop + 14  # room for U's label, the loop and its W
    width = max(drawing_w, _title_width(title))
    cx = PAD + R + 24 + (width - drawing_w) / 2
    out = [_edge(cx, y["x"], cx, y["h"], "U", False)]
    for (kind, _), (above, _) in zip(rows[1:], rows[2:]):
        out.append(_edge(cx, y[kind], cx, y[above], "V" if kind == "h" else "", False))
    # The recurrent edge leaves h_t on the right, below the middle, and comes back above it.
    sx, sy = cx + R * math.cos(math.radians(30)), y["h"] + R * math.sin(math.radians(30))
    ex, ey = sx, y["h"] - R * math.sin(math.radians(30))
    c1, c2 = (cx + R + loop, y["h"] + 28), (cx + R + loop, y["h"] - 28)
    n = math.hypot(ex - c2[0], ey - c2[1])
    bx, by = ex + (c2[0] - ex) / n * HEAD, ey + (c2[1] - ey) / n * HEAD
    out.append(f'<path d="M {_n(sx)} {_n(sy)} C {_n(c1[0])} {_n(c1[1])} {_n(c2[0])} {_n(c2[1])} '
               f'{_n(bx)} {_n(by)}" fill="none" stroke="{EDGE}" stroke-width="1.3"/>')
    out.append(_arrow(bx, by, ex, ey, EDGE, 1.3))
    out.append(_math(cx + R + loop * 0.75 + 6, y["h"] + 6, "W", size=16, colour=EDGE, anchor="start"))
    for kind, letter in rows:
        out.append(_node(cx, y[kind], kind, letter, "t", PLAIN_FILL, False))
    names = ", ".join(letter for _, letter in rows)
    label = (f"The folded RNN: one cell of {names} at step t, with a loop W from h_t back "
             "into itself (the previous step's state)")
    return Drawing(_graph(title, width, out), width, y["x"] + R + PAD, label)


def beside(*drawings: Drawing, gap: float = 16) -> Drawing:
    """Drawings side by side, tops aligned (a folded graph next to its unrolled form)."""
    if not drawings:
        raise bad_value("drawings", "at least one Drawing", "none")
    for d in drawings:
        if not isinstance(d, Drawing):
            raise bad_type("drawings", "Drawing objects (from folded or unrolled)", d)
    out, x = [], 0.0
    for d in drawings:
        out.append(f'<g transform="translate({_n(x)},0)">{d.body}</g>')
        x += d.width + gap
    return Drawing("".join(out), x - gap, max(d.height for d in drawings),
                   ". ".join(d.label for d in drawings))

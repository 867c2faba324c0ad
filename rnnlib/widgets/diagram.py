"""The network unrolled over time as inline SVG, with one step highlighted.

No element ids are emitted (arrowheads are polygons, not SVG markers), so several steppers
and frames can share one page without collisions.
"""
from __future__ import annotations

import math

from ..plotting.style import PALETTE
from .formatting import esc, token_label


def _sub(base: str, sub: str, size: int = 10) -> str:
    """SVG text with a subscript: h<sub>t</sub>."""
    return f'{esc(base)}<tspan dy="4" font-size="{size}">{esc(sub)}</tspan><tspan dy="-4"></tspan>'


def _arrow(x1, y1, x2, y2, colour_="#444", width=1.5, dash=None, head=7) -> str:
    """A line from (x1, y1) to (x2, y2) with a filled triangular head at the end."""
    dx, dy = x2 - x1, y2 - y1
    n = math.hypot(dx, dy) or 1.0
    ux, uy = dx / n, dy / n
    bx, by = x2 - ux * head, y2 - uy * head
    px, py = -uy * head * 0.5, ux * head * 0.5
    d = f' stroke-dasharray="{dash}"' if dash else ""
    return (f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{bx:.1f}" y2="{by:.1f}" stroke="{colour_}" '
            f'stroke-width="{width}"{d}/>'
            f'<polygon points="{x2:.1f},{y2:.1f} {bx + px:.1f},{by + py:.1f} {bx - px:.1f},{by - py:.1f}" '
            f'fill="{colour_}"/>')


def unrolled_svg(T: int, t: int, tokens=None, *, direction: str = "forward",
                 window: int = 8, output_name: str = "\u0177") -> str:
    """The network unrolled over time with step ``t`` (1-based) highlighted.

    direction="forward": steps before t are done (blue tint), step t is orange, later steps
    are still to come (white). direction="backward": steps after t are done, and the two
    gradient paths into h_t (from the output at t and from step t+1) are drawn in vermillion.
    At most ``window`` steps are drawn, centred on t, with '…' where steps are left out.
    """
    lo = max(1, min(t - window // 2, T - window + 1))
    hi = min(T, lo + window - 1)
    step_w, left = 74, 78
    width = left + (hi - lo + 1) * step_w + 30
    height = 190
    yo, yh, yx = 12, 74, 136          # top of the output, hidden and input boxes
    bw, bh = 50, 30
    done_fill = "#d6e6f4" if direction == "forward" else "#f8dccb"
    hot = PALETTE["orange"]
    back = PALETTE["vermillion"]
    out = [f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
           f'style="max-width:100%;height:auto" role="img" '
           f'aria-label="The network unrolled over time, step {t} of {T} highlighted">']

    def box(cx, y, label_base, label_sub, fill, bold=False, stroke="#333"):
        w = "700" if bold else "400"
        return (f'<rect x="{cx - bw / 2:.1f}" y="{y}" width="{bw}" height="{bh}" rx="6" fill="{fill}" '
                f'stroke="{stroke}" stroke-width="{2 if bold else 1}"/>'
                f'<text x="{cx:.1f}" y="{y + 20}" text-anchor="middle" font-size="14" font-weight="{w}" '
                f'fill="#111">{_sub(label_base, label_sub)}</text>')

    # h_{lo-1}: h0 box, or an ellipsis when earlier steps are cut off
    cx0 = left - step_w / 2 - 4
    if lo == 1:
        out.append(box(cx0, yh, "h", "0", "#eeeeee"))
    else:
        out.append(f'<text x="{cx0:.1f}" y="{yh + 20}" text-anchor="middle" font-size="16" fill="#333">…</text>')
    for s in range(lo, hi + 1):
        cx = left + (s - lo) * step_w + step_w / 2
        if s == t:
            fill = hot
        elif (direction == "forward" and s < t) or (direction == "backward" and s > t):
            fill = done_fill
        else:
            fill = "#ffffff"
        bold = s == t
        # recurrent arrow from the previous hidden state
        prev_x = cx - step_w if s > lo or lo == 1 else None
        if prev_x is not None:
            pcx = prev_x if s > lo else cx0
            out.append(_arrow(pcx + bw / 2, yh + bh / 2, cx - bw / 2, yh + bh / 2))
        out.append(_arrow(cx, yx, cx, yh + bh))
        out.append(_arrow(cx, yh, cx, yo + bh))
        out.append(box(cx, yo, output_name, str(s), fill, bold))
        out.append(box(cx, yh, "h", str(s), fill, bold))
        out.append(box(cx, yx, "x", str(s), fill, bold))
        if tokens is not None:
            out.append(f'<text x="{cx:.1f}" y="{yx + bh + 17}" text-anchor="middle" font-size="13" '
                       f'fill="#111">{esc(token_label(tokens[s - 1]))}</text>')
    if hi < T:
        cx = left + (hi - lo + 1) * step_w + 6
        out.append(f'<text x="{cx:.1f}" y="{yh + 20}" text-anchor="middle" font-size="16" fill="#333">…</text>')
    if direction == "backward":
        cx = left + (t - lo) * step_w + step_w / 2
        # from the output at t down into h_t
        out.append(_arrow(cx + 14, yo + bh, cx + 14, yh, back, 2.5, None, 8))
        if t < T and t + 1 <= hi:
            nx = cx + step_w
            out.append(_arrow(nx - bw / 2, yh + bh - 5, cx + bw / 2, yh + bh - 5, back, 2.5, None, 8))
        elif t < T:
            out.append(_arrow(cx + step_w / 2 + 8, yh + bh - 5, cx + bw / 2, yh + bh - 5, back, 2.5, None, 8))
    out.append("</svg>")
    return "".join(out)

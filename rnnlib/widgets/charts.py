"""The two SVG charts the steppers draw: a log-scale line plot and probability bars.

Inline SVG strings (no ids), so a precomputed frame of the static player can hold one.
"""
from __future__ import annotations

import math

import numpy as np

from ..plotting.style import PALETTE
from .formatting import MINUS, esc


def _sup_power(exponent: int) -> str:
    return f'10<tspan dy="-6" font-size="10">{esc(str(exponent).replace("-", MINUS))}</tspan><tspan dy="6"></tspan>'


def log_plot_svg(series, *, x_max: int, y_lim: tuple[float, float], title: str,
                 x_label: str, y_label: str, width: int = 660, height: int = 320,
                 title_markup: str | None = None) -> str:
    """A line plot with a log-scale y axis.

    series: list of dicts with keys x, y (arrays), colour, label, and optional dash, markers.
    y_lim: (lo, hi) powers of ten. Points outside y_lim are clipped to the frame.
    title is plain text (also the aria-label); title_markup, if given, is drawn instead (SVG
    tspans allowed); x_label, y_label and the series labels are SVG markup too.
    """
    ml, mr, mt, mb = 64, 16, 52, 46
    pw, ph = width - ml - mr, height - mt - mb
    lo, hi = math.log10(y_lim[0]), math.log10(y_lim[1])

    def X(x):
        return ml + pw * x / max(x_max, 1)

    def Y(y):
        ly = math.log10(min(max(y, y_lim[0]), y_lim[1])) if y > 0 else lo
        return mt + ph * (hi - ly) / (hi - lo)

    out = [f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
           f'style="max-width:100%;height:auto" role="img" aria-label="{esc(title)}">',
           f'<text x="{ml}" y="18" font-size="14" font-weight="600" fill="#111">'
           f'{title_markup if title_markup is not None else esc(title)}</text>']
    # y grid and ticks: one per decade, thinned to at most ~9 labels
    decades = list(range(int(math.ceil(lo)), int(math.floor(hi)) + 1))
    step = max(1, math.ceil(len(decades) / 9))
    for e in decades:
        y = Y(10.0 ** e)
        out.append(f'<line x1="{ml}" x2="{ml + pw}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        if (e - decades[0]) % step == 0:
            out.append(f'<text x="{ml - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="12" '
                       f'fill="#111">{_sup_power(e)}</text>')
    # x ticks
    nice = [1, 2, 5, 10, 20, 50, 100]
    xstep = next(n for n in nice if x_max / n <= 10) if x_max > 0 else 1
    for x in range(0, x_max + 1, xstep):
        px = X(x)
        out.append(f'<line x1="{px:.1f}" x2="{px:.1f}" y1="{mt + ph}" y2="{mt + ph + 4}" stroke="#333"/>'
                   f'<text x="{px:.1f}" y="{mt + ph + 17}" text-anchor="middle" font-size="12" fill="#111">{x}</text>')
    out.append(f'<rect x="{ml}" y="{mt}" width="{pw}" height="{ph}" fill="none" stroke="#333"/>')
    out.append(f'<text x="{ml + pw / 2:.1f}" y="{height - 8}" text-anchor="middle" font-size="13" '
               f'fill="#111">{x_label}</text>')
    out.append(f'<text transform="translate(15,{mt + ph / 2:.1f}) rotate(-90)" text-anchor="middle" '
               f'font-size="13" fill="#111">{y_label}</text>')
    for s in series:
        pts = " ".join(f"{X(x):.0f},{Y(y):.0f}" for x, y in zip(s["x"], s["y"]))
        dash = f' stroke-dasharray="{s["dash"]}"' if s.get("dash") else ""
        out.append(f'<polyline points="{pts}" fill="none" stroke="{s["colour"]}" stroke-width="2.2"{dash}/>')
        if s.get("markers"):
            out.append(f'<g fill="{s["colour"]}">' + "".join(
                f'<circle cx="{X(x):.0f}" cy="{Y(y):.0f}" r="2.6"/>' for x, y in zip(s["x"], s["y"]))
                + "</g>")
    # legend: one row between the title and the frame, so it never covers a curve
    lx, ly = ml, 36
    for s in series:
        dash = f' stroke-dasharray="{s["dash"]}"' if s.get("dash") else ""
        out.append(f'<line x1="{lx}" x2="{lx + 26}" y1="{ly}" y2="{ly}" stroke="{s["colour"]}" '
                   f'stroke-width="2.2"{dash}/><text x="{lx + 32}" y="{ly + 4}" font-size="12" '
                   f'fill="#111">{s["label"]}</text>')
        lx += 270
    out.append("</svg>")
    return "".join(out)


def bars_svg(probs, labels, *, title: str, reference=None, width: int = 660,
             height: int = 280) -> str:
    """Bars of a probability distribution on a fixed 0..1 axis, each labelled with its value.

    reference: optional second distribution drawn as outlined bars behind (e.g. temperature 1).
    Each bar carries ``data-p`` with the full-precision probability (tests sum them).
    """
    probs = np.asarray(probs, dtype=float)
    K = len(probs)
    ml, mr, mt, mb = 52, 12, 36, 40
    pw, ph = width - ml - mr, height - mt - mb
    slot = pw / K
    bw = min(70.0, slot * 0.62)
    fill = PALETTE["blue"]

    def Y(p):
        return mt + ph * (1 - p)

    out = [f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
           f'style="max-width:100%;height:auto" role="img" aria-label="{esc(title)}">',
           f'<text x="{ml}" y="18" font-size="14" font-weight="600" fill="#111">{esc(title)}</text>']
    for p in (0, 0.25, 0.5, 0.75, 1.0):
        y = Y(p)
        out.append(f'<line x1="{ml}" x2="{ml + pw}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
                   f'<text x="{ml - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="12" fill="#111">{p:.2f}</text>')
    out.append(f'<text transform="translate(14,{mt + ph / 2:.1f}) rotate(-90)" text-anchor="middle" '
               f'font-size="13" fill="#111">probability</text>')
    show_values = slot >= 40
    for k in range(K):
        cx = ml + slot * (k + 0.5)
        if reference is not None:
            r = float(reference[k])
            out.append(f'<rect x="{cx - bw / 2 - 3:.1f}" y="{Y(r):.1f}" width="{bw + 6:.1f}" '
                       f'height="{ph * r:.1f}" fill="none" stroke="#555" stroke-dasharray="4 3"/>')
        p = float(probs[k])
        out.append(f'<rect data-p="{p!r}" x="{cx - bw / 2:.1f}" y="{Y(p):.1f}" width="{bw:.1f}" '
                   f'height="{ph * p:.1f}" fill="{fill}"/>')
        if show_values:
            ty = Y(p) - 5 if p < 0.9 else Y(p) + 15
            tc = "#111" if p < 0.9 else "#fff"
            out.append(f'<text x="{cx:.1f}" y="{ty:.1f}" text-anchor="middle" font-size="12" '
                       f'fill="{tc}">{p:.3f}</text>')
        out.append(f'<text x="{cx:.1f}" y="{mt + ph + 17}" text-anchor="middle" font-size="13" '
                   f'fill="#111">{esc(labels[k])}</text>')
    out.append(f'<line x1="{ml}" x2="{ml + pw}" y1="{mt + ph}" y2="{mt + ph}" stroke="#333"/>')
    out.append("</svg>")
    return "".join(out)

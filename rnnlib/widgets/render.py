"""HTML and SVG pieces every stepper draws with: coloured number cells, heatmaps, bar charts,
a log-scale line plot and the unrolled-network diagram.

Everything here returns a *string* (HTML or inline SVG), so one renderer feeds both homes of a
stepper: the live ipywidgets view in Jupyter and the precomputed frames of the static player on
the published site. No element ids are emitted (arrowheads are drawn as polygons, not SVG
markers), so several steppers and frames can share one page without collisions.

Colours: signed values use the diverging map PuOr (orange below zero, purple above, white at
zero), magnitudes and probabilities use cividis; both are colour-blind-safe, and every cell also
prints its value, with black or white text chosen for contrast against the cell colour.
"""
from __future__ import annotations

import html
import math

import numpy as np
from matplotlib import colormaps
from matplotlib.colors import to_hex

from ..plotting.style import DIVERGING, PALETTE, SEQUENTIAL

MINUS = "\u2212"


def _lut(name: str, n: int = 101) -> list[str]:
    cmap = colormaps[name]
    return [to_hex(cmap(i / (n - 1))) for i in range(n)]


_LUTS = {"signed": _lut(DIVERGING), "magnitude": _lut(SEQUENTIAL)}


def _luminance(hex_colour: str) -> float:
    """WCAG relative luminance of '#rrggbb'."""
    rgb = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def text_colour(background: str) -> str:
    """Black or white, whichever contrasts more with ``background`` (WCAG contrast ratio)."""
    lum = _luminance(background)
    return "#000" if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "#fff"


def colour(value: float, kind: str, vmax: float) -> str:
    """The cell colour of ``value``: kind "signed" maps [-vmax, vmax] through PuOr (0 → white),
    kind "magnitude" maps [0, vmax] through cividis. Values beyond the range are clipped."""
    lut = _LUTS[kind]
    vmax = float(vmax) if vmax and np.isfinite(vmax) and vmax > 0 else 1.0
    frac = (value / vmax + 1) / 2 if kind == "signed" else value / vmax
    frac = min(max(frac, 0.0), 1.0)
    return lut[int(round(frac * (len(lut) - 1)))]


def fmt(value: float, digits: int = 2) -> str:
    """A number with fixed decimals, a true minus sign, and no '-0.00'."""
    s = f"{value:.{digits}f}"
    if float(s) == 0:
        s = s.lstrip("-")
    return s.replace("-", MINUS)


def fmt_sci(value: float, digits: int = 1) -> str:
    """Scientific notation for tiny or huge numbers (1.2e−05)."""
    return f"{value:.{digits}e}".replace("-", MINUS)


def parse_number(text: str) -> float:
    """The inverse of :func:`fmt` (tests read the numbers back from the HTML)."""
    return float(text.replace(MINUS, "-"))


def esc(text) -> str:
    return html.escape(str(text), quote=True)


def token_label(token) -> str:
    """How a token is shown: characters in quotes, a space as '␣', a newline as '⏎'."""
    if isinstance(token, str):
        shown = {" ": "\u2423", "\n": "\u23ce", "\t": "\u21e5"}.get(token, token)
        return f"'{shown}'"
    return str(token)


# ------------------------------------------------------------------ CSS shared by all steppers

CSS = """
.rnnw{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
 font-size:14px;line-height:1.35;color:#111;background:#fff;border:1px solid #bbb;
 border-radius:6px;padding:8px 10px;margin:10px 0;max-width:720px;box-sizing:border-box}
.rnnw *{box-sizing:border-box}
.rnnw .rnnw-title{font-weight:600;margin:0 0 6px 0}
.rnnw .rnnw-bar{display:flex;flex-wrap:wrap;gap:6px;align-items:center;margin:4px 0}
.rnnw button{font:inherit;font-size:13px;padding:3px 9px;border:1px solid #555;border-radius:4px;
 background:#f2f2f2;color:#111;cursor:pointer}
.rnnw button:hover{background:#e2e2e2}
.rnnw button:focus-visible,.rnnw input:focus-visible,.rnnw select:focus-visible{outline:2px solid #0072B2;outline-offset:1px}
.rnnw input[type=range]{flex:1 1 140px;min-width:120px}
.rnnw .rnnw-readout{font-variant-numeric:tabular-nums;min-width:5.5em;font-weight:600}
.rnnw .rnnw-axisname{min-width:3.5em}
.rnnw .rnnw-view{overflow-x:auto}
.rnnw .rnnw-legend{font-size:12px;color:#333;margin:2px 0 4px 0}
.rnnw .rnnw-head{margin:4px 0 6px 0}
.rnnw .rnnw-note{font-size:12.5px;color:#333;margin:2px 0}
.rnnw .rnnw-ok{border-left:4px solid #009E73;background:#eef7f3;padding:4px 8px;margin:6px 0}
.rnnw .rows{display:grid;grid-template-columns:max-content 1fr;gap:5px 10px;align-items:center;margin:4px 0}
.rnnw .nm{font-size:13.5px;white-space:nowrap}
.rnnw .cells{display:flex;flex-wrap:wrap;gap:2px}
.rnnw .cw{display:flex;flex-direction:column;align-items:center}
.rnnw .ix{font-size:11px;color:#333;height:14px;line-height:14px;white-space:nowrap}
.rnnw .c{display:inline-block;width:50px;height:24px;font:12px/24px ui-monospace,"SFMono-Regular",Menlo,Consolas,"DejaVu Sans Mono",monospace;
 text-align:center;border-radius:2px;font-variant-numeric:tabular-nums}
.rnnw .c.mk{box-shadow:inset 0 0 0 2px #fff,0 0 0 2px #000;font-weight:700;position:relative}
.rnnw .m{display:grid;gap:1px}
.rnnw .m .ix{font-size:10.5px;text-align:center;overflow:hidden}
.rnnw .m .rl{font-size:10.5px;text-align:right;padding-right:3px;line-height:20px;white-space:nowrap}
.rnnw .m .c{width:44px;height:20px;font-size:11px;line-height:20px}
.rnnw .m.nolab .c{width:16px}
.rnnw .eq{display:flex;align-items:flex-start;gap:6px;flex-wrap:nowrap;margin:6px 0;overflow-x:auto}
.rnnw .eq .op{font-size:18px;padding:0 1px;align-self:center;margin-bottom:2.6em}
.rnnw .vcol{display:flex;flex-direction:column;align-items:center;gap:1px;flex:0 0 auto;width:auto;max-width:none;padding:0}
.rnnw .cap{font-size:12.5px;margin-top:2px;white-space:nowrap;min-height:2.6em;line-height:1.3}
.rnnw .pair{display:flex;gap:14px;flex-wrap:wrap;align-items:flex-start;margin:4px 0}
.rnnw .pcap{font-size:12.5px;margin-bottom:2px}
.rnnw svg text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif}
"""


def legend_html(signed_text: str = "values", magnitude_text: str | None = None) -> str:
    """One line that explains the two colour maps (with swatches)."""
    neg, zero, pos = (colour(v, "signed", 1) for v in (-1, 0, 1))
    parts = [f'<span style="background:{neg};color:{text_colour(neg)};padding:0 4px">{MINUS}</span>'
             f'<span style="background:{zero};padding:0 4px;border:1px solid #ccc">0</span>'
             f'<span style="background:{pos};color:{text_colour(pos)};padding:0 4px">+</span>'
             f' {esc(signed_text)}: orange below zero, purple above (PuOr)']
    if magnitude_text:
        lo, hi = colour(0, "magnitude", 1), colour(1, "magnitude", 1)
        parts.append(f'<span style="background:{lo};color:{text_colour(lo)};padding:0 4px">0</span>'
                     f'<span style="background:{hi};color:{text_colour(hi)};padding:0 4px">1</span>'
                     f' {esc(magnitude_text)} (cividis)')
    return '<div class="rnnw-legend">' + " &nbsp;·&nbsp; ".join(parts) + "</div>"


# ------------------------------------------------------------------ number cells

def colour_class(value: float, kind: str, vmax: float) -> str:
    """The CSS class of a cell's colour bin: 's0'..'s100' (signed, PuOr) or 'g0'..'g100'
    (magnitude, cividis). Classes keep frames small: a colour is written once, in the CSS."""
    vmax = float(vmax) if vmax and np.isfinite(vmax) and vmax > 0 else 1.0
    frac = (value / vmax + 1) / 2 if kind == "signed" else value / vmax
    frac = min(max(frac, 0.0), 1.0)
    return ("s" if kind == "signed" else "g") + str(int(round(frac * (len(_LUTS[kind]) - 1))))


def _colour_css() -> str:
    rules = []
    for prefix, kind in (("s", "signed"), ("g", "magnitude")):
        for i, bg in enumerate(_LUTS[kind]):
            rules.append(f".rnnw .{prefix}{i}{{background:{bg};color:{text_colour(bg)}}}")
    return "\n".join(rules)


CSS += _colour_css()


def cell(value: float, kind: str, vmax: float, *, mark: bool = False, show: bool = True,
         title: str | None = None) -> str:
    cls = f"c {colour_class(value, kind, vmax)}" + (" mk" if mark else "")
    tip = f' title="{esc(title)}"' if title else ""
    text = fmt(value) if show else ""
    return f'<span class="{cls}"{tip}>{text}</span>'


def vector_row(name_html: str, values, kind: str, vmax: float, *, key: str,
               index_labels=None, mark: int | None = None) -> str:
    """One labelled row of the ``.rows`` grid: the name, then one cell per entry.

    ``key`` goes into ``data-name`` so tests (and curious readers of the HTML) can find it.
    """
    values = np.asarray(values, dtype=float).reshape(-1)
    cells = []
    for i, v in enumerate(values):
        c = cell(v, kind, vmax, mark=(mark == i))
        if index_labels is not None:
            c = f'<span class="cw"><span class="ix">{esc(index_labels[i])}</span>{c}</span>'
        cells.append(c)
    return (f'<div class="nm">{name_html}</div>'
            f'<div class="cells" data-name="{esc(key)}">{"".join(cells)}</div>')


def column(values, kind: str, vmax: float, caption_html: str, *, key: str) -> str:
    """A column vector of cells with a caption underneath (for written-out equations)."""
    values = np.asarray(values, dtype=float).reshape(-1)
    cells = "".join(cell(v, kind, vmax) for v in values)
    return (f'<div class="vcol" data-name="{esc(key)}">{cells}'
            f'<div class="cap">{caption_html}</div></div>')


def matrix(M, kind: str, vmax: float, caption_html: str = "", *, key: str,
           max_labelled_cols: int = 10, col_labels=None, row_labels=None) -> str:
    """A heatmap of cells; values are printed when there are at most ``max_labelled_cols``
    columns (otherwise the cells shrink to colour only, and the value shows on hover).
    Optional ``col_labels`` go above the columns, ``row_labels`` left of the rows."""
    M = np.atleast_2d(np.asarray(M, dtype=float))
    rows, cols = M.shape
    show = cols <= max_labelled_cols
    cls = "m" if show else "m nolab"
    width = 44 if show else 16
    parts = []
    if col_labels is not None:
        if row_labels is not None:
            parts.append("<span></span>")
        parts.extend(f'<span class="ix">{esc(c)}</span>' for c in col_labels)
    for i in range(rows):
        if row_labels is not None:
            parts.append(f'<span class="rl">{esc(row_labels[i])}</span>')
        parts.extend(cell(v, kind, vmax, show=show, title=None if show else fmt(v)) for v in M[i])
    template = f"repeat({cols},{width}px)" if row_labels is None else f"max-content repeat({cols},{width}px)"
    grid = (f'<div class="{cls}" data-name="{esc(key)}" data-shape="{rows}x{cols}" '
            f'style="grid-template-columns:{template}">{"".join(parts)}</div>')
    cap = f'<div class="cap">{caption_html}</div>' if caption_html else ""
    return f'<div class="vcol">{grid}{cap}</div>'


def read_cells(fragment: str, key: str) -> np.ndarray:
    """The numbers printed in the block ``data-name=key`` of an HTML fragment (for tests)."""
    import re

    start = fragment.index(f'data-name="{key}"')
    tag_start = fragment.rfind("<div", 0, start)
    # walk to the matching </div>
    depth, i = 0, tag_start
    pattern = re.compile(r"<div\b|</div>")
    for m in pattern.finditer(fragment, tag_start):
        depth += 1 if m.group() == "<div" else -1
        if depth == 0:
            i = m.end()
            break
    block = fragment[tag_start:i]
    texts = re.findall(r'<span class="c [sg]\d+(?: mk)?"[^>]*>([^<]*)</span>', block)
    return np.array([parse_number(t) for t in texts if t != ""])


# ------------------------------------------------------------------ SVG helpers

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

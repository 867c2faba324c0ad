"""The stylesheet every stepper and player shares (``.rnnw`` and everything inside it)."""
from __future__ import annotations

from .colours import colour_css

# The SVG font is set on the <svg>, not on its <text>: a rule on the text would override the
# font a drawing names for a group of it (the graph's math labels, plotting/graph.py).
LAYOUT_CSS = """
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
.rnnw svg{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif}
"""

CSS = LAYOUT_CSS + colour_css()

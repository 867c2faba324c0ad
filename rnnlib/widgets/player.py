"""The static player: precomputed frames plus a tiny inline JavaScript player, as one HTML string.

This is what a stepper looks like on the published site, where no Python kernel runs. The
output is a single ``text/html`` block:

    <div class="rnnw" data-rnnw="<hash>"> <style>…</style> title, controls,
      <div class="rnnw-view" data-frame="k">…the frame shown…</div>
      <template data-frame="0">…</template> … one <template> per frame …
      <script>…the player…</script> </div>

- Deterministic: no random ids. ``data-rnnw`` is a hash of the content, so rendering the same
  stepper twice gives byte-identical HTML (nbval can compare it; the built page is stable).
- No collisions: the script is wrapped in a function, defines no globals, and initialises every
  not-yet-initialised player with its hash (so even two copies of one stepper on a page work).
  It needs no require.js, no network and no kernel.
- Controls: one slider per axis (the first axis also gets First / Previous frame / Play /
  Next frame buttons); frames are laid out row-major over the axes. Arrow keys move a focused
  slider.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from ..core.validation import bad_type, bad_value, check_int, check_list, check_str
from .formatting import esc
from .styles import CSS


@dataclass
class Axis:
    """One control of the static player: its name and the label of each position."""

    name: str
    labels: list[str]
    start: int = 0

    def __post_init__(self):
        self.labels = check_list("labels", self.labels, what="position labels")
        self.start = check_int("start", self.start, minimum=0, maximum=len(self.labels) - 1)

    @property
    def size(self) -> int:
        return len(self.labels)


_JS = r"""(function(){
var roots=document.querySelectorAll('div.rnnw[data-rnnw="%HASH%"]');
for(var r=0;r<roots.length;r++){if(!roots[r].hasAttribute('data-rnnw-ready'))init(roots[r]);}
function init(root){
 root.setAttribute('data-rnnw-ready','1');
 var tpl=root.querySelectorAll('template[data-frame]'),view=root.querySelector('.rnnw-view');
 var sl=root.querySelectorAll('input.rnnw-axis'),ro=root.querySelectorAll('.rnnw-readout');
 var play=root.querySelector('button[data-act=play]'),timer=null;
 function labels(i){return JSON.parse(sl[i].getAttribute('data-labels'));}
 function index(){var k=0;for(var i=0;i<sl.length;i++){k=k*(+sl[i].max+1)+(+sl[i].value);}return k;}
 function draw(){var k=index();if(!tpl[k])return;view.innerHTML='';
  view.appendChild(document.importNode(tpl[k].content,true));view.setAttribute('data-frame',k);
  for(var i=0;i<sl.length;i++){ro[i].textContent=labels(i)[+sl[i].value];}}
 function go(v){var s=sl[0];s.value=Math.max(0,Math.min(+s.max,v));draw();}
 function stop(){if(timer){clearInterval(timer);timer=null;}play.textContent='\u25B6 Play';play.setAttribute('aria-label','Play');}
 function tick(){var s=sl[0];if(+s.value>=+s.max){stop();return;}go(+s.value+1);}
 root.querySelector('button[data-act=first]').addEventListener('click',function(){stop();go(0);});
 root.querySelector('button[data-act=prev]').addEventListener('click',function(){stop();go(+sl[0].value-1);});
 root.querySelector('button[data-act=next]').addEventListener('click',function(){stop();go(+sl[0].value+1);});
 play.addEventListener('click',function(){if(timer){stop();return;}
  if(+sl[0].value>=+sl[0].max)go(0);timer=setInterval(tick,%DELAY%);
  play.textContent='\u2016 Pause';play.setAttribute('aria-label','Pause');});
 for(var i=0;i<sl.length;i++){sl[i].addEventListener('input',function(){stop();draw();});}
 draw();
}})();"""


def player_html(frames: list[str], axes: list[Axis], *, title: str = "", header: str = "",
                footer: str = "", delay_ms: int = 900) -> str:
    """One self-contained HTML block that plays ``frames`` (HTML strings) with no kernel.

    axes: a list of one Axis (a slider) or more. len(frames) must equal the product of the axes' sizes
    (row-major: the last axis varies fastest). ``title``, ``header`` (e.g. a colour legend) and
    ``footer`` are HTML strings shown outside the frames; delay_ms: the milliseconds between
    two frames when playing (an int >= 1).
    """
    frames = check_list("frames", frames, what="HTML strings")
    for k, frame in enumerate(frames):
        if not isinstance(frame, str):
            raise bad_type("frames", f"a list of HTML strings (frame {k} is not one)", frame)
    axes = check_list("axes", axes, what="Axis (one slider each)")
    for axis in axes:
        if not isinstance(axis, Axis):
            raise bad_type("axes", "a list of Axis", axis)
    for name, value in (("title", title), ("header", header), ("footer", footer)):
        check_str(name, value)
    delay_ms = check_int("delay_ms", delay_ms, minimum=1)
    n = 1
    for ax in axes:
        n *= ax.size
    if n != len(frames):
        raise bad_value("frames", f"{n} frames (the product of the axes' sizes)", len(frames))
    digest = hashlib.sha1()
    for part in [title, header, footer, json.dumps([(a.name, a.labels, a.start) for a in axes]), *frames]:
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    key = digest.hexdigest()[:12]
    start = 0
    for ax in axes:
        start = start * ax.size + ax.start
    out = [f'<div class="rnnw" data-rnnw="{key}" data-nframes="{len(frames)}">',
           f"<style>{CSS}</style>"]
    if title:
        out.append(f'<div class="rnnw-title">{title}</div>')
    out.append(header)
    for i, ax in enumerate(axes):
        out.append('<div class="rnnw-bar">')
        if i == 0:
            out.append('<button type="button" data-act="first" aria-label="First frame">First</button>'
                       '<button type="button" data-act="prev" aria-label="Previous frame">\u25C0 Previous frame</button>'
                       '<button type="button" data-act="play" aria-label="Play">\u25B6 Play</button>'
                       '<button type="button" data-act="next" aria-label="Next frame">Next frame \u25B6</button>')
            out.append('</div><div class="rnnw-bar">')
        labels = esc(json.dumps(ax.labels, ensure_ascii=False))
        out.append(f'<span class="rnnw-axisname">{esc(ax.name)}</span>'
                   f'<input class="rnnw-axis" type="range" min="0" max="{ax.size - 1}" step="1" '
                   f'value="{ax.start}" data-labels="{labels}" aria-label="{esc(ax.name)}">'
                   f'<span class="rnnw-readout" aria-live="polite">{esc(ax.labels[ax.start])}</span>')
        out.append("</div>")
    out.append(f'<div class="rnnw-view" data-frame="{start}">{frames[start]}</div>')
    out.extend(f'<template data-frame="{k}">{f}</template>' for k, f in enumerate(frames))
    out.append(footer)
    out.append("<script>" + _JS.replace("%HASH%", key).replace("%DELAY%", str(int(delay_ms)))
               + "</script>")
    out.append("</div>")
    return "".join(out)


class StaticHTML:
    """An HTML string that Jupyter (and myst-nb on the site) displays as ``text/html``."""

    def __init__(self, html: str, summary: str = "stepper"):
        self.html = html
        self.summary = summary

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/html": self.html, "text/plain": f"<{self.summary}>"}

    def __str__(self) -> str:
        return self.html

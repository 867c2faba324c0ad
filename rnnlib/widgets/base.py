"""What every stepper shares: the static form, the live form, and how a chapter shows them.

A stepper computes once (a trace, a list of Jacobian norms, a list of distributions), then only
*displays*: each frame is an HTML string drawn from stored numbers.

Two homes:

- ``stepper.show()`` (or leaving the stepper as the last line of a cell) displays the **static
  player**: every frame precomputed, plus First / Previous frame / Play / Next frame buttons and
  a slider, in plain HTML + a few lines of JavaScript. It works on the published site (no
  kernel, no network) and in Jupyter alike, and the HTML is identical on every run.
- ``stepper.live()`` returns **ipywidgets controls** for a running kernel: the same frames, plus
  inputs the static page cannot offer (the text, the seed, the activation; for the explorer and
  the softmax any value of the controls). ``stepper.show(live=True)`` displays both.
"""
from __future__ import annotations

import functools
import time
import traceback

from ..core.validation import check_int
from .player import Axis, StaticHTML, player_html
from .formatting import esc
from .styles import CSS


class Stepper:
    """Base class. Subclasses set ``title`` (a class attribute or a property) and ``delay_ms``,
    and implement ``axes`` (the sliders), ``render_frame`` (frame k's HTML, which ``frame_html``
    caches) and ``live`` (the ipywidgets form); ``header_html`` and ``footer_html`` may add HTML
    outside the frames."""

    title = "Stepper"
    delay_ms = 900

    def __init__(self):
        self._static: StaticHTML | None = None
        self._frames: dict = {}
        self.redraw_ms: list[float] = []   # wall time of each live redraw callback
        self._widget = None
        self.last_error: BaseException | None = None   # the last error a live callback raised
        self._error_area = None
        self._depth = 0

    # --------------------------------------------------------------- what subclasses provide
    def axes(self) -> list[Axis]:
        raise NotImplementedError      # abstract: each stepper names its sliders

    def render_frame(self, k: int) -> str:
        raise NotImplementedError      # abstract: each stepper draws its frames

    def header_html(self) -> str:
        return ""

    def footer_html(self) -> str:
        return ""

    # --------------------------------------------------------------- frames
    @property
    def n_frames(self) -> int:
        n = 1
        for ax in self.axes():
            n *= ax.size
        return n

    def frame_html(self, k: int) -> str:
        """The HTML of frame ``k`` (0-based, row-major over the axes), cached."""
        check_int("k", k, minimum=0, maximum=self.n_frames - 1)
        if k not in self._frames:
            self._frames[k] = self.render_frame(k)
        return self._frames[k]

    def _invalidate(self) -> None:
        self._frames = {}
        self._static = None

    # --------------------------------------------------------------- static form
    def static(self) -> StaticHTML:
        """The static player (what the published site shows): all frames, no kernel needed."""
        if self._static is None:
            html = player_html([self.frame_html(k) for k in range(self.n_frames)], self.axes(),
                               title=self.title, header=self.header_html(),
                               footer=self.footer_html(), delay_ms=self.delay_ms)
            self._static = StaticHTML(html, f"{type(self).__name__}: {self.n_frames} frames")
        return self._static

    def static_html(self) -> str:
        return self.static().html

    def _repr_mimebundle_(self, include=None, exclude=None):
        return self.static()._repr_mimebundle_(include, exclude)

    def show(self, live: bool = False) -> None:
        """Display the static player; with ``live=True`` also the live controls (needs a kernel)."""
        from IPython.display import display

        display(self.static())
        if live:
            display(self.live())

    # --------------------------------------------------------------- live form
    def live(self):
        raise NotImplementedError      # abstract: each stepper builds its own controls

    def _timed(self, fn):
        """Wrap a redraw callback so its wall time is recorded in ``self.redraw_ms``."""
        def wrapper(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.redraw_ms.append((time.perf_counter() - t0) * 1000)
        return wrapper

    def _errors_widget(self):
        """The live form's error area: empty until a callback raises (see ``_guard``)."""
        import ipywidgets as w

        self._error_area = w.HTML(value="")
        self._error_area.add_class("rnnw-live-error")
        return self._error_area

    def _guard(self, fn):
        """Wrap a live callback so that an error shows *in the widget*, not only in Jupyter's log.

        ipywidgets sends an exception raised in an observer or a button handler to the kernel's
        log, which JupyterLab shows only in its log console: the student just sees a stepper
        that stopped. Here the error's type, message and traceback go to the error area
        (``_errors_widget``) and ``self.last_error``; the next callback that succeeds clears
        them. Nested callbacks (an observer fired by another callback) re-raise, so the outer
        one reports the error once.
        """
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            self._depth += 1
            try:
                result = fn(*args, **kwargs)
            except Exception as err:
                if self._depth > 1:
                    raise
                self.last_error = err
                if self._error_area is not None:
                    self._error_area.value = error_html(err)
                return None
            finally:
                self._depth -= 1
            if self._depth == 0:
                self.last_error = None
                if self._error_area is not None and self._error_area.value:
                    self._error_area.value = ""
            return result
        return wrapper

    @staticmethod
    def _view_value(frame: str) -> str:
        """What the live HTML widget shows: the shared CSS and one frame, in the same box."""
        return f'<style>{CSS}</style><div class="rnnw">{frame}</div>'


def error_html(err: BaseException) -> str:
    """An error from a live callback as HTML: what went wrong, then the traceback (folded)."""
    tb = "".join(traceback.format_exception(type(err), err, err.__traceback__))
    return ('<div role="alert" style="border-left:4px solid #b00;background:#fdf0f0;color:#111;'
            'padding:4px 8px;margin:4px 0;font-size:13px">'
            f"<b>The live stepper hit an error</b> and kept its last picture: "
            f"<code>{esc(type(err).__name__)}: {esc(err)}</code>"
            '<details><summary>traceback</summary><pre style="font-size:11px;white-space:pre-wrap">'
            f"{esc(tb)}</pre></details></div>")

"""The softmax-temperature widget (chapter 3): logits and a temperature in, a distribution out.

The bars are ``rnnlib.softmax(logits, temperature=τ)``; the dashed outlines are the same
logits at τ = 1, so a frame shows at a glance whether τ sharpened or flattened the distribution.
"""
from __future__ import annotations

import numpy as np

from ..core.softmax import entropy, softmax
from ..core.validation import (bad_value, check_list, check_mapping, check_positive,
                               check_vector)
from .base import Stepper
from .player import Axis
from .cells import vector_row
from .charts import bars_svg
from .formatting import esc, fixed_point

DEFAULT_LOGITS = (2.0, 1.0, 0.1, -1.0)
DEFAULT_TEMPERATURES = (0.1, 0.2, 0.3, 0.5, 0.7, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0)
DEFAULT_PRESETS = {"one clear favourite": (4.0, 1.0, 0.5, -1.0), "close call": (1.2, 1.0, 0.9, 0.2)}


def _parse_logits(value, name: str = "logits") -> np.ndarray:
    """At least 2 finite logits, from numbers or a text of numbers separated by commas."""
    if isinstance(value, str):
        parts = [p for p in value.replace(";", ",").replace(" ", ",").split(",") if p]
        try:
            value = [float(p) for p in parts]
        except ValueError:
            raise bad_value(name, "numbers separated by commas", repr(value)) from None
    arr = check_vector(name, value, "at least 2 finite numbers")
    if arr.size < 2:
        raise bad_value(name, "at least 2 finite numbers", f"{arr.size}")
    return arr


class SoftmaxTemperature(Stepper):
    """See :func:`softmax_temperature`."""

    title = "Softmax with a temperature: \u0177 = softmax(o / \u03c4)"
    delay_ms = 800

    def __init__(self, logits=DEFAULT_LOGITS, temperature: float = 1.0, *, labels=None,
                 temperatures=DEFAULT_TEMPERATURES, presets=None):
        super().__init__()
        first = _parse_logits(logits)
        own_presets = presets is not None
        if presets is None:
            name = "example" if tuple(first) == DEFAULT_LOGITS else "your logits"
            presets = {name: first, **DEFAULT_PRESETS}
        self.presets = {name: _parse_logits(v, f"presets[{name!r}]")
                        for name, v in check_mapping("presets", presets, "logits").items()}
        self.logits = first
        self.temperature = check_positive("temperature", temperature)
        self.temperatures = tuple(check_vector("temperatures", temperatures, "temperatures > 0",
                                               positive=True))
        self.labels = None if labels is None else check_list("labels", labels, what="class labels")
        # one label a logit of the caller's logits and presets (the built-in presets, and logits
        # typed in live mode, of another size, are labelled "class k")
        if self.labels is not None:
            for name, values in {"logits": first, **(self.presets if own_presets else {})}.items():
                if len(values) != len(self.labels):
                    raise bad_value("labels", f"one label per logit ({len(values)} in {name!r})",
                                    f"{len(self.labels)} labels")

    def labels_for(self, K: int) -> list[str]:
        if self.labels is not None and len(self.labels) == K:
            return [str(x) for x in self.labels]
        return [f"class {k}" for k in range(K)] if K <= 8 else [str(k) for k in range(K)]

    def distribution(self, logits, temperature: float) -> np.ndarray:
        """rnnlib.softmax(logits, temperature=temperature)."""
        return softmax(np.asarray(logits, dtype=float), temperature=float(temperature))

    # --------------------------------------------------------------- frames: τ × preset
    def axes(self) -> list[Axis]:
        t0 = int(np.argmin([abs(np.log(t / self.temperature)) for t in self.temperatures]))
        axes = [Axis("τ", [f"τ = {t:g}" for t in self.temperatures], t0)]
        if len(self.presets) > 1:
            names = list(self.presets)
            axes.append(Axis("logits", [f"{n}: [{', '.join(fixed_point(v, 1) for v in self.presets[n])}]"
                                        for n in names]))
        return axes

    def frame_setting(self, k: int):
        n = len(self.presets)
        names = list(self.presets)
        return self.temperatures[k // n], self.presets[names[k % n]]

    def render_frame(self, k: int) -> str:
        tau, logits = self.frame_setting(k)
        return self.render(logits, tau)

    def render(self, logits, tau: float) -> str:
        logits = np.asarray(logits, dtype=float)
        p = self.distribution(logits, tau)
        ref = self.distribution(logits, 1.0)
        labels = self.labels_for(len(logits))
        kind = "sharper than" if tau < 1 else ("flatter than" if tau > 1 else "the same as")
        svg = bars_svg(p, labels, reference=ref,
                       title=f"softmax(o / τ) at τ = {tau:g}: {kind} τ = 1 (dashed outlines)")
        scale = max(float(np.max(np.abs(logits / tau))), float(np.max(np.abs(logits))), 1e-12)
        rows = ('<div class="rows">'
                + vector_row("logits o", logits, "signed", scale, key="logits", index_labels=labels)
                + vector_row(f"o / τ (τ = {tau:g})", logits / tau, "signed", scale, key="scaled")
                + "</div>")
        top = int(np.argmax(p))
        note = (f'<div class="rnnw-note">Σ = {p.sum():.3f} &nbsp;·&nbsp; most likely: '
                f'{esc(labels[top])} with {p[top]:.3f} &nbsp;·&nbsp; entropy {float(entropy(p)):.3f} nats '
                f'(uniform over {len(p)}: {np.log(len(p)):.3f})</div>')
        return svg + rows + note

    def header_html(self) -> str:
        return ('<div class="rnnw-legend">Next frame raises the temperature τ; the second slider '
                'picks another set of logits. Logit cells: orange below zero, purple above.</div>')

    # --------------------------------------------------------------- live
    def live(self):
        """ipywidgets: a log-scale temperature slider and a text box of logits."""
        import ipywidgets as w

        tau = w.FloatLogSlider(value=self.temperature, base=10, min=-1.5, max=1.3, step=0.01,
                               description="τ", readout_format=".2f", continuous_update=True,
                               layout=w.Layout(width="420px"))
        logits = w.Text(value=", ".join(f"{v:g}" for v in self.logits), description="logits",
                        continuous_update=False, layout=w.Layout(width="320px"))
        status = w.HTML()
        errors = self._errors_widget()
        view = w.HTML()

        @self._timed
        def redraw(change=None):
            try:
                values = _parse_logits(logits.value)
            except ValueError as err:
                status.value = f'<span style="color:#b00">{esc(err)}</span>'
                return
            status.value = ""
            self.logits, self.temperature = values, float(tau.value)
            self.current = {"logits": values, "temperature": self.temperature,
                            "p": self.distribution(values, self.temperature)}
            view.value = self._view_value(self.render(values, self.temperature))

        redraw = self._guard(redraw)
        tau.observe(redraw, names="value")
        logits.observe(redraw, names="value")
        redraw()
        self.controls = {"temperature": tau, "logits": logits, "view": view, "status": status,
                         "errors": errors}
        self._widget = w.VBox([tau, logits, status, errors, view])
        return self._widget


def softmax_temperature(logits=DEFAULT_LOGITS, temperature: float = 1.0, *, labels=None,
                        temperatures=DEFAULT_TEMPERATURES, presets=None) -> SoftmaxTemperature:
    """Bars of softmax(logits / τ) as the temperature τ changes (chapter 3).

    logits: the first set of logits (also what the live text box starts with).
    labels: a name for each class (e.g. characters); default "class k".
    temperatures: the τ values of the static player's frames.
    presets: {name: logits} for the static player's second slider; default: your logits plus
        "one clear favourite" and "close call".
    """
    return SoftmaxTemperature(logits, temperature, labels=labels, temperatures=temperatures,
                              presets=presets)

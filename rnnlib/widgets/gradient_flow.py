"""The gradient-flow explorer (chapter 5): how ‖∂h_T/∂h_t‖ depends on ρ(W) and on the distance T − t.

Controls: the spectral radius ρ(W) of the recurrent matrix and the sequence length T, and
optionally the input scale (how far the inputs push the units into saturation) and the
activation. For each setting, W is rescaled with ``rnnlib.with_spectral_radius`` (same eigenvectors, same inputs, same
U) and the norms come from ``rnnlib.jacobian_norms``; the plot shows them against t on a log
scale beside the linear guess ρ(W)^(T−t).
"""
from __future__ import annotations

import numpy as np

from ..core.jacobians import jacobian_norms, with_spectral_radius
from ..core.params import init_params
from ..plotting.style import PALETTE
from ..core.validation import (ACTIVATIONS, check_choice, check_int, check_list, check_positive,
                               check_vector)
from .base import Stepper
from .player import Axis
from .charts import log_plot_svg
from .formatting import esc, scientific

DEFAULT_RHOS = tuple(round(0.5 + 0.1 * i, 2) for i in range(11))      # 0.5 … 1.5
DEFAULT_LENGTHS = (10, 20, 30, 40, 50)
_Y_LABEL = ("\u2016\u2202h<tspan dy='3' font-size='10'>T</tspan><tspan dy='-3'>/\u2202h</tspan>"
            "<tspan dy='3' font-size='10'>t</tspan><tspan dy='-3'>\u2016 (log scale)</tspan>")


def _decade_limits(values, floor=1e-12, ceil=1e8, at_least=(1e-3, 1e1)):
    v = np.asarray([x for x in np.ravel(values) if np.isfinite(x) and x > 0])
    lo = min(v.min() if v.size else at_least[0], at_least[0])
    hi = max(v.max() if v.size else at_least[1], at_least[1])
    lo = 10.0 ** np.floor(np.log10(max(lo, floor)))
    hi = 10.0 ** np.ceil(np.log10(min(hi, ceil)))
    return float(lo), float(hi)


class GradientFlowExplorer(Stepper):
    """See :func:`gradient_flow_explorer`."""

    delay_ms = 700

    def __init__(self, rho: float = 0.9, T: int = 30, *, rhos=DEFAULT_RHOS, lengths=DEFAULT_LENGTHS,
                 hidden_size: int = 16, input_size: int = 4, activation: str = "tanh",
                 seed: int = 0, input_scale: float = 1.0, input_scales=None, activations=None):
        super().__init__()
        # every argument checked here, before any computation, so a bad one fails with its
        # name and not from inside jacobian_norms
        check_choice("activation", activation, ACTIVATIONS)
        self.rhos = tuple(check_vector("rhos", rhos, "spectral radii >= 0", minimum=0.0))
        if isinstance(lengths, (range, np.ndarray)):
            lengths = list(lengths)
        self.lengths = tuple(check_int("lengths", n) for n in check_list("lengths", lengths,
                                                                          what="lengths >= 1"))
        self.rho, self.T = check_positive("rho", rho, allow_zero=True), check_int("T", T)
        self.hidden_size = check_int("hidden_size", hidden_size)
        self.input_size = check_int("input_size", input_size)
        check_int("seed", seed, minimum=0)
        # extra axes of the static player; a single value means no control for it
        self.input_scales = (tuple(check_vector("input_scales", input_scales, "input scales > 0",
                                                positive=True)) if input_scales is not None
                             else (check_positive("input_scale", input_scale),))
        self.activations = (tuple(check_choice("activations", a, ACTIVATIONS)
                                  for a in check_list("activations", activations,
                                                      what="activation names"))
                            if activations is not None else (activation,))
        if input_scales is not None and input_scale not in self.input_scales:
            input_scale = self.input_scales[0]
        if activations is not None and activation not in self.activations:
            activation = self.activations[0]
        self.input_scale = input_scale
        self.configure(seed=seed, activation=activation)

    @property
    def title(self) -> str:
        return (f"Gradient flow: \u2016\u2202h<sub>T</sub>/\u2202h<sub>t</sub>\u2016 for a {esc(self.activation)} "
                f"RNN with H = {self.hidden_size} hidden units, as ρ(W) and T change")

    def configure(self, *, seed=None, activation=None) -> None:
        """Draw the base weights and the inputs (the only randomness); ρ and T just rescale/cut."""
        self.seed = self.__dict__.get("seed", 0) if seed is None else check_int("seed", seed, 0)
        self.activation = self.__dict__.get("activation", "tanh") if activation is None else activation
        self.base = init_params(self.input_size, self.hidden_size, 1, seed=self.seed)
        rng = np.random.default_rng(self.seed + 1)
        t_max = max(max(self.lengths), self.T, 200)
        self.unit_xs = rng.normal(0.0, 1.0, (t_max, self.input_size))
        self._cache = {}
        self._invalidate()
        chosen = (self.input_scale, self.activation)
        every = [self.compute(r, n, scale=s, activation=a)["norms"] for r in self.rhos
                 for n in self.lengths for s in self.input_scales for a in self.activations]
        self.input_scale, self.activation = chosen
        guesses = [r ** np.arange(n + 1.0) for r in self.rhos for n in self.lengths]
        self.y_lim = _decade_limits(np.concatenate(every + guesses))

    def params_for(self, rho: float) -> dict:
        """The base parameters with W rescaled to spectral radius ``rho``."""
        return {**self.base, "W": with_spectral_radius(self.base["W"], rho)}

    @property
    def xs_all(self):
        """The inputs at the current input scale, (t_max, input_size)."""
        return self.input_scale * self.unit_xs

    def compute(self, rho: float, T: int, *, scale=None, activation=None) -> dict:
        """norms[t] = ‖∂h_T/∂h_t‖₂ for t = 0..T (rnnlib.jacobian_norms), cached per setting.

        scale, activation: default to the current ``input_scale`` and ``activation``."""
        scale = self.input_scale if scale is None else float(scale)
        activation = self.activation if activation is None else activation
        key = (round(float(rho), 10), int(T), scale, activation)
        if key not in self._cache:
            norms = jacobian_norms(self.params_for(rho), scale * self.unit_xs[:T],
                                   activation=activation)
            self._cache[key] = {"rho": float(rho), "T": int(T), "scale": scale,
                                "activation": activation, "norms": norms}
        return self._cache[key]

    # --------------------------------------------------------------- frames: ρ × T
    def axes(self) -> list[Axis]:
        r0 = int(np.argmin([abs(r - self.rho) for r in self.rhos]))
        n0 = int(np.argmin([abs(n - self.T) for n in self.lengths]))
        axes = [Axis("ρ(W)", [f"ρ = {r:.2f}" for r in self.rhos], r0),
                Axis("T", [f"T = {n}" for n in self.lengths], n0)]
        if len(self.input_scales) > 1:
            s0 = int(np.argmin([abs(np.log(s / self.input_scale)) for s in self.input_scales]))
            axes.append(Axis("input scale", [f"inputs × {s:g}" for s in self.input_scales], s0))
        if len(self.activations) > 1:
            a0 = self.activations.index(self.activation) if self.activation in self.activations else 0
            axes.append(Axis("f", [f"f = {a}" for a in self.activations], a0))
        return axes

    def frame_setting(self, k: int) -> tuple:
        """(ρ, T, input scale, activation) of frame ``k`` (row-major over the axes)."""
        sizes = (len(self.rhos), len(self.lengths), len(self.input_scales), len(self.activations))
        idx = np.unravel_index(k, sizes)
        return (self.rhos[idx[0]], self.lengths[idx[1]], self.input_scales[idx[2]],
                self.activations[idx[3]])

    def render_frame(self, k: int) -> str:
        rho, T, scale, activation = self.frame_setting(k)
        return self.render(rho, T, self.y_lim, scale=scale, activation=activation)

    def render(self, rho: float, T: int, y_lim, *, scale=None, activation=None) -> str:
        data = self.compute(rho, T, scale=scale, activation=activation)
        scale, activation = data["scale"], data["activation"]
        norms = data["norms"]
        t = np.arange(T + 1)
        guess = rho ** (T - t.astype(float))
        svg = log_plot_svg(
            [{"x": t, "y": norms, "colour": PALETTE["blue"], "markers": T <= 60,
              "label": "\u2016\u2202h<tspan dy='3' font-size='9'>T</tspan><tspan dy='-3'>/\u2202h</tspan>"
                       "<tspan dy='3' font-size='9'>t</tspan><tspan dy='-3'>\u2016 (rnnlib)</tspan>"},
             {"x": t, "y": guess, "colour": PALETTE["vermillion"], "dash": "6 4",
              "label": f"ρ(W)<tspan dy='-5' font-size='9'>T\u2212t</tspan><tspan dy='5'> = {rho:.2f}</tspan>"
                       f"<tspan dy='-5' font-size='9'>{T}\u2212t</tspan><tspan dy='5'></tspan>"}],
            x_max=T, y_lim=y_lim,
            title=f"What reaches h_T from step t, for ρ(W) = {rho:.2f} and T = {T}",
            title_markup=(f"What reaches h<tspan dy='3' font-size='10'>T</tspan><tspan dy='-3'> "
                          f"from step t, for ρ(W) = {rho:.2f} and T = {T}</tspan>"),
            x_label="t (time step; the gradient travels from t = T back to t = 0)",
            y_label=_Y_LABEL)
        values = " ".join(f"{v:.4g}" for v in norms)
        far = norms[0]
        if far < 1e-3:
            verdict = "vanishing: almost nothing of h<sub>0</sub> reaches h<sub>T</sub>"
        elif far > 1e3:
            verdict = "exploding: a tiny change at h<sub>0</sub> is hugely amplified"
        else:
            verdict = "neither vanishing nor exploding over this length"
        note = (f'<div class="rnnw-note" data-norms="{values}">'
                f"\u2016\u2202h<sub>{T}</sub>/\u2202h<sub>0</sub>\u2016 = <b>{scientific(far, 2)}</b> "
                f"(the guess ρ<sup>{T}</sup> = {scientific(rho ** T, 2)}); "
                f"10 steps back: {scientific(norms[max(T - 10, 0)], 2)}. {verdict}. "
                f"Activation {esc(activation)}, inputs × {scale:g}, seed {self.seed}.</div>")
        return svg + note

    def header_html(self) -> str:
        return ('<div class="rnnw-legend">Blue: the norm of the product of step Jacobians '
                'diag(f\u2032(a<sub>k</sub>)) W from t to T, computed by '
                '<code>rnnlib.jacobian_norms</code>. Dashed: ρ(W)<sup>T\u2212t</sup>. Next frame '
                'raises ρ(W); the second slider changes T.</div>')

    # --------------------------------------------------------------- live
    def live(self):
        """ipywidgets: ρ(W), T and input-scale sliders (recompute jacobian_norms and redraw),
        activation, seed."""
        import ipywidgets as w

        rho = w.FloatSlider(value=self.rho, min=0.1, max=2.0, step=0.05, description="ρ(W)",
                            continuous_update=True, readout_format=".2f", layout=w.Layout(width="420px"))
        T = w.IntSlider(value=self.T, min=2, max=max(max(self.lengths), 50), description="T",
                        continuous_update=True, layout=w.Layout(width="420px"))
        act = w.Dropdown(options=list(ACTIVATIONS), value=self.activation, description="f",
                         layout=w.Layout(width="150px"))
        scale = w.FloatLogSlider(value=self.input_scale, base=10, min=-4, max=1, step=0.25,
                                 description="inputs ×", readout_format=".3g",
                                 continuous_update=True, layout=w.Layout(width="420px"))
        seed = w.BoundedIntText(value=self.seed, min=0, max=10**6, description="seed",
                                layout=w.Layout(width="150px"))
        view = w.HTML()
        errors = self._errors_widget()

        @self._timed
        def redraw(change=None):
            self.rho, self.T = float(rho.value), int(T.value)
            self.input_scale = float(scale.value)
            data = self.compute(self.rho, self.T)
            self.current = data
            guess = self.rho ** np.arange(self.T + 1.0)
            y_lim = _decade_limits(np.concatenate([data["norms"], guess, self.y_lim]))
            view.value = self._view_value(self.render(self.rho, self.T, y_lim))

        def recompute(change=None):
            self.configure(seed=seed.value, activation=act.value)
            redraw()

        rho.observe(self._guard(redraw), names="value")
        T.observe(self._guard(redraw), names="value")
        scale.observe(self._guard(redraw), names="value")
        act.observe(self._guard(recompute), names="value")
        seed.observe(self._guard(recompute), names="value")
        self._guard(redraw)()
        self.controls = {"rho": rho, "T": T, "input_scale": scale, "activation": act,
                         "seed": seed, "view": view, "errors": errors}
        self._widget = w.VBox([rho, T, scale, w.HBox([act, seed]), errors, view])
        return self._widget


def gradient_flow_explorer(rho: float = 0.9, T: int = 30, *, rhos=DEFAULT_RHOS,
                           lengths=DEFAULT_LENGTHS, hidden_size: int = 16, input_size: int = 4,
                           activation: str = "tanh", seed: int = 0,
                           input_scale: float = 1.0, input_scales=None,
                           activations=None) -> GradientFlowExplorer:
    """Explore ‖∂h_T/∂h_t‖ against t as the spectral radius ρ(W) and the length T change (chapter 5).

    rho, T: where the controls start. rhos, lengths: the grid the static player precomputes
    (len(rhos) × len(lengths) frames). The weights come from ``init_params(input_size,
    hidden_size, 1, seed=seed)`` with W rescaled to each ρ; the inputs are N(0, input_scale²)
    (one draw of unit-normal inputs, multiplied by the scale).
    input_scales, activations: optional lists of values; with two or more, the static player
    gets a slider for each (small scales keep tanh units linear, large ones saturate them), and
    the frames multiply accordingly. The live form always has both controls.
    """
    return GradientFlowExplorer(rho, T, rhos=rhos, lengths=lengths, hidden_size=hidden_size,
                                input_size=input_size, activation=activation, seed=seed,
                                input_scale=input_scale, input_scales=input_scales,
                                activations=activations)

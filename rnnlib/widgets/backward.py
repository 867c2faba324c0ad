"""The backward stepper (chapter 4): backpropagation through time, from t = T down to t = 1.

Frame t shows ∂L/∂o_t, ∂L/∂h_t as the sum of its two sources (the output at t, Vᵀ ∂L/∂o_t,
and the step after, Wᵀ ∂L/∂a_{t+1}), ∂L/∂a_t = ∂L/∂h_t ⊙ f'(a_t), and this step's share of
∂L/∂W, ∂L/∂U, ∂L/∂V as heatmaps beside the running sum over steps T..t. The last frame (t = 1)
holds the full gradient and compares it with ``rnnlib.loss_and_grads``.
"""
from __future__ import annotations

import numpy as np

from ..core.activations import derivative
from ..core.bptt import loss_and_grads
from ..core.validation import PARAM_KEYS
from .cells import column, legend_html, matrix, vector_row
from .formatting import esc, fixed_point, scientific, token_label
from .sequence import SequenceStepper

_DF = {"tanh": "1 \u2212 h<sub>{t}</sub><sup>2</sup>",
       "sigmoid": "h<sub>{t}</sub>(1 \u2212 h<sub>{t}</sub>)", "relu": "[a<sub>{t}</sub> &gt; 0]"}
_OUTER = {"W": ("a", "h<sub>{p}</sub>"), "U": ("a", "x<sub>{t}</sub>"), "V": ("o", "h<sub>{t}</sub>")}


class BackwardStepper(SequenceStepper):
    """See :func:`backward_stepper`."""

    direction = "backward"
    needs_targets = True

    @property
    def title(self) -> str:
        what = f"the text {esc(repr(self.text))}" if self._xs_given is None else "the input sequence"
        return (f"Backpropagation through time, step by step: {esc(self.activation)} RNN on "
                f"{what} (T = {self.T}, loss L = {fixed_point(self.trace.loss, 3)})")

    def prepare(self) -> None:
        tr = self.trace
        bw = tr.backward
        self.fprime = [derivative(s.a, s.h, self.activation) for s in tr.forward]
        vec = np.concatenate([np.concatenate([g.d_o, g.dh, g.dh_from_output, g.dh_from_next, g.da])
                              for g in bw])
        self.s_vec = max(float(np.max(np.abs(vec))), 1e-12)
        self.s_fp = 1.0 if self.activation != "sigmoid" else 0.25
        self.s_contrib = {k: max(float(max(np.max(np.abs(g.contrib[k])) for g in bw)), 1e-12)
                          for k in ("W", "U", "V")}
        self.s_running = {k: max(float(max(np.max(np.abs(r[k])) for r in tr.running)), 1e-12)
                          for k in ("W", "U", "V")}
        # the check: the trace's full gradient against the vectorised engine
        loss, grads = loss_and_grads(self.params, self.xs, self.targets, h0=self.h0,
                                     activation=self.activation, loss=self.loss)
        self.reference_loss, self.reference_grads = loss, grads
        self.max_abs_diff = float(max(np.max(np.abs(tr.grads[k] - grads[k]))
                                      for k in (*PARAM_KEYS, "h0")))

    def header_html(self) -> str:
        return legend_html("gradients (cell text: the value)", "f\u2032(a) for tanh and ReLU")

    def step_data(self, t: int) -> dict:
        """The numbers frame t displays (from the trace)."""
        g = self.trace.backward[t - 1]
        data = {"d_o": g.d_o, "dh_from_output": g.dh_from_output, "dh_from_next": g.dh_from_next,
                "dh": g.dh, "da": g.da, "fprime": self.fprime[t - 1]}
        for k in ("W", "U", "V"):
            data[f"contrib_{k}"] = g.contrib[k]
            data[f"running_{k}"] = self.trace.running[t - 1][k]
        return data

    def render_step(self, t: int) -> str:
        tr, T = self.trace, self.T
        g = tr.backward[t - 1]
        k_frame = self.frame_of(t) + 1
        target = int(self.targets[t - 1]) if np.ndim(self.targets) == 1 else None
        out = [self.graph_svg(t)]
        head = (f"<b>Step t = {t}</b>, going back from T = {T} (frame {k_frame} of {T})"
                f" &nbsp;·&nbsp; loss at this step L<sub>{t}</sub> = {fixed_point(tr.step_losses[t - 1], 3)}")
        if target is not None and self.chars is not None:
            head += f" (target {esc(token_label(self.chars[target]))})"
        out.append(f'<div class="rnnw-head">{head}</div>')
        do_name = (f"\u2202L/\u2202o<sub>{t}</sub> = \u0177<sub>{t}</sub> \u2212 onehot(y<sub>{t}</sub>)"
                   if self.loss == "cross_entropy" else
                   f"\u2202L/\u2202o<sub>{t}</sub> = o<sub>{t}</sub> \u2212 y<sub>{t}</sub>")
        out.append('<div class="rows">' + vector_row(do_name, g.d_o, "signed", self.s_vec, key="d_o",
                                                     index_labels=self.out_labels, mark=target)
                   + "</div>")
        nxt = (f"W<sup>T</sup>\u2202L/\u2202a<sub>{t + 1}</sub><br>(from step {t + 1})" if t < T
               else "0<br>(no step after T)")
        out.append(
            '<div class="eq">'
            + column(g.dh, "signed", self.s_vec, f"\u2202L/\u2202h<sub>{t}</sub>", key="dh")
            + '<span class="op">=</span>'
            + column(g.dh_from_output, "signed", self.s_vec,
                     f"V<sup>T</sup>\u2202L/\u2202o<sub>{t}</sub><br>(output at {t})", key="dh_from_output")
            + '<span class="op">+</span>'
            + column(g.dh_from_next, "signed", self.s_vec, nxt, key="dh_from_next")
            + "</div>"
            + '<div class="eq">'
            + column(g.da, "signed", self.s_vec, f"\u2202L/\u2202a<sub>{t}</sub>", key="da")
            + '<span class="op">=</span>'
            + column(g.dh, "signed", self.s_vec, f"\u2202L/\u2202h<sub>{t}</sub>", key="dh_again")
            + '<span class="op">\u2299</span>'
            + column(self.fprime[t - 1], "magnitude", self.s_fp,
                     f"f\u2032(a<sub>{t}</sub>)<br>= {_DF[self.activation].format(t=t)}", key="fprime")
            + "</div>")
        out.append('<div class="rnnw-note">This step\'s share of each weight gradient (left) is an '
                   'outer product; the right-hand map is the sum of the shares of steps '
                   f'{T}, …, {t} so far.</div>')
        labels = {"W": {}, "U": {"col_labels": self.in_labels}, "V": {"row_labels": self.out_labels}}
        for k in ("W", "U", "V"):
            left, right = _OUTER[k]
            right = right.format(p=t - 1, t=t)
            share = f"\u2202L/\u2202{left}<sub>{t}</sub> {right}<sup>T</sup>"
            out.append(
                '<div class="pair">'
                f'<div><div class="pcap">step {t}: \u2202L/\u2202{k} share = {share}</div>'
                + matrix(g.contrib[k], "signed", self.s_contrib[k], key=f"contrib_{k}", **labels[k])
                + "</div>"
                f'<div><div class="pcap">sum over steps {T}\u2026{t}</div>'
                + matrix(tr.running[t - 1][k], "signed", self.s_running[k], key=f"running_{k}",
                         **labels[k])
                + "</div></div>")
        if t == 1:
            out.append(
                '<div class="rnnw-ok" data-check="loss_and_grads">'
                f"<b>Check:</b> the sum over all {T} steps is the full gradient. Against "
                "<code>rnnlib.loss_and_grads</code>: max |difference| over U, W, V, b, c, h<sub>0</sub> = "
                f"<b>{scientific(self.max_abs_diff)}</b>; loss {fixed_point(tr.loss, 6)} vs "
                f"{fixed_point(self.reference_loss, 6)}.</div>")
        return "".join(out)


def backward_stepper(params=None, text: str = "hello", *, xs=None, targets=None,
                     hidden_size: int = 4, seed: int = 0, activation: str = "tanh",
                     loss: str = "cross_entropy", h0=None) -> BackwardStepper:
    """Step backward through time, t = T … 1, watching the gradient build up (chapter 4).

    Same inputs as :func:`forward_stepper`; with ``xs`` also give ``targets`` (as for
    ``rnnlib.loss_and_grads``, many-to-many); ``h0`` the initial state. The last frame
    (t = 1) shows the full gradient and its max |difference| from ``rnnlib.loss_and_grads``.
    """
    return BackwardStepper(params, text, xs=xs, targets=targets, hidden_size=hidden_size,
                           seed=seed, activation=activation, loss=loss, h0=h0)

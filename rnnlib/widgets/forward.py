"""The forward stepper (chapter 2): one time step at a time, every vector with its numbers.

Frame t shows the unrolled network with step t highlighted, the vectors x_t, h_{t-1}, a_t,
h_t, o_t, ŷ_t as coloured cells, and the equation a_t = b + W h_{t-1} + U x_t written out with
this step's numbers. All numbers come from one ``rnnlib.trace`` call.
"""
from __future__ import annotations

import numpy as np

from .cells import column, legend_html, matrix, vector_row
from .formatting import esc, fixed_point, token_label
from .sequence import SequenceStepper

_F = {"tanh": "tanh", "sigmoid": "\u03c3", "relu": "ReLU"}


class ForwardStepper(SequenceStepper):
    """See :func:`forward_stepper`."""

    direction = "forward"
    needs_targets = False

    @property
    def title(self) -> str:
        what = f"the text {esc(repr(self.text))}" if self._xs_given is None else "the input sequence"
        return f"Forward pass, step by step: {esc(self.activation)} RNN reading {what} (T = {self.T})"

    def prepare(self) -> None:
        fw, p = self.trace.forward, self.params
        self.Wh = [p["W"] @ s.h_prev for s in fw]       # the two terms of a_t, for display
        self.Ux = [p["U"] @ s.x for s in fw]
        stack = lambda key: np.concatenate([np.ravel(getattr(s, key)) for s in fw])
        self.s_terms = float(np.max(np.abs(np.concatenate(
            [stack("a"), np.ravel(p["b"]), np.ravel(self.Wh), np.ravel(self.Ux)]))))
        self.s_W = float(np.max(np.abs(p["W"])))
        self.s_o = float(np.max(np.abs(stack("o"))))
        self.h_kind = "signed" if self.activation == "tanh" else "magnitude"
        self.s_h = 1.0 if self.activation in ("tanh", "sigmoid") else max(float(np.max(stack("h"))), 1e-12)
        onehot = all(np.count_nonzero(s.x) == 1 and np.max(s.x) == 1 for s in fw)
        self.x_kind = "magnitude" if onehot else "signed"
        self.s_x = 1.0 if onehot else float(np.max(np.abs(stack("x"))))
        self.onehot = onehot

    def header_html(self) -> str:
        if self.activation == "tanh":
            return legend_html("a, h, o and the terms of a", "probabilities ŷ and one-hot x")
        return legend_html("a, o and the terms of a",
                           f"h = {self.activation}(a) ≥ 0, probabilities ŷ, one-hot x")

    def render_step(self, t: int) -> str:
        s = self.trace.forward[t - 1]
        f = _F[self.activation]
        target = None if self.targets is None or np.ndim(self.targets) != 1 else int(self.targets[t - 1])
        out = [self.graph_svg(t)]
        head = f"<b>Step t = {t}</b> of T = {self.T} &nbsp;·&nbsp; input x<sub>{t}</sub>{self.token_at(t)}"
        if target is not None and self.chars is not None:
            head += (f" &nbsp;·&nbsp; next character (target) {esc(token_label(self.chars[target]))}"
                     f", predicted with probability {fixed_point(s.y_hat[target], 3)}")
        out.append(f'<div class="rnnw-head">{head}</div>')
        # the first equation, written out with this step's numbers
        ux_cap = "U x<sub>%d</sub>" % t
        if self.onehot and self.tokens is not None:
            col = int(np.argmax(s.x))
            ux_cap += f"<br>= column {esc(self.in_labels[col])} of U"
        out.append(
            '<div class="eq">'
            + column(s.a, "signed", self.s_terms, f"a<sub>{t}</sub>", key="eq_a")
            + '<span class="op">=</span>'
            + column(self.params["b"], "signed", self.s_terms, "b", key="eq_b")
            + '<span class="op">+</span>'
            + matrix(self.params["W"], "signed", self.s_W, "W", key="eq_W")
            + column(s.h_prev, self.h_kind, self.s_h, f"h<sub>{t - 1}</sub>", key="eq_h_prev")
            + '<span class="op">+</span>'
            + column(self.Ux[t - 1], "signed", self.s_terms, ux_cap, key="eq_Ux")
            + "</div>")
        out.append('<div class="rnnw-note">W h<sub>%d</sub> = [%s]; each row of a sums b, that '
                   'entry of W h and that entry of U x.</div>'
                   % (t - 1, ", ".join(fixed_point(v) for v in self.Wh[t - 1])))
        rows = [
            vector_row(f"x<sub>{t}</sub> (input)", s.x, self.x_kind, self.s_x, key="x",
                       index_labels=self.in_labels),
            vector_row(f"h<sub>{t - 1}</sub> (previous state)", s.h_prev, self.h_kind, self.s_h,
                       key="h_prev"),
            vector_row(f"a<sub>{t}</sub> = b + W h<sub>{t - 1}</sub> + U x<sub>{t}</sub>", s.a,
                       "signed", self.s_terms, key="a"),
            vector_row(f"h<sub>{t}</sub> = {f}(a<sub>{t}</sub>)", s.h, self.h_kind, self.s_h, key="h"),
            vector_row(f"o<sub>{t}</sub> = c + V h<sub>{t}</sub>", s.o, "signed", self.s_o, key="o"),
        ]
        if self.loss == "cross_entropy":
            rows.append(vector_row(f"\u0177<sub>{t}</sub> = softmax(o<sub>{t}</sub>)", s.y_hat,
                                   "magnitude", 1.0, key="y_hat", index_labels=self.out_labels,
                                   mark=target))
        out.append('<div class="rows">' + "".join(rows) + "</div>")
        if target is not None and self.loss == "cross_entropy":
            out.append('<div class="rnnw-note">The outlined cell of \u0177 is the target.</div>')
        return "".join(out)


def forward_stepper(params=None, text: str = "hello", *, xs=None, hidden_size: int = 4,
                    seed: int = 0, activation: str = "tanh", h0=None) -> ForwardStepper:
    """Step through the forward pass of an RNN, one time step per frame (chapter 2).

    params: U, W, V, b, c (``rnnlib.init_params``); None draws them with ``seed`` for a
        vocabulary of the text's distinct characters and ``hidden_size`` hidden units.
    text: read character by character; inputs text[:-1], targets the next characters.
    xs: instead of text, a float (T, D) sequence or (T,) token ids.
    h0: the initial state (H,); None means zeros.

    Returns a :class:`ForwardStepper`. In a notebook: ``stepper.show()`` displays the static
    player (what the published site shows), ``stepper.live()`` the ipywidgets controls.
    """
    return ForwardStepper(params, text, xs=xs, hidden_size=hidden_size, seed=seed,
                          activation=activation, h0=h0)

"""The LSTM stepper (chapter 8): the gates and the cell state at each step.

Frame t shows the unrolled network with step t highlighted and, as coloured cells, the input
x_t, the previous states h_{t-1} and s_{t-1}, the four gates i_t, f_t, g_t, q_t, and the
update s_t = f_t ⊙ s_{t-1} + i_t ⊙ g_t written out entry by entry (what is kept, what is
written), then h_t = q_t ⊙ tanh(s_t). All numbers come from one ``rnnlib.gated_trace`` call.
"""
from __future__ import annotations

import numpy as np

from ..core.params import init_params
from ..core.validation import ACTIVATIONS, bad_value, check_choice
from ..book.gated_trace import gated_trace
from .cells import column, legend_html, vector_row
from .formatting import esc, fixed_point, token_label
from .sequence import SequenceStepper, char_sequence


class LSTMStepper(SequenceStepper):
    """See :func:`lstm_stepper`."""

    direction = "forward"
    needs_targets = False

    def __init__(self, params=None, text: str = "hello", *, xs=None, hidden_size: int = 3,
                 seed: int = 0, h0=None, s0=None):
        self.s0 = s0               # configure (called by the base class) reads it
        super().__init__(params, text, xs=xs, hidden_size=hidden_size, seed=seed, h0=h0)

    @property
    def title(self) -> str:
        what = f"the text {esc(repr(self.text))}" if self._xs_given is None else "the input sequence"
        return f"LSTM, step by step: gates and cell state reading {what} (T = {self.T})"

    def configure(self, *, text=None, seed=None, activation=None) -> None:
        """(Re)compute the trace for a new text or seed (an LSTM's nonlinearities are fixed, so
        ``activation`` is accepted for the shared controls and must be "tanh")."""
        text = self.__dict__.get("text", "hello") if text is None else text
        seed = self.__dict__.get("seed", 0) if seed is None else seed
        if check_choice("activation", activation, (None,) + ACTIVATIONS) not in (None, "tanh"):
            raise bad_value("activation", "'tanh' (an LSTM's nonlinearities are fixed)",
                            repr(activation))
        if self._xs_given is not None:
            xs, chars = np.asarray(self._xs_given), None
            tokens = list(xs) if xs.ndim == 1 else None
        else:
            chars, xs, _ = char_sequence(text)
            tokens = [chars[i] for i in xs]
        if self.user_params is not None:
            params = self.user_params
        else:
            D = len(chars) if chars is not None else (int(xs.max()) + 1 if xs.ndim == 1 else xs.shape[1])
            params = init_params(D, self.hidden_size, D, cell="lstm", seed=seed)
        tr = gated_trace(params, xs, h0=self.h0, s0=self.s0, cell="lstm")
        self.text, self.seed, self.activation = text, seed, "tanh"
        self.chars, self.tokens, self.target_tokens = chars, tokens, None
        self.xs, self.targets, self.params, self.trace = xs, None, tr.params, tr
        self.in_labels = ([token_label(c) for c in chars] if chars is not None
                          else [str(d) for d in range(params["U"].shape[1])])
        self._invalidate()
        steps = tr.forward
        self.s_state = max(1e-12, float(np.max(np.abs(np.concatenate(
            [np.ravel(s.s) for s in steps] + [np.ravel(steps[0].s_prev)])))))
        self.onehot = np.ndim(xs) == 1          # token ids: x_t is one-hot

    def header_html(self) -> str:
        return legend_html("states h, s and g (signed)", "gates i, f, q in (0, 1), one-hot x")

    def step_data(self, t: int) -> dict:
        """The numbers frame t displays (from the trace)."""
        s = self.trace.forward[t - 1]
        return {"x": s.x, "h_prev": s.h_prev, "s_prev": s.s_prev, **s.gates, "s": s.s, "h": s.h}

    def render_step(self, t: int) -> str:
        s = self.trace.forward[t - 1]
        i, f, g, q = (s.gates[k] for k in "ifgq")
        kept, written = f * s.s_prev, i * g
        out = [self.graph_svg(t)]
        out.append(f'<div class="rnnw-head"><b>Step t = {t}</b> of T = {self.T} &nbsp;·&nbsp; '
                   f"input x<sub>{t}</sub>{self.token_at(t)}</div>")
        S = self.s_state
        out.append(
            '<div class="eq">'
            + column(s.s, "signed", S, f"s<sub>{t}</sub>", key="eq_s")
            + '<span class="op">=</span>'
            + column(f, "magnitude", 1.0, f"f<sub>{t}</sub>", key="eq_f")
            + '<span class="op">⊙</span>'
            + column(s.s_prev, "signed", S, f"s<sub>{t - 1}</sub>", key="eq_s_prev")
            + '<span class="op">+</span>'
            + column(i, "magnitude", 1.0, f"i<sub>{t}</sub>", key="eq_i")
            + '<span class="op">⊙</span>'
            + column(g, "signed", 1.0, f"g<sub>{t}</sub>", key="eq_g")
            + "</div>")
        out.append(f'<div class="rnnw-note">Kept from s<sub>{t - 1}</sub> (f ⊙ s): '
                   f"[{', '.join(fixed_point(v) for v in kept)}]; written (i ⊙ g): "
                   f"[{', '.join(fixed_point(v) for v in written)}]. Mean forget gate "
                   f"{fixed_point(float(np.mean(f)), 2)}.</div>")
        sub = lambda k: f"<sub>{k}</sub>"
        rows = [
            vector_row(f"x{sub(t)} (input)", s.x, "magnitude" if self.onehot else "signed",
                       1.0 if self.onehot else max(1e-12, float(np.max(np.abs(s.x)))), key="x",
                       index_labels=self.in_labels),
            vector_row(f"h{sub(t - 1)} (previous output)", s.h_prev, "signed", 1.0, key="h_prev"),
            vector_row(f"s{sub(t - 1)} (previous cell state)", s.s_prev, "signed", S, key="s_prev"),
            vector_row(f"i{sub(t)} input gate", i, "magnitude", 1.0, key="i"),
            vector_row(f"f{sub(t)} forget gate", f, "magnitude", 1.0, key="f"),
            vector_row(f"g{sub(t)} candidate", g, "signed", 1.0, key="g"),
            vector_row(f"q{sub(t)} output gate", q, "magnitude", 1.0, key="q"),
            vector_row(f"s{sub(t)} = f ⊙ s{sub(t - 1)} + i ⊙ g", s.s, "signed", S, key="s"),
            vector_row(f"h{sub(t)} = q ⊙ tanh(s{sub(t)})", s.h, "signed", 1.0, key="h"),
        ]
        out.append('<div class="rows">' + "".join(rows) + "</div>")
        return "".join(out)

    def live(self):
        """The shared controls (text, seed, time slider, buttons) without the activation menu."""
        box = super().live()
        self.controls["activation"].layout.display = "none"
        return box


def lstm_stepper(params=None, text: str = "hello", *, xs=None, hidden_size: int = 3,
                 seed: int = 0, h0=None, s0=None) -> LSTMStepper:
    """Step through an LSTM's forward pass: gates i, f, g, q and the cell state s per step.

    params: an LSTM's U (4H, D), W (4H, H), V, b (4H,), c (``init_params(..., cell="lstm")``);
        None draws them with ``seed`` for the text's characters and ``hidden_size`` units.
    text: read character by character (inputs text[:-1]); xs: instead, (T, D) floats or (T,) ids.
    h0, s0: the initial states (H,); None means zeros.
    Returns an :class:`LSTMStepper`: ``.show()`` the static player, ``.live()`` the controls.
    """
    return LSTMStepper(params, text, xs=xs, hidden_size=hidden_size, seed=seed, h0=h0, s0=s0)

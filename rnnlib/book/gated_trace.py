"""Per-step records of a gated cell (LSTM or GRU) for one sequence: every gate, the cell state
and the hidden state at each step, for the LSTM stepper (``rnnlib.widgets.lstm``).

The numbers come from the same forward pass as ``rnnlib.forward(..., cell=...)``: the trace
only cuts it into steps, so what a stepper shows is what the model computes.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.encoding import one_hot
from ..core.forward import forward
from ..core.loop import CELLS
from ..core.validation import check_gated_call
from ..core.softmax import softmax
from .trace import check_one_sequence


@dataclass
class GatedStep:
    """Step t of a gated cell, one sequence. x (D,) (the one-hot vector for a token id);
    h_prev, h (H,); s_prev, s (H,) the LSTM's cell state (None for the GRU); gates: name ->
    (H,) after the nonlinearity (i, f, g, q or u, r, n); o (K,); y_hat = softmax(o) (K,)."""

    x: np.ndarray
    h_prev: np.ndarray
    s_prev: np.ndarray | None
    gates: dict
    s: np.ndarray | None
    h: np.ndarray
    o: np.ndarray
    y_hat: np.ndarray


@dataclass
class GatedTrace:
    """forward[t-1] is step t (t = 1..T)."""

    params: dict
    cell: str
    xs: np.ndarray
    forward: list

    @property
    def T(self) -> int:
        return len(self.forward)

    @property
    def gate_names(self) -> tuple:
        return CELLS[self.cell].GATE_NAMES


def gated_trace(params, xs, *, h0=None, s0=None, cell: str = "lstm") -> GatedTrace:
    """Run one sequence through a gated cell and keep every step.

    xs: (T, D) floats or (T,) token ids (one sequence: a trace is for looking at).
    h0, s0: (H,) or None (zeros); s0 for the LSTM only.
    """
    call = check_gated_call(params, xs, cell=cell, h0=h0, s0=s0)
    check_one_sequence(call, xs)
    out = forward(params, xs, h0=h0, s0=s0, cell=cell)
    D = call.sizes.D
    x_rows = one_hot(call.xs[:, 0], D) if call.token_ids else call.xs[:, 0]
    steps = []
    for t in range(call.T):
        h_prev = out.h0 if t == 0 else out.h[t - 1]
        s_prev = None if cell == "gru" else (out.s0 if t == 0 else out.s[t - 1])
        steps.append(GatedStep(
            x=x_rows[t].copy(), h_prev=np.array(h_prev), s_prev=None if s_prev is None else
            np.array(s_prev), gates={k: v[t].copy() for k, v in out.gates.items()},
            s=None if out.s is None else out.s[t].copy(), h=out.h[t].copy(), o=out.o[t].copy(),
            y_hat=softmax(out.o[t])))
    return GatedTrace(params=call.params, cell=cell, xs=call.xs[:, 0], forward=steps)

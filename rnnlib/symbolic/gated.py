"""The LSTM's and the GRU's step equations as units of a :class:`~rnnlib.symbolic.graph.Graph`,
and the unroll of one sequence through them (the plain cell's steps are ``model.run``).

    LSTM: i, f, q = σ(...), g = tanh(...), s_t = f ⊙ s_{t-1} + i ⊙ g, h_t = q ⊙ tanh(s_t)
    GRU:  u, r = σ(...), n = tanh(b_n + W_n (r ⊙ h_{t-1}) + U_n x_t), h_t = u ⊙ h_{t-1} + (1 - u) ⊙ n

Each gate value, cell state, hidden state and logit is a unit; everything else — the
derivative (``graph.py``), the chunk's symbols, loss and compiled code, truncation
(``chunk.py``) — is shared with the plain cell. Nothing of BPTT is written here, so agreement
with ``rnnlib.core.lstm`` / ``rnnlib.core.gru`` checks their hand-derived backward passes.
"""
from __future__ import annotations

import sympy as sp

from ..core import gru, lstm
from .graph import Graph
from .model import output_layer, stable_sigmoid

# Each LSTM gate's nonlinearity, by the name rnnlib.core.lstm.GATE_NAMES gives its block of
# rows in U, W, b: looked up by name, so the blocks follow the core's stacking order.
LSTM_GATES = {"i": stable_sigmoid, "f": stable_sigmoid, "g": sp.tanh, "q": stable_sigmoid}


def _rows(names: tuple, H: int) -> dict:
    """{gate name: the slice of its H rows} for gates stacked in U, W, b in the order ``names``."""
    return {n: slice(k * H, (k + 1) * H) for k, n in enumerate(names)}


def _lstm_step(graph: Graph, P: dict, zx: sp.Matrix, state: tuple, at: tuple) -> tuple:
    """One LSTM step as units. zx (4·H, 1) is b + U x_t, the part of the gates' input that does
    not depend on the state; ``state`` (h_{t-1}, s_{t-1}), each an (H, 1) column of symbols
    (units, or the chunk's state symbols); ``at`` (sequence b, step t) names the units.
    Returns (h_t, s_t), each an (H, 1) column of units."""
    h_prev, s_prev = state
    H = len(h_prev)
    z = zx + P["W"] * sp.Matrix(h_prev)
    rows = _rows(lstm.GATE_NAMES, H)
    gate = {n: graph.column(n, at, z[rows[n], :].applyfunc(LSTM_GATES[n]))
            for n in lstm.GATE_NAMES}
    i, f, g, q = (gate[n] for n in ("i", "f", "g", "q"))
    s = graph.column("s", at, [f[j] * s_prev[j] + i[j] * g[j] for j in range(H)])
    h = graph.column("h", at, [q[j] * sp.tanh(s[j]) for j in range(H)])
    return h, s


def _gru_step(graph: Graph, P: dict, zx: sp.Matrix, state: tuple, at: tuple) -> tuple:
    """One GRU step as units. zx (3·H, 1) is b + U x_t; ``state`` (h_{t-1},), an (H, 1) column
    of symbols; ``at`` (sequence b, step t) names the units. Returns (h_t,), an (H, 1) column of
    units."""
    (h_prev,) = state
    H = len(h_prev)
    rows = _rows(gru.GATE_NAMES, H)

    def gate_input(n: str, h: sp.Matrix) -> sp.Matrix:
        return zx[rows[n], :] + P["W"][rows[n], :] * h

    hp = sp.Matrix(h_prev)
    u = graph.column("u", at, gate_input("u", hp).applyfunc(stable_sigmoid))
    r = graph.column("r", at, gate_input("r", hp).applyfunc(stable_sigmoid))
    # The reset gate scales h_{t-1} *before* the recurrent product W_n, as Cho et al. (2014)
    # and rnnlib.core.gru write the GRU; PyTorch's nn.GRU applies it after (core/gru.py).
    rh = sp.Matrix([r[j] * h_prev[j] for j in range(H)])
    n = graph.column("n", at, gate_input("n", rh).applyfunc(sp.tanh))
    return (graph.column("h", at, [u[j] * h_prev[j] + (1 - u[j]) * n[j] for j in range(H)]),)


STEPS = {"lstm": _lstm_step, "gru": _gru_step}


def unroll(graph: Graph, P: dict, states: list, xs: list, b: int, *,
           cell: str) -> tuple[list, tuple]:
    """Sequence b of the gated ``cell`` ("lstm" or "gru") as units of ``graph``.

    P: the parameter symbols (U (G·H, D), W (G·H, H), V (K, H), b (G·H, 1), c (K, 1));
    ``states`` the (H, 1) columns the cell starts from, [h0] (GRU) or [h0, s0] (LSTM); ``xs`` the
    T input columns (D, 1). Returns the T logit columns (K, 1) and the final state, (h_T,) or
    (h_T, s_T), each an (H, 1) column of units.
    """
    step = STEPS[cell]
    state = tuple(states)
    o = []
    for t, x in enumerate(xs, start=1):
        state = step(graph, P, P["b"] + P["U"] * x, state, (b, t))
        o.append(graph.column("o", (b, t), output_layer(P, state[0])))
    return o, state

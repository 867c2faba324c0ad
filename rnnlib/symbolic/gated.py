"""``loss_and_grads`` for the LSTM and the GRU with every derivative taken by ``sympy.diff``.

The same method as ``engine.py`` (read that module first): the unrolled network is a graph of
units, each gate value, cell state, hidden state and logit a symbol with a definition written
from the equations; sympy differentiates L(θ + ε v) by ε, each unit's derivative derived once;
``lambdify`` compiles the result, cached per sizes and options. Nothing of BPTT is written by
hand, so agreement with ``rnnlib.core.gated`` checks the hand-derived backward passes.

    LSTM: i, f, q = σ(...), g = tanh(...), s_t = f ⊙ s_{t-1} + i ⊙ g, h_t = q ⊙ tanh(s_t)
    GRU:  u, r = σ(...), n = tanh(b_n + W_n (r ⊙ h_{t-1}) + U_n x_t), h_t = u ⊙ h_{t-1} + (1 - u) ⊙ n

Truncation as in ``engine.py``: a later chunk starts from fresh state symbols (h, and s for the
LSTM) holding the carried values, and L is not differentiated with respect to them. As there,
everything but the step equations, the cache and the call check is ``chunk.py``'s.
"""
from __future__ import annotations

from functools import lru_cache

import sympy as sp

from ..core.validation import check_gated_call
from .chunk import ChunkSpec, CompiledChunk, build_chunk, chunked_loss_and_grads
from .graph import Graph
from .model import sigmoid


def _lstm_step(graph: Graph, P: dict, zx: sp.Matrix, h_prev, s_prev, tag: str):
    H = len(h_prev)
    z = zx + P["W"] * sp.Matrix(h_prev)
    act = [sigmoid, sigmoid, sp.tanh, sigmoid]       # i, f, g, q
    i, f, g, q = ([graph.unit(f"{n}_{tag}_{j}", act[k](z[k * H + j])) for j in range(H)]
                  for k, n in enumerate("ifgq"))
    s = [graph.unit(f"s_{tag}_{j}", f[j] * s_prev[j] + i[j] * g[j]) for j in range(H)]
    h = [graph.unit(f"h_{tag}_{j}", q[j] * sp.tanh(s[j])) for j in range(H)]
    return h, s


def _gru_step(graph: Graph, P: dict, zx: sp.Matrix, h_prev, tag: str):
    H = len(h_prev)
    hp = sp.Matrix(h_prev)
    zur = zx[:2 * H, :] + P["W"][:2 * H, :] * hp
    u = [graph.unit(f"u_{tag}_{j}", sigmoid(zur[j])) for j in range(H)]
    r = [graph.unit(f"r_{tag}_{j}", sigmoid(zur[H + j])) for j in range(H)]
    rh = sp.Matrix([r[j] * h_prev[j] for j in range(H)])
    zn = zx[2 * H:, :] + P["W"][2 * H:, :] * rh       # reset before the recurrent product
    n = [graph.unit(f"n_{tag}_{j}", sp.tanh(zn[j])) for j in range(H)]
    return [graph.unit(f"h_{tag}_{j}", u[j] * h_prev[j] + (1 - u[j]) * n[j]) for j in range(H)]


def _unroll(graph: Graph, P: dict, states: list, xs: list, b: int) -> tuple[list, tuple]:
    """Sequence b of a gated cell as units: ``states`` [h0] or, for the LSTM, [h0, s0] (each
    (H, 1)), ``xs`` T columns (D, 1). Returns the T logit columns (K, 1) and the H units of h_T
    (and of s_T for the LSTM)."""
    lstm = len(states) == 2          # the LSTM carries (h, s), the GRU h alone
    h = list(states[0])
    s = list(states[1]) if lstm else None
    o = []
    for t, x in enumerate(xs):
        zx = P["b"] + P["U"] * x
        tag = f"{b}_{t + 1}"
        if lstm:
            h, s = _lstm_step(graph, P, zx, h, s, tag)
        else:
            h = _gru_step(graph, P, zx, h, tag)
        logits = P["c"] + P["V"] * sp.Matrix(h)
        o.append(sp.Matrix([graph.unit(f"o_{tag}_{k}", logits[k]) for k in range(len(logits))]))
    return o, ((h, s) if lstm else (h,))


@lru_cache(maxsize=128)
def compile_chunk(spec: ChunkSpec) -> CompiledChunk:
    """One chunk of the LSTM or GRU: units, sympy's derivative, numpy code (cached per spec)."""
    return build_chunk(spec, _unroll)


def loss_and_grads(params, xs, targets, *, h0=None, s0=None, cell: str = "lstm",
                   activation: str = "tanh", loss: str = "cross_entropy",
                   mode: str = "many_to_many", truncate: int | None = None) -> tuple[float, dict]:
    """The gated cell's loss and gradients derived by ``sympy.diff``; same arguments, checks and
    result as ``rnnlib.loss_and_grads(..., cell=cell)``: params U (G·H, D), W (G·H, H),
    b (G·H,), V (K, H), c (K,) with G = 4 gates (LSTM) or 3 (GRU); xs, targets as for the plain
    cell; h0, s0 (LSTM only) (H,) / (B, H) / None. grads: U, W, V, b, c shaped like the
    parameters, "h0" (and "s0") (H,) for one sequence or a shared state, else (B, H).
    For small sizes (T, D, H, K ≤ 3, B ≤ 2).
    """
    call = check_gated_call(params, xs, cell=cell, h0=h0, s0=s0, activation=activation,
                            targets=targets, loss=loss, mode=mode, truncate=truncate)
    return chunked_loss_and_grads(call, compile_chunk)

"""``loss_and_grads`` for the LSTM and the GRU with every derivative taken by ``sympy.diff``.

The same method as ``engine.py`` (read that module first): the unrolled network is a graph of
units, each gate value, cell state, hidden state and logit a symbol with a definition written
from the equations; sympy differentiates L(θ + ε v) by ε, each unit's derivative derived once;
``lambdify`` compiles the result, cached per sizes and options. Nothing of BPTT is written by
hand, so agreement with ``rnnlib.core.gated`` checks the hand-derived backward passes.

    LSTM: i, f, q = σ(...), g = tanh(...), s_t = f ⊙ s_{t-1} + i ⊙ g, h_t = q ⊙ tanh(s_t)
    GRU:  u, r = σ(...), n = tanh(b_n + W_n (r ⊙ h_{t-1}) + U_n x_t), h_t = u ⊙ h_{t-1} + (1 - u) ⊙ n

Truncation as in ``engine.py``: a later chunk starts from fresh state symbols (h, and s for the
LSTM) holding the carried values, and L is not differentiated with respect to them.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import sympy as sp

from ..core.encoding import one_hot
from ..core.sequence import chunks
from ..core.validation import GATE_COUNT, Call, check_gated_call, PARAM_KEYS, check_finite_logits
from .graph import CompiledChunk, Graph, lambdify_steps, plain_symbols, unflatten
from .model import sigmoid, step_loss


@dataclass(frozen=True)
class GatedChunkSpec:
    """What changes the expressions of one chunk. states: for h (and s), "shared",
    "per_sequence" or "carried" (fresh symbols, not differentiated)."""

    cell: str
    T: int
    B: int
    D: int
    H: int
    K: int
    loss: str
    scored: str
    states: tuple


def _state_columns(name: str, kind: str, H: int, B: int) -> tuple[list, list]:
    if kind == "shared":
        col = plain_symbols(name, H)
        return [col] * B, list(col)
    cols = [plain_symbols(f"{name}{b}" if kind == "per_sequence" else f"{name}c{b}", H)
            for b in range(B)]
    return cols, [s for col in cols for s in col]


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


@lru_cache(maxsize=128)
def compile_chunk(spec: GatedChunkSpec) -> CompiledChunk:
    """Build one chunk's units, differentiate L with sympy, lambdify (cached).

    forward(params, states, x) -> o (T·B·K, step-major), h_T (B·H)[, s_T (B·H)].
    """
    G = GATE_COUNT[spec.cell]
    shapes = {"U": (G * spec.H, spec.D), "W": (G * spec.H, spec.H), "V": (spec.K, spec.H),
              "b": (G * spec.H, 1), "c": (spec.K, 1)}
    P = {key: plain_symbols(key, *shape) for key, shape in shapes.items()}
    params = [s for key in PARAM_KEYS for s in P[key]]
    names = ("h0", "s0")[:len(spec.states)]
    columns, state_syms, wrt_states = [], [], []
    for name, kind in zip(names, spec.states):
        cols, syms = _state_columns(name, kind, spec.H, spec.B)
        columns.append(cols)
        state_syms += syms
        wrt_states += [] if kind == "carried" else syms
    graph = Graph("tanh")
    scored = {"all": list(range(spec.T)), "last": [spec.T - 1], "none": []}[spec.scored]
    x_syms, y_syms, shifts, outputs, last_h, last_s = [], [], [], [], [], []
    L = sp.S.Zero
    for b in range(spec.B):
        h = list(columns[0][b])
        s = list(columns[1][b]) if spec.cell == "lstm" else None
        o_b = []
        for t in range(spec.T):
            x = plain_symbols(f"x{b}_{t}", spec.D)
            x_syms += list(x)
            zx = P["b"] + P["U"] * x
            tag = f"{b}_{t + 1}"
            if spec.cell == "lstm":
                h, s = _lstm_step(graph, P, zx, h, s, tag)
            else:
                h = _gru_step(graph, P, zx, h, tag)
            logits = P["c"] + P["V"] * sp.Matrix(h)
            o_b.append(sp.Matrix([graph.unit(f"o_{tag}_{k}", logits[k]) for k in range(spec.K)]))
        outputs.append(o_b)
        last_h += h
        last_s += s or []
        for t in scored:
            target = plain_symbols(f"y{b}_{t}", spec.K)
            y_syms += list(target)
            if spec.loss == "mse":
                L += step_loss(o_b[t], target, "mse")
            else:
                shift = sp.Symbol(f"m{b}_{t}", real=True)
                shifts.append((shift, sp.Max(*o_b[t])))
                L += step_loss(o_b[t], target, "cross_entropy", shift)
    o_flat = [o_k for t in range(spec.T) for b in range(spec.B) for o_k in outputs[b][t]]
    data = params + state_syms + x_syms
    forward = lambdify_steps(data, o_flat + last_h + last_s, graph.forward_steps())
    if not scored:
        return CompiledChunk(forward, None, 0)
    wrt = params + wrt_states
    v = [sp.Symbol(f"v__{w.name}", real=True) for w in wrt]
    dL, steps = graph.directional_diff(L, wrt, v)
    fn = lambdify_steps(data + y_syms + v, [L, dL], graph.forward_steps() + shifts + steps)
    return CompiledChunk(forward, fn, len(wrt))


def _spec(call: Call, start: int, stop: int, first: bool) -> GatedChunkSpec:
    scored = "all" if call.mode == "many_to_many" else ("last" if stop == call.T else "none")
    shared = (call.h0_shared, call.s0_shared)[:len(call.state())]
    states = tuple(("shared" if sh else "per_sequence") if first else "carried" for sh in shared)
    s = call.sizes
    return GatedChunkSpec(call.cell, stop - start, call.B, s.D, s.H, s.K, call.loss, scored,
                          states)


def _chunk(call: Call, start: int, stop: int, state: tuple, first: bool):
    """Loss, flat gradient (params [+ initial states]) and the final state of one chunk."""
    spec = _spec(call, start, stop, first)
    fn = compile_chunk(spec)
    param_vals = [v for key in PARAM_KEYS for v in call.params[key].ravel()]
    state_vals = [v for kind, x in zip(spec.states, state)
                  for v in (x[0] if kind == "shared" else x).ravel()]
    xs = one_hot(call.xs[start:stop], spec.D) if call.token_ids else call.xs[start:stop]
    x_vals = list(xs.transpose(1, 0, 2).ravel())
    with np.errstate(over="ignore", invalid="ignore"):
        out = np.array(fn.forward(*param_vals, *state_vals, *x_vals), dtype=float)
    n_o, BH = spec.T * spec.B * spec.K, spec.B * spec.H
    check_finite_logits(out[:n_o])
    last = tuple(out[n_o + k * BH:n_o + (k + 1) * BH].reshape(spec.B, spec.H)
                 for k in range(len(state)))
    if fn.grads is None:
        return 0.0, None, last
    y = call.targets[start:stop] if call.mode == "many_to_many" else call.targets[None]
    if call.loss == "cross_entropy":
        y = one_hot(y, spec.K)
    y_vals = list(y.transpose(1, 0, 2).ravel())
    with np.errstate(over="ignore"):
        L, dL = fn.grads(*param_vals, *state_vals, *x_vals, *y_vals, *np.eye(fn.n_wrt))
    return float(L), np.broadcast_to(np.asarray(dL, dtype=float), (fn.n_wrt,)), last


def loss_and_grads(params, xs, targets, *, h0=None, s0=None, cell: str = "lstm",
                   activation: str = "tanh", loss: str = "cross_entropy",
                   mode: str = "many_to_many", truncate: int | None = None) -> tuple[float, dict]:
    """The gated cell's loss and gradients derived by ``sympy.diff``; same arguments, checks and
    result as ``rnnlib.loss_and_grads(..., cell=cell)``. For small sizes (T, D, H, K ≤ 3, B ≤ 2).
    """
    call = check_gated_call(params, xs, cell=cell, h0=h0, s0=s0, activation=activation,
                            targets=targets, loss=loss, mode=mode, truncate=truncate)
    p = call.params
    n_params = sum(p[k].size for k in PARAM_KEYS)
    total, flat = 0.0, np.zeros(n_params)
    state = call.state()
    shared = (call.h0_shared, call.s0_shared)[:len(state)]
    d_state = [np.zeros(call.sizes.H if sh else x.shape) for sh, x in zip(shared, state)]
    for i, (start, stop) in enumerate(chunks(call.T, call.truncate)):
        L, g, state = _chunk(call, start, stop, state, first=i == 0)
        if g is not None:
            total += L
            flat += g[:n_params]
            if i == 0:   # the initial states are reached through the first chunk only
                offset = n_params
                for k, d in enumerate(d_state):
                    d_state[k] = g[offset:offset + d.size].reshape(d.shape)
                    offset += d.size
    grads = unflatten(flat, p)
    for name, d in zip(("h0", "s0"), d_state):
        grads[name] = d     # (H,) for one sequence or a shared state, else (B, H)
    return float(total), grads

"""One truncation chunk, for every cell: its symbols and compiled functions, and the loop that
feeds them numbers.

A cell carries a tuple of states: (h,) for the plain cell and the GRU, (h, s) for the LSTM. An
engine (``engine.py``, ``gated.py``) writes only its step equations: an ``unroll`` that builds
one sequence's units in a :class:`~rnnlib.symbolic.graph.Graph`. :func:`build_chunk` makes
the symbols, calls it for every sequence, writes the loss of the scored steps, differentiates it
(``Graph.directional_diff``) and lambdifies; :func:`chunked_loss_and_grads` runs a checked call
chunk by chunk through an engine's cached compiler.

Truncation: each chunk of ``truncate`` steps starts from *fresh* state symbols whose numeric
values are the states the previous chunk ended in (computed by that chunk's compiled forward
pass). L of the chunk is differentiated with respect to the parameters only, so no derivative
crosses the boundary — exactly ``h = h.detach()``. In the first chunk the state symbols are the
initial states', and L is differentiated with respect to them too.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import sympy as sp

from ..core.encoding import one_hot
from ..core.sequence import chunks
from ..core.validation import GATE_COUNT, PARAM_KEYS, Call, check_finite_logits
from .graph import Graph, lambdify_steps, plain_symbols
from .model import step_loss

STATE_NAMES = ("h0", "s0")      # in the order a cell carries its states


@dataclass(frozen=True)
class ChunkSpec:
    """Everything that changes the *expressions* of one chunk (and so keys an engine's cache).

    cell: "rnn", "lstm" or "gru"; activation: the plain cell's f ("tanh" for a gated cell, whose
    nonlinearities are fixed); T steps, B sequences, sizes D, H, K; loss.
    scored: "all" steps, only the "last", or "none" (a many_to_one chunk before the end).
    states: one kind per state the cell carries (h, then s for the LSTM): "shared" (one (H,)
    initial state for the batch), "per_sequence" ((B, H)) or "carried" (fresh symbols holding
    the previous chunk's final state, not differentiated).
    """

    cell: str
    T: int
    B: int
    D: int
    H: int
    K: int
    activation: str
    loss: str
    scored: str
    states: tuple


@dataclass
class CompiledChunk:
    """The numpy functions of one chunk.

    forward(params, states, x) -> o (T·B·K values, step-major), then each final state in the
    cell's order (B·H values each: h_T, and s_T for the LSTM).
    grads(params, states, x, y, v) -> [L, Σ_i ∂L/∂θ_i v_i], θ = params (+ the states unless they
    are carried); None when no step of the chunk is scored. n_wrt: the number of θ_i.
    """

    forward: Callable
    grads: Callable | None
    n_wrt: int


def chunk_spec(call: Call, start: int, stop: int, first: bool) -> ChunkSpec:
    """The spec of steps [start, stop) of a checked call; ``first``: the chunk starting at 0."""
    scored = "all" if call.mode == "many_to_many" else ("last" if stop == call.T else "none")
    shared = (call.h0_shared, call.s0_shared)[:len(call.state())]
    states = tuple(("shared" if sh else "per_sequence") if first else "carried" for sh in shared)
    s = call.sizes
    return ChunkSpec(call.cell, stop - start, call.B, s.D, s.H, s.K, call.activation, call.loss,
                     scored, states)


def _scored_steps(spec: ChunkSpec) -> list:
    return {"all": list(range(spec.T)), "last": [spec.T - 1], "none": []}[spec.scored]


def _state_columns(name: str, kind: str, H: int, B: int) -> tuple[list, list]:
    """(one (H, 1) column of symbols per sequence, the distinct symbols) of one state."""
    if kind == "shared":  # one column for the batch: sympy sums its gradient over sequences
        col = plain_symbols(name, H)
        return [col] * B, list(col)
    cols = [plain_symbols(f"{name}{b}" if kind == "per_sequence" else f"{name}c{b}", H)
            for b in range(B)]
    return cols, [s for col in cols for s in col]


def build_chunk(spec: ChunkSpec, unroll: Callable) -> CompiledChunk:
    """Build one chunk's units, differentiate L with sympy, lambdify (not cached: each engine
    caches its own).

    ``unroll(graph, P, states, xs, b)`` adds sequence b's units to ``graph``: P the parameter
    symbols (U (G·H, D), W (G·H, H), V (K, H), b (G·H, 1), c (K, 1), G gates), ``states`` one
    (H, 1) column per state the cell carries, ``xs`` the T input columns (D, 1). It returns the
    T logit columns (K, 1) and, per state, the H units of its value after the last step.
    """
    G = GATE_COUNT[spec.cell]
    shapes = {"U": (G * spec.H, spec.D), "W": (G * spec.H, spec.H), "V": (spec.K, spec.H),
              "b": (G * spec.H, 1), "c": (spec.K, 1)}
    P = {key: plain_symbols(key, *shape) for key, shape in shapes.items()}
    params = [s for key in PARAM_KEYS for s in P[key]]
    columns, state_syms, wrt = [], [], list(params)
    for name, kind in zip(STATE_NAMES, spec.states):
        cols, syms = _state_columns(name, kind, spec.H, spec.B)
        columns.append(cols)
        state_syms += syms
        wrt += [] if kind == "carried" else syms
    graph = Graph(spec.activation)
    x_syms, outputs, finals = [], [], []
    for b in range(spec.B):
        xs = [plain_symbols(f"x{b}_{t}", spec.D) for t in range(spec.T)]
        x_syms += [s for x in xs for s in x]
        o, last = unroll(graph, P, [cols[b] for cols in columns], xs, b)
        outputs.append(o)
        finals.append(last)
    y_syms, shifts = [], []
    L = sp.S.Zero
    scored = _scored_steps(spec)
    for b in range(spec.B):
        for t in scored:
            target = plain_symbols(f"y{b}_{t}", spec.K)  # for cross_entropy, one-hot
            y_syms += list(target)
            if spec.loss == "mse":
                L += step_loss(outputs[b][t], target, "mse")
            else:  # the shift m is a constant to sympy; its value, max_k o_k, is set in the code
                shift = sp.Symbol(f"m{b}_{t}", real=True)
                shifts.append((shift, sp.Max(*outputs[b][t])))
                L += step_loss(outputs[b][t], target, "cross_entropy", shift)
    o_flat = [o_k for t in range(spec.T) for b in range(spec.B) for o_k in outputs[b][t]]
    last_flat = [u for k in range(len(spec.states)) for b in range(spec.B) for u in finals[b][k]]
    data = params + state_syms + x_syms
    forward = lambdify_steps(data, o_flat + last_flat, graph.forward_steps())
    if not scored:
        return CompiledChunk(forward, None, 0)
    v = [sp.Symbol(f"v__{w.name}", real=True) for w in wrt]
    dL, steps = graph.directional_diff(L, wrt, v)
    fn = lambdify_steps(data + y_syms + v, [L, dL], graph.forward_steps() + shifts + steps)
    return CompiledChunk(forward, fn, len(wrt))


def _run_chunk(call: Call, spec: ChunkSpec, fn: CompiledChunk, start: int, state: tuple):
    """Steps [start, start + T) of ``call`` through ``fn``, from ``state`` (one (B, H) array per
    state). Returns the loss, the flat gradient (n_wrt,) (params, then the initial states unless
    carried; None when nothing is scored) and the final states, a tuple of (B, H)."""
    stop = start + spec.T
    param_vals = [v for key in PARAM_KEYS for v in call.params[key].ravel()]
    state_vals = [v for kind, x in zip(spec.states, state)
                  for v in (x[0] if kind == "shared" else x).ravel()]
    xs = one_hot(call.xs[start:stop], spec.D) if call.token_ids else call.xs[start:stop]
    x_vals = list(xs.transpose(1, 0, 2).ravel())  # sequence-major, as the symbols were made
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is reported just below
        out = np.array(fn.forward(*param_vals, *state_vals, *x_vals), dtype=float)
    n_o, BH = spec.T * spec.B * spec.K, spec.B * spec.H
    check_finite_logits(out[:n_o])  # fail as the numeric path does
    last = tuple(out[n_o + k * BH:n_o + (k + 1) * BH].reshape(spec.B, spec.H)
                 for k in range(len(state)))
    if fn.grads is None:
        return 0.0, None, last
    y = call.targets[start:stop] if call.mode == "many_to_many" else call.targets[None]
    if call.loss == "cross_entropy":
        y = one_hot(y, spec.K)
    y_vals = list(y.transpose(1, 0, 2).ravel())
    # v = e_i gives ∂L/∂θ_i; all n directions at once, as the n entries of numpy arrays.
    # A sigmoid's e^{-a} may overflow to inf for a very negative a, and 1 / (1 + inf) = 0 is
    # right, so that overflow is no error.
    with np.errstate(over="ignore"):
        L, dL = fn.grads(*param_vals, *state_vals, *x_vals, *y_vals, *np.eye(fn.n_wrt))
    return float(L), np.broadcast_to(np.asarray(dL, dtype=float), (fn.n_wrt,)), last


def unflatten(values: np.ndarray, p: dict) -> dict:
    """Split the flat gradient vector into arrays shaped like U, W, V, b, c (row-major)."""
    out, start = {}, 0
    for key in PARAM_KEYS:
        n = p[key].size
        out[key] = values[start:start + n].reshape(p[key].shape)
        start += n
    return out


def chunked_loss_and_grads(call: Call, compile_spec: Callable) -> tuple[float, dict]:
    """The summed loss and its gradients for a checked call, chunk by chunk.

    ``compile_spec(spec)`` -> :class:`CompiledChunk`, an engine's cached compiler. Returns
    (loss, grads): U, W, V, b, c shaped like the parameters, and per initial state ("h0", and
    "s0" for the LSTM) (H,) for one sequence or a shared state, else (B, H).
    """
    p = call.params
    n_params = sum(p[k].size for k in PARAM_KEYS)
    total, flat = 0.0, np.zeros(n_params)
    state = call.state()
    shared = (call.h0_shared, call.s0_shared)[:len(state)]
    d_state = [np.zeros(call.sizes.H if sh else x.shape) for sh, x in zip(shared, state)]
    for i, (start, stop) in enumerate(chunks(call.T, call.truncate)):
        spec = chunk_spec(call, start, stop, first=i == 0)
        L, g, state = _run_chunk(call, spec, compile_spec(spec), start, state)
        if g is not None:
            total += L
            flat += g[:n_params]
            if i == 0:  # the initial states are reached through the first chunk only
                offset = n_params
                for k, d in enumerate(d_state):
                    d_state[k] = g[offset:offset + d.size].reshape(d.shape)
                    offset += d.size
    grads = unflatten(flat, p)
    for name, d in zip(STATE_NAMES, d_state):
        grads[name] = d  # (H,) for one sequence or a shared state, else (B, H)
    return float(total), grads

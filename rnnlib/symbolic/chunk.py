"""One truncation chunk, for every cell: its symbols and compiled functions, and the loop that
feeds them numbers.

A cell carries a tuple of states: (h,) for the plain cell and the GRU, (h, s) for the LSTM. The
cell's unroll (``engine.py`` picks it by cell) builds one sequence's units in a
:class:`~rnnlib.symbolic.graph.Graph`. :func:`build_chunk` makes the symbols, calls the unroll
for every sequence, writes the loss of the scored steps, differentiates it (``graph.py`` says
how) and lambdifies; :func:`chunked_loss_and_grads` runs a checked call chunk by chunk through
a cached compiler.

Truncation (explained here for the package): each chunk of ``truncate`` steps starts from
*fresh* state symbols whose numeric values are the states the previous chunk ended in
(computed by that chunk's compiled forward pass). L of the chunk is differentiated with respect
to the parameters only, so no derivative crosses the boundary — exactly ``h = h.detach()``. In
the first chunk the state symbols are the initial states', and L is differentiated with
respect to them too.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import sympy as sp

from ..core.encoding import one_hot
from ..core.loop import CELLS, STATE_NAMES
from ..core.sequence import chunks
from ..core.validation import GATE_COUNT, PARAM_KEYS, Call, check_finite_logits
from .graph import Graph, lambdify_steps, symbol_matrix
from .model import scored_steps, step_loss


@dataclass(frozen=True)
class ChunkSpec:
    """Everything that changes the *expressions* of one chunk (and so keys the compile cache).

    cell: "rnn", "lstm" or "gru"; activation: the plain cell's f ("tanh" for a gated cell, whose
    nonlinearities are fixed); T steps, B sequences, sizes D, H, K; loss.
    scored: the steps of the chunk (0-based) whose loss counts (:func:`model.scored_steps`;
    empty for a many_to_one chunk before the end).
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
    scored: tuple
    states: tuple


@dataclass
class CompiledChunk:
    """The numpy functions of one chunk. Data are passed as flat positional scalars, one float
    per value, in this order:

    - params: every entry of U, W, V, b, c (that order, each row-major);
    - states: per state in the cell's order (h, then s), H values if shared, else B·H
      (sequence by sequence);
    - xs: B·T·D input values, sequence by sequence, step by step (a token id as its one-hot x_t);
    - ys: B·S·K target values for the S scored steps, in the same order (a class id one-hot).

    forward(params, states, xs) -> a list of T·B·K logits (step by step, sequence by sequence),
    then each final state (B·H values each: h_T, and s_T for the LSTM).
    grads(params, states, xs, ys, v) -> [L, Σ_i ∂L/∂θ_i v_i], θ = params (+ the states unless
    they are carried), where v is n_wrt more arguments v_1..v_n, the directions: passing row i
    of the identity for v_i (each an (n_wrt,) array) makes the second entry the (n_wrt,)
    gradient (graph.py). grads is None when no step of the chunk is scored.
    """

    forward: Callable
    grads: Callable | None
    n_wrt: int


def _shared(call: Call) -> tuple:
    """Per state the cell carries (h, then s for the LSTM): True when one (H,) state is shared
    by the batch (``Call.h0_shared``, ``Call.s0_shared``)."""
    return (call.h0_shared, call.s0_shared)[:len(call.state())]


def chunk_spec(call: Call, start: int, stop: int, first: bool) -> ChunkSpec:
    """The spec of steps [start, stop) of a checked call; ``first``: the chunk starting at 0."""
    scored = tuple(scored_steps(stop - start, call.mode, holds_last=stop == call.T))
    states = tuple(("shared" if sh else "per_sequence") if first else "carried"
                   for sh in _shared(call))
    s = call.sizes
    return ChunkSpec(call.cell, stop - start, call.B, s.D, s.H, s.K, call.activation, call.loss,
                     scored, states)


def _state_columns(name: str, kind: str, H: int, B: int) -> tuple[list, list]:
    """(one (H, 1) column of symbols per sequence, the distinct symbols) of one state."""
    if kind == "shared":  # one column for the batch: sympy sums its gradient over sequences
        col = symbol_matrix(name, H)
        return [col] * B, list(col)
    cols = [symbol_matrix(f"{name}{b}" if kind == "per_sequence" else f"{name}c{b}", H)
            for b in range(B)]
    return cols, [s for col in cols for s in col]


def build_chunk(spec: ChunkSpec, unroll: Callable) -> CompiledChunk:
    """Build one chunk's units, differentiate L with sympy, lambdify (the caller caches).

    ``unroll(graph, P, states, xs, b)`` adds sequence b's units to ``graph``: P the parameter
    symbols (U (G·H, D), W (G·H, H), V (K, H), b (G·H, 1), c (K, 1), G gates), ``states`` one
    (H, 1) column per state the cell carries, ``xs`` the T input columns (D, 1). It returns the
    T logit columns (K, 1) and, per state, the (H, 1) column of its value after the last step.
    """
    G = GATE_COUNT[spec.cell]
    shapes = {"U": (G * spec.H, spec.D), "W": (G * spec.H, spec.H), "V": (spec.K, spec.H),
              "b": (G * spec.H, 1), "c": (spec.K, 1)}
    P = {key: symbol_matrix(key, *shape) for key, shape in shapes.items()}
    params = [s for key in PARAM_KEYS for s in P[key]]
    columns, state_syms, wrt = [], [], list(params)
    for name, kind in zip(STATE_NAMES, spec.states):
        cols, syms = _state_columns(name, kind, spec.H, spec.B)
        columns.append(cols)
        state_syms += syms
        wrt += [] if kind == "carried" else syms
    graph = Graph()
    x_syms, outputs, finals = [], [], []
    for b in range(spec.B):
        xs = [symbol_matrix(f"x{b}_{t}", spec.D) for t in range(spec.T)]
        x_syms += [s for x in xs for s in x]
        o, last = unroll(graph, P, [cols[b] for cols in columns], xs, b)
        outputs.append(o)
        finals.append(last)
    y_syms, shifts, loss_steps, step_losses = [], [], [], []
    L = sp.S.Zero                          # what sympy differentiates: one sum
    for b in range(spec.B):
        for t in spec.scored:
            target = symbol_matrix(f"y{b}_{t}", spec.K)  # for cross_entropy, one-hot
            y_syms += list(target)
            shift = sp.S.Zero
            if spec.loss == "cross_entropy":  # m, a constant to sympy (model.step_loss)
                shift = sp.Symbol(f"m{b}_{t}", real=True)
                shifts.append((shift, sp.Max(*outputs[b][t])))
            loss = step_loss(outputs[b][t], target, spec.loss, shift)
            L += loss
            # L's *value* is summed step by step instead, each step as (m - Σ_k y_k o_k) +
            # log Σ_k e^{o_k - m}: m - o_y is exact (0 when y is the largest logit), so a loss
            # small next to the logits keeps its digits. In the one flat sum L the m's and o's
            # of every step would be added first and cancel only at the end, after the small
            # logs were rounded. (What remains is the numeric path's limit too: the log is
            # log(1 + x), x the other classes' share, so about 1e-16 / x relative.)
            rest, logs = loss.as_independent(sp.log, as_Add=True)
            r, ell = sp.Symbol(f"r{b}_{t}", real=True), sp.Symbol(f"l{b}_{t}", real=True)
            loss_steps += [(r, rest), (ell, r + logs)]
            step_losses.append(ell)
    o_flat = [o_k for t in range(spec.T) for b in range(spec.B) for o_k in outputs[b][t]]
    last_flat = [u for k in range(len(spec.states)) for b in range(spec.B) for u in finals[b][k]]
    data = params + state_syms + x_syms
    forward = lambdify_steps(data, o_flat + last_flat, graph.forward_steps())
    if not spec.scored:
        return CompiledChunk(forward, None, 0)
    v = [sp.Symbol(f"v__{w.name}", real=True) for w in wrt]
    dL, steps = graph.directional_diff(L, wrt, v)
    fn = lambdify_steps(data + y_syms + v, [sp.Add(*step_losses), dL],
                        graph.forward_steps() + shifts + loss_steps + steps)
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
    # The directions v_i: row i of the identity, all n at once (graph.py). A sigmoid's slope
    # σ(a) / (1 + e^a) overflows e^a to inf for a > 709.8, and 1 / (1 + inf) = 0 is the right
    # slope there, so that overflow is no error (model.stable_sigmoid).
    with np.errstate(over="ignore"):
        L, dL = fn.grads(*param_vals, *state_vals, *x_vals, *y_vals, *np.eye(fn.n_wrt))
    grad = np.zeros(fn.n_wrt)   # a fresh, writable (n_wrt,) array, even if dL is a scalar 0
    grad += dL
    return float(L), grad, last


def unflatten(values: np.ndarray, p: dict) -> dict:
    """Split the flat gradient vector into arrays shaped like U, W, V, b, c (row-major)."""
    out, start = {}, 0
    for key in PARAM_KEYS:
        n = p[key].size
        out[key] = values[start:start + n].reshape(p[key].shape)
        start += n
    return out


def chunked_loss_and_grads(call: Call, compiled: Callable) -> tuple[float, dict]:
    """The summed loss and its gradients for a checked, scored call, chunk by chunk.

    ``compiled(spec)`` -> :class:`CompiledChunk`, the cached compiler. Returns (loss, grads):
    U, W, V, b, c shaped like the parameters, and per initial state ("h0", and "s0" for the
    LSTM) (H,) for one sequence or a shared state, else (B, H); the keys in the numeric path's
    order (the cell's ``GRAD_KEYS``).
    """
    p = call.params
    n_params = sum(p[k].size for k in PARAM_KEYS)
    total, flat = 0.0, np.zeros(n_params)
    state = call.state()
    d_state = [np.zeros(call.sizes.H if sh else x.shape) for sh, x in zip(_shared(call), state)]
    for i, (start, stop) in enumerate(chunks(call.T, call.truncate)):
        spec = chunk_spec(call, start, stop, first=i == 0)
        L, g, state = _run_chunk(call, spec, compiled(spec), start, state)
        if g is not None:
            total += L
            flat += g[:n_params]
            if i == 0:  # the initial states are reached through the first chunk only
                offset = n_params
                for k, d in enumerate(d_state):
                    d_state[k] = g[offset:offset + d.size].reshape(d.shape)
                    offset += d.size
    grads = unflatten(flat, p) | dict(zip(STATE_NAMES, d_state))
    return float(total), {key: grads[key] for key in CELLS[call.cell].GRAD_KEYS}

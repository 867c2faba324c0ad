"""``loss_and_grads`` again, with every derivative taken by ``sympy.diff``.

The numeric path (``rnnlib.bptt``) runs the backward recursion written by hand. Here nothing
is written by hand: the unrolled network is built as one sympy expression L in a symbol for
every entry of U, W, V, b, c and h0, and ``sympy.diff(L, θ)`` gives each gradient entry.
``lambdify`` turns the derivatives into numpy code. Agreement between the two paths is the
check that the hand-derived BPTT is right.

Deriving is slow (about a second for T = 3, D = H = K = 3, B = 2), so the compiled functions
are cached per sizes and options; a repeated call only evaluates them.

Truncation: each chunk of ``truncate`` steps starts from *fresh* state symbols s whose
numeric value is the state the previous chunk ended in. L of the chunk is differentiated with
respect to the parameters only, so no derivative can flow back across the boundary — exactly
``h = h.detach()``. For the first chunk the state symbols are h0's, and L is differentiated
with respect to them too.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import numpy as np
import sympy as sp

from ..bptt import chunks
from ..validation import PARAM_KEYS, Call, check_call, check_finite_logits
from .model import matrix_symbols, run, step_loss, vector_symbols


@dataclass(frozen=True)
class ChunkSpec:
    """Everything that changes the *expressions* of one chunk (and so keys the cache).

    ids: token ids (T, B) as nested tuples, or None for float inputs (then x is symbols).
    classes: cross-entropy class ids per scored step (n_scored, B), or None for mse.
    scored: "all" steps, only the "last", or "none" (a many_to_one chunk before the end).
    state: "shared" h0 (H,), "per_sequence" h0 (B, H), or "carried" (fresh, not differentiated).
    """

    T: int
    B: int
    D: int
    H: int
    K: int
    activation: str
    loss: str
    scored: str
    state: str
    ids: tuple | None
    classes: tuple | None


@dataclass
class CompiledChunk:
    """Numpy functions of one chunk; argument order: params, state, x, then y, shift."""

    forward: Callable    # -> o (T*B*K values, t-major) + h_T (B*H values)
    grads: Callable | None   # -> [L, ∂L/∂θ for θ in params (+ state unless carried)]
    n_wrt: int


def _param_symbols(D: int, H: int, K: int) -> dict:
    return {"U": matrix_symbols("U", H, D), "W": matrix_symbols("W", H, H),
            "V": matrix_symbols("V", K, H), "b": vector_symbols("b", H),
            "c": vector_symbols("c", K)}


def _state_symbols(spec: ChunkSpec) -> tuple[list, list]:
    """(one (H, 1) state column per sequence, the distinct state symbols)."""
    if spec.state == "shared":  # one h0 for the batch: sympy sums its gradient over sequences
        h0 = vector_symbols("h^{(0)}", spec.H)
        return [h0] * spec.B, list(h0)
    name = "h^{(0)}" if spec.state == "per_sequence" else "s"
    cols = [vector_symbols(f"{name}[{b + 1}]", spec.H) for b in range(spec.B)]
    return cols, [s for col in cols for s in col]


def _scored_steps(spec: ChunkSpec) -> list:
    return {"all": list(range(spec.T)), "last": [spec.T - 1], "none": []}[spec.scored]


@lru_cache(maxsize=256)
def compile_chunk(spec: ChunkSpec) -> CompiledChunk:
    """Build the chunk's expressions, differentiate L with sympy, lambdify (cached)."""
    P = _param_symbols(spec.D, spec.H, spec.K)
    params = [s for key in PARAM_KEYS for s in P[key]]
    states, state_syms = _state_symbols(spec)
    x_syms, y_syms, shift_syms, outputs, last = [], [], [], [], []
    L = sp.S.Zero
    scored = _scored_steps(spec)
    for b in range(spec.B):
        if spec.ids is None:
            xs = [vector_symbols(f"x^{{({t + 1})}}[{b + 1}]", spec.D) for t in range(spec.T)]
            x_syms += [s for x in xs for s in x]
            ux = [P["U"] * x for x in xs]
        else:  # U times a one-hot x_t is column x_t of U
            ux = [P["U"][:, spec.ids[t][b]] for t in range(spec.T)]
        _, h, o = run(P["U"], P["W"], P["V"], P["b"], P["c"], ux, states[b], spec.activation)
        outputs.append(o)
        last += list(h[-1])
        for n, t in enumerate(scored):
            if spec.loss == "mse":
                target = vector_symbols(f"y^{{({t + 1})}}[{b + 1}]", spec.K)
                y_syms += list(target)
                L += step_loss(o[t], target, "mse")
            else:
                shift = sp.Symbol(f"m^{{({t + 1})}}[{b + 1}]", real=True)
                shift_syms.append(shift)
                L += step_loss(o[t], spec.classes[n][b], "cross_entropy", shift)
    o_flat = [o_k for t in range(spec.T) for b in range(spec.B) for o_k in outputs[b][t]]
    forward = sp.lambdify(params + state_syms + x_syms, o_flat + last, "numpy", cse=True)
    if not scored:
        return CompiledChunk(forward, None, 0)
    wrt = params + (state_syms if spec.state != "carried" else [])
    exprs = [L] + [sp.diff(L, s) for s in wrt]
    grads = sp.lambdify(params + state_syms + x_syms + y_syms + shift_syms, exprs, "numpy",
                        cse=True)
    return CompiledChunk(forward, grads, len(wrt))


def _unflatten(values: np.ndarray, p: dict) -> dict:
    """Split the flat gradient vector into arrays shaped like U, W, V, b, c (row-major)."""
    out, start = {}, 0
    for key in PARAM_KEYS:
        n = p[key].size
        out[key] = values[start:start + n].reshape(p[key].shape)
        start += n
    return out


def _spec(call: Call, start: int, stop: int, first: bool) -> ChunkSpec:
    many = call.mode == "many_to_many"
    scored = "all" if many else ("last" if stop == call.T else "none")
    if first:
        state = "shared" if call.h0_shared else "per_sequence"
    else:
        state = "carried"
    ids = tuple(map(tuple, call.xs[start:stop].tolist())) if call.token_ids else None
    classes = None
    if call.loss == "cross_entropy" and scored != "none":
        y = call.targets[start:stop] if many else call.targets[None]
        classes = tuple(map(tuple, y.tolist()))
    s = call.sizes
    return ChunkSpec(stop - start, call.B, s.D, s.H, s.K, call.activation, call.loss, scored,
                     state, ids, classes)


def _chunk(call: Call, start: int, stop: int, state: np.ndarray, first: bool):
    """Loss, flat gradient (params [+ state]) and final state (B, H) of one chunk."""
    spec = _spec(call, start, stop, first)
    fn = compile_chunk(spec)
    param_vals = [v for key in PARAM_KEYS for v in call.params[key].ravel()]
    state_vals = list((state[0] if spec.state == "shared" else state).ravel())
    x_vals = [] if call.token_ids else list(call.xs[start:stop].transpose(1, 0, 2).ravel())
    out = np.array(fn.forward(*param_vals, *state_vals, *x_vals), dtype=float)
    n_o = spec.T * spec.B * spec.K
    o = out[:n_o].reshape(spec.T, spec.B, spec.K)
    check_finite_logits(o)  # fail as the numeric path does
    h_last = out[n_o:].reshape(spec.B, spec.H)
    if fn.grads is None:
        return 0.0, None, h_last
    steps = _scored_steps(spec)
    y_vals, shift_vals = [], []
    if call.loss == "mse":  # ordered sequence-major, then step, then k, as the symbols were
        y = call.targets[start:stop] if call.mode == "many_to_many" else call.targets[None]
        y_vals = list(y.transpose(1, 0, 2).ravel())
    else:
        shift_vals = list(o[steps].max(axis=-1).T.ravel())
    res = fn.grads(*param_vals, *state_vals, *x_vals, *y_vals, *shift_vals)
    res = np.array([float(r) for r in res])
    return res[0], res[1:], h_last


def loss_and_grads(params: dict, xs, targets, *, h0=None, activation: str = "tanh",
                   loss: str = "cross_entropy", mode: str = "many_to_many",
                   truncate: int | None = None) -> tuple[float, dict]:
    """The summed loss and its gradient for every parameter, derived by ``sympy.diff``.

    Same arguments, checks and result as :func:`rnnlib.loss_and_grads`:
    params U (H, D), W (H, H), V (K, H), b (H,), c (K,); xs floats (T, D) / (T, B, D) or ids
    (T,) / (T, B); targets ids (T,) / (T, B) or floats (T, K) / (T, B, K), time axis dropped for
    many_to_one; h0 (H,) / (B, H) / None. Returns (loss, grads) with grads U, W, V, b, c shaped
    like the parameters and "h0" (H,), or (B, H) when a per-sequence h0 was given.
    Meant for small sizes (T, D, H, K ≤ 3, B ≤ 2 run in seconds); cost grows fast beyond.
    """
    call = check_call(params, xs, h0=h0, activation=activation, targets=targets, loss=loss,
                      mode=mode, truncate=truncate)
    p = call.params
    n_params = sum(p[k].size for k in PARAM_KEYS)
    total, flat = 0.0, np.zeros(n_params)
    dh0 = np.zeros(call.sizes.H if call.h0_shared else call.h0.shape)
    state = call.h0
    for i, (start, stop) in enumerate(chunks(call.T, call.truncate)):
        L, g, state = _chunk(call, start, stop, state, first=i == 0)
        if g is not None:
            total += L
            flat += g[:n_params]
            if i == 0:  # h0 is reached through the first chunk only
                dh0 = g[n_params:].reshape(dh0.shape)
    grads = _unflatten(flat, p)
    grads["h0"] = dh0  # (H,) for one sequence or a shared h0, else (B, H)
    return float(total), grads

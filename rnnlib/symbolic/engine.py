"""``loss_and_grads`` again, with every derivative taken by ``sympy.diff``.

The numeric path (``rnnlib.core.bptt``) runs a backward recursion written by hand. Here nothing is
written by hand: the unrolled network is built in sympy, with a symbol for every entry of U, W,
V, b, c and h0; sympy differentiates the loss; ``lambdify`` turns the result into numpy code.
Agreement of the two paths is the check that the hand-derived BPTT is right.

How sympy is asked (see ``graph.py``): one ``sympy.diff`` of L(θ + ε v) by ε gives the
directional derivative Σ_i ∂L/∂θ_i v_i; evaluated with v = e_1, ..., e_n (all at once, as
numpy arrays) it is the gradient. Hidden units stay unevaluated functions h(ε) whose derivatives are
``sympy.diff`` of their definitions, so each is derived once. Deriving takes about a second
for T = 3, D = H = K = 3, B = 2, and the compiled functions are cached per sizes and options,
so later calls — with any numbers — only evaluate.

Data enter as numbers fed to symbols, so one derivation serves every data set: float inputs
x_t directly; a token id as its one-hot x_t (U x_t is then column x_t of U, and ∂L/∂U lands
in that column only); a class id y_t as its one-hot y_t, with cross-entropy written
log Σ_k e^{o_k} - Σ_k y_k o_k, which is -log softmax(o)[y_t].

Cross-entropy is written log Σ_k e^{o_k} = m + log Σ_k e^{o_k - m} with m a symbol: true for
any m, so the derivative does not depend on it; the generated code sets m = max_k o_k, as the
numeric path does, so no exponential overflows.

Truncation: each chunk of ``truncate`` steps starts from *fresh* state symbols s whose numeric
value is the state the previous chunk ended in (computed by the previous chunk's compiled
forward pass). L of the chunk is differentiated with respect to the parameters only, so no
derivative crosses the boundary — exactly ``h = h.detach()``. In the first chunk the state
symbols are h0's, and L is differentiated with respect to them too.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import sympy as sp

from ..core.encoding import one_hot
from ..core.sequence import chunks
from ..core.validation import PARAM_KEYS, Call, check_call, check_finite_logits
from . import gated
from .graph import CompiledChunk, Graph, lambdify_steps, plain_symbols, unflatten
from .model import step_loss


@dataclass(frozen=True)
class ChunkSpec:
    """Everything that changes the *expressions* of one chunk (and so keys the cache).

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


def _param_symbols(D: int, H: int, K: int) -> dict:
    shapes = {"U": (H, D), "W": (H, H), "V": (K, H), "b": (H, 1), "c": (K, 1)}
    return {key: plain_symbols(key, *shape) for key, shape in shapes.items()}


def _state_symbols(spec: ChunkSpec) -> tuple[list, list]:
    """(one (H, 1) state column per sequence, the distinct state symbols)."""
    if spec.state == "shared":  # one h0 for the batch: sympy sums its gradient over sequences
        h0 = plain_symbols("h0", spec.H)
        return [h0] * spec.B, list(h0)
    name = "h0" if spec.state == "per_sequence" else "s"
    cols = [plain_symbols(f"{name}{b}", spec.H) for b in range(spec.B)]
    return cols, [s for col in cols for s in col]


def _scored_steps(spec: ChunkSpec) -> list:
    return {"all": list(range(spec.T)), "last": [spec.T - 1], "none": []}[spec.scored]


@lru_cache(maxsize=256)
def compile_chunk(spec: ChunkSpec) -> CompiledChunk:
    """Build the chunk's expressions, differentiate L with sympy, lambdify (cached)."""
    P = _param_symbols(spec.D, spec.H, spec.K)
    params = [s for key in PARAM_KEYS for s in P[key]]
    states, state_syms = _state_symbols(spec)
    wrt = params + (state_syms if spec.state != "carried" else [])
    graph = Graph(spec.activation)
    x_syms, y_syms, shifts, outputs, last = [], [], [], [], []
    L = sp.S.Zero
    scored = _scored_steps(spec)
    for b in range(spec.B):
        xs = [plain_symbols(f"x{b}_{t}", spec.D) for t in range(spec.T)]
        x_syms += [s for x in xs for s in x]
        h_last, o = graph.run(P, [P["U"] * x for x in xs], states[b], tag=str(b))
        outputs.append(o)
        last += h_last
        for t in scored:
            target = plain_symbols(f"y{b}_{t}", spec.K)  # for cross_entropy, one-hot
            y_syms += list(target)
            if spec.loss == "mse":
                L += step_loss(o[t], target, "mse")
            else:  # the shift m is a constant to sympy; its value, max_k o_k, is set in the code
                shift = sp.Symbol(f"m{b}_{t}", real=True)
                shifts.append((shift, sp.Max(*o[t])))
                L += step_loss(o[t], target, "cross_entropy", shift)
    o_flat = [o_k for t in range(spec.T) for b in range(spec.B) for o_k in outputs[b][t]]
    data = params + state_syms + x_syms
    forward = lambdify_steps(data, o_flat + last, graph.forward_steps())
    if not scored:
        return CompiledChunk(forward, None, 0)
    v = [sp.Symbol(f"v__{s.name}", real=True) for s in wrt]
    dL, steps = graph.directional_diff(L, wrt, v)
    fn = lambdify_steps(data + y_syms + v, [L, dL], graph.forward_steps() + shifts + steps)
    return CompiledChunk(forward, fn, len(wrt))


def _spec(call: Call, start: int, stop: int, first: bool) -> ChunkSpec:
    many = call.mode == "many_to_many"
    scored = "all" if many else ("last" if stop == call.T else "none")
    if first:
        state = "shared" if call.h0_shared else "per_sequence"
    else:
        state = "carried"
    s = call.sizes
    return ChunkSpec(stop - start, call.B, s.D, s.H, s.K, call.activation, call.loss, scored,
                     state)


def _chunk(call: Call, start: int, stop: int, state: np.ndarray, first: bool):
    """Loss, flat gradient (params [+ state]) and final state (B, H) of one chunk."""
    spec = _spec(call, start, stop, first)
    fn = compile_chunk(spec)
    param_vals = [v for key in PARAM_KEYS for v in call.params[key].ravel()]
    state_vals = list((state[0] if spec.state == "shared" else state).ravel())
    xs = one_hot(call.xs[start:stop], spec.D) if call.token_ids else call.xs[start:stop]
    x_vals = list(xs.transpose(1, 0, 2).ravel())  # sequence-major, as the symbols were made
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is reported just below
        out = np.array(fn.forward(*param_vals, *state_vals, *x_vals), dtype=float)
    n_o = spec.T * spec.B * spec.K
    o = out[:n_o].reshape(spec.T, spec.B, spec.K)
    check_finite_logits(o)  # fail as the numeric path does
    h_last = out[n_o:].reshape(spec.B, spec.H)
    if fn.grads is None:
        return 0.0, None, h_last
    y = call.targets[start:stop] if call.mode == "many_to_many" else call.targets[None]
    if call.loss == "cross_entropy":
        y = one_hot(y, spec.K)
    y_vals = list(y.transpose(1, 0, 2).ravel())
    # v = e_i gives ∂L/∂θ_i; all n directions at once, as the n entries of numpy arrays
    L, dL = fn.grads(*param_vals, *state_vals, *x_vals, *y_vals, *np.eye(fn.n_wrt))
    return float(L), np.broadcast_to(np.asarray(dL, dtype=float), (fn.n_wrt,)), h_last


def loss_and_grads(params: dict, xs, targets, *, h0=None, activation: str = "tanh",
                   loss: str = "cross_entropy", mode: str = "many_to_many",
                   truncate: int | None = None, s0=None, cell: str = "rnn") -> tuple[float, dict]:
    """The summed loss and its gradient for every parameter, derived by ``sympy.diff``.

    Same arguments, checks and result as :func:`rnnlib.loss_and_grads`:
    params U (H, D), W (H, H), V (K, H), b (H,), c (K,); xs floats (T, D) / (T, B, D) or ids
    (T,) / (T, B); targets ids (T,) / (T, B) or floats (T, K) / (T, B, K), time axis dropped for
    many_to_one; h0 (H,) / (B, H) / None. Returns (loss, grads) with grads U, W, V, b, c shaped
    like the parameters and "h0" (H,) for one sequence or a shared (H,) h0, else (B, H) (a
    per-sequence h0, or h0=None on a batch).
    Meant for small sizes (T, D, H, K ≤ 3, B ≤ 2 run in seconds); cost grows fast beyond.
    cell="lstm"/"gru": the gated cells, derived in ``rnnlib.symbolic.gated``.
    """
    if cell != "rnn" or s0 is not None:
        return gated.loss_and_grads(params, xs, targets, h0=h0, s0=s0, cell=cell,
                                    activation=activation, loss=loss, mode=mode, truncate=truncate)
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
    grads = unflatten(flat, p)
    grads["h0"] = dh0  # (H,) for one sequence or a shared h0, else (B, H)
    return float(total), grads

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

Truncation: each chunk of ``truncate`` steps starts from *fresh* state symbols holding the state
the previous chunk ended in, and L is not differentiated with respect to them — exactly
``h = h.detach()``.

What does not depend on the cell — the symbols, the loss, the compiled functions, feeding them
numbers, the loop over chunks — is written once, in ``chunk.py``, for this engine and
``gated.py``. This module holds the plain cell's step equations (``model.run``, through
``Graph.run``), its cache of compiled chunks and its call check.
"""
from __future__ import annotations

from functools import lru_cache

from ..core.validation import check_call
from . import gated
from .chunk import ChunkSpec, CompiledChunk, build_chunk, chunked_loss_and_grads
from .graph import Graph


def _unroll(graph: Graph, P: dict, states: list, xs: list, b: int) -> tuple[list, tuple]:
    """Sequence b of the plain cell as units: ``states`` [h0 (H, 1)], ``xs`` T columns (D, 1).
    Returns the T logit columns (K, 1) and ([the H units of h_T],)."""
    h_last, o = graph.run(P, [P["U"] * x for x in xs], states[0], tag=str(b))
    return o, (h_last,)


@lru_cache(maxsize=256)
def compile_chunk(spec: ChunkSpec) -> CompiledChunk:
    """One chunk of the plain cell: units, sympy's derivative, numpy code (cached per spec)."""
    return build_chunk(spec, _unroll)


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
    return chunked_loss_and_grads(call, compile_chunk)

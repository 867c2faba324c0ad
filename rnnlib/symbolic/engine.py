"""``loss_and_grads`` again, for every cell, with every derivative taken by ``sympy.diff``.

The numeric path (``rnnlib.core.bptt``) runs a backward recursion written by hand. Here nothing is
written by hand: the unrolled network is built in sympy, with a symbol for every entry of U, W,
V, b, c and the initial states; sympy differentiates the loss; ``lambdify`` turns the result
into numpy code. Agreement of the two paths is the check that the hand-derived BPTT is right.

Where each part is written (and explained, once):

- ``model.py``: the plain cell's steps, the output layer, the loss of a step (with the shift
  that keeps cross-entropy from overflowing), the activations; ``gated.py``: the LSTM's and the
  GRU's steps.
- ``graph.py``: how sympy is asked — each unit a symbol whose derivative is derived once, and
  one directional derivative that numpy evaluates in every direction at once.
- ``chunk.py``: the symbols of one truncation chunk, its loss, the compiled functions, feeding
  them numbers, and truncation.
- here: the call check, the unroll of each cell, and the one cache of compiled chunks.

Data enter as numbers fed to symbols, so one derivation serves every data set: float inputs
x_t directly; a token id as its one-hot x_t (U x_t is then column x_t of U, and ∂L/∂U lands
in that column only); a class id y_t as its one-hot y_t (``model.step_loss``).
"""
from __future__ import annotations

from functools import lru_cache, partial
from typing import Callable

from ..core.validation import check_cell_call, require_targets
from . import gated
from .chunk import ChunkSpec, CompiledChunk, build_chunk, chunked_loss_and_grads
from .graph import Graph
from .model import STABLE_ACTIVATION_EXPRS, run


def _plain_unroll(graph: Graph, P: dict, states: list, xs: list, b: int, *,
                  activation: str) -> tuple[list, tuple]:
    """Sequence b of the plain cell as units (``model.run``, each h_t and o_t a column of
    units): ``states`` [h0 (H, 1)], ``xs`` T columns (D, 1). Returns the T logit columns
    (K, 1) and (h_T (H, 1),)."""
    _, h, o = run(P, [P["U"] * x for x in xs], states[0], STABLE_ACTIVATION_EXPRS[activation],
                  name=lambda kind, t, m: graph.column(kind, (b, t), m))
    return o, (h[-1],)


def _unroll(spec: ChunkSpec) -> Callable:
    """The unroll of ``spec.cell``, as :func:`~rnnlib.symbolic.chunk.build_chunk` calls it."""
    if spec.cell == "rnn":
        return partial(_plain_unroll, activation=spec.activation)
    return partial(gated.unroll, cell=spec.cell)


# One entry per ChunkSpec (cell, sizes, options, and the chunk's kind: a truncated call needs
# up to three, the first, a middle and the last chunk). The bound only keeps a long session of
# varied calls from holding every compiled function: the two symbolic test files compile about
# 80 specs, a chapter a handful.
@lru_cache(maxsize=256)
def compiled_chunk(spec: ChunkSpec) -> CompiledChunk:
    """One chunk of any cell: units, sympy's derivative, numpy code (cached per spec)."""
    return build_chunk(spec, _unroll(spec))


def loss_and_grads(params: dict, xs, targets, *, h0=None, activation: str = "tanh",
                   loss: str = "cross_entropy", mode: str = "many_to_many",
                   truncate: int | None = None, s0=None, cell: str = "rnn") -> tuple[float, dict]:
    """The summed loss and its gradient for every parameter, derived by ``sympy.diff``.

    Same arguments, checks and result as :func:`rnnlib.loss_and_grads` (keys in the same order):
    params U (G·H, D), W (G·H, H), V (K, H), b (G·H,), c (K,), with G = 1, or 4 / 3 stacked
    gates for cell="lstm" / "gru"; xs floats (T, D) / (T, B, D) or ids (T,) / (T, B); targets
    ids (T,) / (T, B) or floats (T, K) / (T, B, K), time axis dropped for many_to_one; h0
    (H,) / (B, H) / None; s0 (the LSTM's initial cell state only) shaped as h0. Returns (loss,
    grads) with grads U, W, V, b, c shaped like the parameters and "h0" (and "s0" for the LSTM)
    (H,) for one sequence or a shared (H,) state, else (B, H) (a per-sequence state, or None
    on a batch).

    Meant for small sizes. The first call for given sizes and options derives and compiles
    (then cached: a repeat call with any numbers takes milliseconds); that cost grows roughly
    linearly in T. Measured (CPU time, D = K = 3): the plain cell with H = 3, T = 10, one
    sequence 0.9 s; with B = 2 and H = 3 the GRU at T = 3 1.1 s, the LSTM at T = 3 2.7 s and at
    T = 6 4.1 s, and the LSTM with H = 4 at T = 8 11 s.
    """
    call = require_targets(check_cell_call(params, xs, cell=cell, h0=h0, s0=s0,
                                           activation=activation, targets=targets, loss=loss,
                                           mode=mode, truncate=truncate))
    return chunked_loss_and_grads(call, compiled_chunk)

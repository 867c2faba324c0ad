"""Backpropagation through time, fast: the numbers of ``rnnlib.reference``, for whole batches,
any cell (the loop is ``loop.bptt_checked``; each cell's step backward is its ``backward``).

:mod:`rnnlib.core.reference` is the algorithm as a student reads it (one sequence, column
vectors, a loop backward with dh_next). The cells and the loop compute the same numbers — the
tests hold them equal over every option — in the batched, row-major layout numpy is fast in,
and with the tricks that speed needs (each is commented where it is used).

The backward recursion (Goodfellow et al., eq. 10.18-10.21, in the book's notation):

    ∂L/∂o_t = ŷ_t - onehot(y_t)                      (or o_t - y_t for mse)
    ∂L/∂h_t = Vᵀ ∂L/∂o_t  +  Wᵀ ∂L/∂a_{t+1}          (output at t, and the step after)
    ∂L/∂a_t = ∂L/∂h_t ⊙ f'(a_t)

and each parameter's gradient is a sum over time of one outer product per step:
∂L/∂V = Σ_t ∂L/∂o_t h_tᵀ, ∂L/∂W = Σ_t ∂L/∂a_t h_{t-1}ᵀ, ∂L/∂U = Σ_t ∂L/∂a_t x_tᵀ, and the
biases sum ∂L/∂o_t and ∂L/∂a_t. Only the ∂L/∂h recursion is sequential (``rnn.backward``);
every sum over time is one matrix product over all T·B rows.
"""
from __future__ import annotations

import numpy as np

from .loop import STATE_NAMES, bptt_checked, unbatch
from .rnn import SLOPE_BLOCK, RNNCache, backward
from .sequence import input_grads
from .validation import check_cell_call, require_targets

__all__ = ["SLOPE_BLOCK", "bptt_checked", "loss_and_grads", "loss_grads_state",
           "recurrence_backward"]


def recurrence_backward(W: np.ndarray, xs: np.ndarray, token_ids: bool, D: int, hs: np.ndarray,
                        da: np.ndarray, activation: str) -> dict:
    """BPTT through the plain cell's recurrence alone, given ∂L/∂h_t from above for every t.

    ``da`` (T, B, H) holds, on entry, what reaches each h_t from outside the recurrence (the
    output layer's Vᵀ ∂L/∂o_t, or a layer above); on return it holds ∂L/∂a_t, computed in
    place. xs (T, B, D) or (T, B) ids; hs (T+1, B, H) the states h_0..h_T. Returns the
    gradients of U (H, D), W (H, H), b (H,) and "h0" (B, H): ∂L/∂h_0.
    """
    _, dW, (dh0,) = backward({"W": W}, RNNCache(None, hs, activation), da)   # da in place
    dU, db = input_grads(xs, token_ids, D, da)
    return {"U": dU, "W": dW, "b": db, "h0": dh0}


def loss_and_grads(params: dict, xs, targets, *, h0=None, activation: str = "tanh",
                   loss: str = "cross_entropy", mode: str = "many_to_many",
                   truncate: int | None = None, s0=None, cell: str = "rnn") -> tuple[float, dict]:
    """The summed loss and its gradient for every parameter, by BPTT.

    params: U (G·H, D), W (G·H, H), V (K, H), b (G·H,), c (K,) (G = 1, or 4 / 3 stacked gates
        for cell="lstm" / "gru").
    xs: floats (T, D) / (T, B, D) or token ids (T,) / (T, B).
    targets: cross_entropy ids (T,) / (T, B); mse floats (T, K) / (T, B, K); with
        mode="many_to_one" the time axis is dropped (only the last step is scored).
    h0: (H,) or (B, H); None means zeros. truncate: None (full BPTT) or chunk length k >= 1.
    s0: the LSTM's initial cell state, shaped as h0 (only for cell="lstm").
    Returns (loss, grads) with grads keys U, W, V, b, c, h0 (and s0 for the LSTM) shaped like
    the inputs.
    """
    total, grads, _ = loss_grads_state(params, xs, targets, h0=h0, activation=activation,
                                       loss=loss, mode=mode, truncate=truncate, s0=s0, cell=cell)
    return total, grads


def loss_grads_state(params: dict, xs, targets, *, h0=None, activation: str = "tanh",
                     loss: str = "cross_entropy", mode: str = "many_to_many",
                     truncate: int | None = None, s0=None,
                     cell: str = "rnn") -> tuple[float, dict, dict]:
    """:func:`loss_and_grads` and the state the sequence ended in, as keyword arguments for
    the next call: {"h0": h_T} ((H,) or (B, H)), plus "s0": s_T for the LSTM. Truncated BPTT
    across calls (a long text read chunk by chunk) carries it; no gradient crosses."""
    call = require_targets(check_cell_call(params, xs, cell=cell, h0=h0, s0=s0,
                                           activation=activation, targets=targets, loss=loss,
                                           mode=mode, truncate=truncate))
    total, grads, last = bptt_checked(call)
    grads["h0"] = unbatch(grads["h0"], call.h0_shared)
    if call.s0 is None:
        return total, grads, {"h0": last[0] if call.batched else last[0][0]}
    grads["s0"] = unbatch(grads["s0"], call.s0_shared)
    state = {name: (x if call.batched else x[0]) for name, x in zip(STATE_NAMES, last)}
    return total, grads, state

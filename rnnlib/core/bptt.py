"""Backpropagation through time, fast: the numbers of ``rnnlib.reference``, for whole batches.

:mod:`rnnlib.core.reference` is the algorithm as a student reads it (one sequence, column
vectors, a loop backward with dh_next). This module computes the same numbers — the tests hold
them equal over every option — in the batched, row-major layout numpy is fast in, and with
the tricks that speed needs (each is commented where it is used).

The backward recursion (Goodfellow et al., eq. 10.18-10.21, in the book's notation):

    ∂L/∂o_t = ŷ_t - onehot(y_t)                      (or o_t - y_t for mse)
    ∂L/∂h_t = Vᵀ ∂L/∂o_t  +  Wᵀ ∂L/∂a_{t+1}          (output at t, and the step after)
    ∂L/∂a_t = ∂L/∂h_t ⊙ f'(a_t)

and each parameter's gradient is a sum over time of one outer product per step:
∂L/∂V = Σ_t ∂L/∂o_t h_tᵀ, ∂L/∂W = Σ_t ∂L/∂a_t h_{t-1}ᵀ, ∂L/∂U = Σ_t ∂L/∂a_t x_tᵀ, and the
biases sum ∂L/∂o_t and ∂L/∂a_t. Only the ∂L/∂h recursion is sequential; every sum over time
is one matrix product over all T·B rows.
"""
from __future__ import annotations

import numpy as np

from . import gated
from .activations import derivative_from_h
from .forward import forward_checked
from .losses import score
from .sequence import chunks, scatter_rows
from .validation import PARAM_KEYS, Call, Sizes, check_call


SLOPE_BLOCK = 64   # steps whose f'(a_t) recurrence_backward computes together


def recurrence_backward(W: np.ndarray, xs: np.ndarray, token_ids: bool, D: int, hs: np.ndarray,
                        da: np.ndarray, activation: str) -> dict:
    """BPTT through the recurrence alone, given ∂L/∂h_t from above for every t.

    ``da`` (T, B, H) holds, on entry, what reaches each h_t from outside the recurrence (the
    output layer's Vᵀ ∂L/∂o_t, or a layer above); on return it holds ∂L/∂a_t, computed in
    place. xs (T, B, D) or (T, B) ids; hs (T+1, B, H) the states h_0..h_T. Returns the
    gradients of U, W, b and "h0" (B, H): ∂L/∂h_0.
    """
    T, B, H = da.shape
    dh_next = np.zeros((B, H))         # Wᵀ ∂L/∂a_{t+1}: what step t+1 sends back to h_t
    # t = T-1 down to 0, the only sequential part: three small operations a step. f'(a_t) is
    # computed a block of steps at a time, just before the loop needs it: one pass per block
    # rather than one per step, and at long T no (T, B, H) array that has to come back from RAM.
    for stop in range(T, 0, -SLOPE_BLOCK):
        start = max(stop - SLOPE_BLOCK, 0)
        slope = derivative_from_h(hs[start + 1:stop + 1], activation)
        for da_t, slope_t in zip(da[start:stop][::-1], slope[::-1]):
            da_t += dh_next
            da_t *= slope_t
            da_t.dot(W, out=dh_next)   # (∂L/∂a_t)ᵀ W: Wᵀ ∂L/∂a_t, as a row (.dot: see recur)
    # Every sum over time is one product over all T·B rows.
    da2 = da.reshape(T * B, H)
    dW = da2.T @ hs[:-1].reshape(T * B, H)   # step t pairs ∂L/∂a_t with h_{t-1}
    if token_ids:
        dU = scatter_rows(xs.reshape(-1), da2, D).T
    else:
        dU = da2.T @ xs.reshape(T * B, D)
    return {"U": dU, "W": dW, "b": da2.sum(axis=0), "h0": dh_next}


def backward(p: dict, sizes: Sizes, xs: np.ndarray, token_ids: bool, hs: np.ndarray,
             a: np.ndarray, d_o: np.ndarray, activation: str) -> dict:
    """Gradients of one run of steps, batched layout: the output layer, then the recurrence.

    xs (T, B, D) or (T, B) ids; hs (T+1, B, H) the states h_0..h_T (h_0: the state before the
    run); a (T, B, H); d_o = ∂L/∂o (T, B, K). Returns U, W, V, b, c gradients and "h0" of
    shape (B, H). ``a`` is overwritten: ∂L/∂a_t takes a_t's place (f' is read off h, so a is
    not needed, and big fresh arrays cost page faults).
    """
    T, B, H = a.shape
    h2, d_o2 = hs[1:].reshape(T * B, H), d_o.reshape(T * B, sizes.K)
    np.dot(d_o2, p["V"], out=a.reshape(T * B, H))   # Vᵀ ∂L/∂o_t for every t: the output's
    grads = recurrence_backward(p["W"], xs, token_ids, sizes.D, hs, a, activation)  # share
    grads["V"] = d_o2.T @ h2
    grads["c"] = d_o2.sum(axis=0)
    return grads


def bptt_checked(call: Call) -> tuple[float, dict, np.ndarray]:
    """Loss, batched gradients and the final state h_T (B, H) for a checked call.

    With truncation each chunk runs forward from the carried state, is scored, and is
    backpropagated on its own; nothing of an earlier chunk is kept, so memory does not grow
    with T. The state is carried as a plain array: no gradient crosses a chunk boundary.
    """
    p, sizes = call.params, call.sizes
    total, grads = 0.0, None
    h_prev = call.h0
    spans = chunks(call.T, call.truncate)
    for i, (start, stop) in enumerate(spans):
        xs = call.xs[start:stop]
        a, hs, o = forward_checked(call, xs, h_prev)
        targets = call.targets[start:stop] if call.mode == "many_to_many" else call.targets
        # o is not needed after scoring, so ∂L/∂o is written over it (out=o).
        loss, d_o = score(o, targets, call.loss, call.mode, holds_last_step=stop == call.T, out=o)
        total += loss
        if d_o is not None:
            g = backward(p, sizes, xs, call.token_ids, hs, a, d_o, call.activation)
            if grads is None:         # the first scored chunk: its arrays become the sums
                grads = g
                if i > 0:             # h0 is reached through the first chunk only
                    grads["h0"] = np.zeros_like(call.h0)
            else:
                for key in PARAM_KEYS:
                    grads[key] += g[key]
        h_prev = hs[-1].copy()  # a copy, so this chunk's buffers can be freed
    if grads is None:          # defensive: some step is always scored
        grads = {k: np.zeros_like(v) for k, v in p.items()}
        grads["h0"] = np.zeros_like(call.h0)
    return total, grads, h_prev


def unbatch_h0_grad(call: Call, dh0: np.ndarray) -> np.ndarray:
    """∂L/∂h0 in the shape the caller gave h0: (H,) summed over a shared batch, else (B, H)."""
    if not call.batched:
        return dh0[0]
    return dh0.sum(axis=0) if call.h0_shared else dh0


def loss_and_grads(params: dict, xs, targets, *, h0=None, activation: str = "tanh",
                   loss: str = "cross_entropy", mode: str = "many_to_many",
                   truncate: int | None = None, s0=None, cell: str = "rnn") -> tuple[float, dict]:
    """The summed loss and its gradient for every parameter, by BPTT.

    params: U (H, D), W (H, H), V (K, H), b (H,), c (K,) (gated cells: G·H rows in U, W, b).
    xs: floats (T, D) / (T, B, D) or token ids (T,) / (T, B).
    targets: cross_entropy ids (T,) / (T, B); mse floats (T, K) / (T, B, K); with
        mode="many_to_one" the time axis is dropped (only the last step is scored).
    h0: (H,) or (B, H); None means zeros. truncate: None (full BPTT) or chunk length k >= 1.
    Returns (loss, grads) with grads keys U, W, V, b, c, h0 shaped like the inputs.
    cell: "rnn" (this model), "lstm" or "gru" (rnnlib.core.gated; the LSTM adds s0, grads["s0"]).
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
    if cell != "rnn" or s0 is not None:
        return gated.loss_grads_state(params, xs, targets, h0=h0, s0=s0, cell=cell,
                                      activation=activation, loss=loss, mode=mode,
                                      truncate=truncate)
    call = check_call(params, xs, h0=h0, activation=activation, targets=targets, loss=loss,
                      mode=mode, truncate=truncate)
    total, grads, h_last = bptt_checked(call)
    grads["h0"] = unbatch_h0_grad(call, grads["h0"])
    return total, grads, {"h0": h_last if call.batched else h_last[0]}

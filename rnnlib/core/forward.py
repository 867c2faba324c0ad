"""The forward pass, fast: the numbers of ``rnnlib.reference.rnn_forward``, for whole batches.

    a_t = b + W h_{t-1} + U x_t        h_t = f(a_t)        o_t = c + V h_t

Only the recurrence W h_{t-1} is sequential. The input term U x_t for every t, and the output
layer for every t, are each one large matrix product over all T·B rows at once.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import gated
from .activations import activation_into
from .softmax import softmax
from .sequence import input_term, output_term
from .validation import Call, check_call


@dataclass
class ForwardResult:
    """Every intermediate of a forward pass; h[t-1] is h_t (h_0 is ``h0``).

    Shapes for one sequence (drop B) or a batch: a, h (T, [B,] H); o (T, [B,] K); h0 ([B,] H).
    """

    a: np.ndarray
    h: np.ndarray
    o: np.ndarray
    h0: np.ndarray
    activation: str

    @property
    def y_hat(self) -> np.ndarray:
        """softmax(o_t) for every t: the predicted distribution over the K classes."""
        return softmax(self.o, axis=-1)

    @property
    def h_last(self) -> np.ndarray:
        """h_T, the state after the last input: the summary a many-to-one model reads out."""
        return self.h[-1]


def recur(p: dict, xu: np.ndarray, h_prev: np.ndarray, activation: str) -> tuple[np.ndarray, np.ndarray]:
    """Run the recurrence over precomputed input terms ``xu`` (T, B, H) from ``h_prev`` (B, H).

    Returns a (T, B, H) and the states hs (T+1, B, H) with hs[0] = h_prev: hs[t] is h_t, as
    in the book. ``xu`` is reused as the buffer for a.
    """
    # Wᵀ as a C-contiguous copy: numpy's product with the transposed *view* measured 3-4x
    # slower for these small (B, H) x (H, H) steps (and worse when BLAS runs two threads).
    WT = np.ascontiguousarray(p["W"].T)
    a = xu
    # One array for h_0..h_T: BPTT's ∂L/∂W pairs ∂L/∂a_t with h_{t-1}, and with h_0 in the
    # same array that is one matrix product over all T·B rows instead of two.
    hs = np.empty((a.shape[0] + 1,) + a.shape[1:])
    hs[0] = h_prev
    Wh = np.empty_like(h_prev)            # W h_{t-1}, one buffer reused at every step
    f = activation_into(activation)
    # h.dot(...) rather than np.matmul: the same BLAS product, with less overhead per call
    # (0.7 µs), which is a quarter of a step at B = 1.
    for a_t, h_prev, h_t in zip(a, hs[:-1], hs[1:]):   # the only sequential part:
        h_prev.dot(WT, out=Wh)                        # three small operations a step
        a_t += Wh
        f(a_t, h_t)
    return a, hs


def forward_checked(call: Call, xs: np.ndarray | None = None, h_prev: np.ndarray | None = None):
    """Forward on an already-checked call, batched layout: returns (a, hs, o).

    hs (T+1, B, H) holds h_0 (``h_prev``) to h_T; a and o are (T, B, ·).
    """
    xs = call.xs if xs is None else xs
    h_prev = call.h0 if h_prev is None else h_prev
    a, hs = recur(call.params, input_term(call.params, xs, call.token_ids), h_prev, call.activation)
    return a, hs, output_term(call.params, hs[1:])


def forward(params: dict, xs, *, h0=None, activation: str = "tanh", s0=None,
            cell: str = "rnn") -> ForwardResult:
    """Run the RNN over ``xs`` and keep every intermediate.

    params: mapping with U (H, D), W (H, H), V (K, H), b (H,), c (K,).
    xs: floats (T, D) / (T, B, D), or integer token ids (T,) / (T, B) meaning one-hot inputs.
    h0: (H,) or, for a batch, (B, H); None means zeros.
    activation: "tanh", "sigmoid" or "relu".
    cell: "rnn" (this model), "lstm" or "gru" (rnnlib.core.gated; s0 is the LSTM's cell state).
    """
    if cell != "rnn" or s0 is not None:
        return gated.forward(params, xs, h0=h0, s0=s0, cell=cell, activation=activation)
    call = check_call(params, xs, h0=h0, activation=activation)
    a, hs, o = forward_checked(call)
    h = hs[1:]
    if not call.batched:
        a, h, o = a[:, 0], h[:, 0], o[:, 0]
    h0_out = call.h0 if call.batched else call.h0[0]
    return ForwardResult(a=a, h=h, o=o, h0=h0_out, activation=activation)


def predict(params: dict, xs, *, h0=None, activation: str = "tanh") -> np.ndarray:
    """The most probable class argmax_k o_t[k] at every step: (T,) or (T, B) ints."""
    return forward(params, xs, h0=h0, activation=activation).o.argmax(axis=-1)

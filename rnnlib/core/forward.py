"""The forward pass, fast: the numbers of ``rnnlib.reference``, for whole batches, any cell.

    a_t = b + W h_{t-1} + U x_t        h_t = f(a_t)        o_t = c + V h_t

Only the recurrence W h_{t-1} is sequential (the cell's ``run``, e.g. ``rnn.recur``; the loop
in ``loop.py``). The input term U x_t for every t, and the output layer for every t, are each
one large matrix product over all T·B rows at once.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .loop import CELLS, run_checked
from .rnn import recur
from .softmax import softmax
from .validation import check_cell_call


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
        """softmax(o_t) for every t, (T, [B,] K): the predicted distribution over the K classes."""
        return softmax(self.o, axis=-1)

    @property
    def h_last(self) -> np.ndarray:
        """h_T ([B,] H), the state after the last input: what a many-to-one model reads out."""
        return self.h[-1]


@dataclass
class GatedForwardResult:
    """A gated cell's forward pass; h[t-1] is h_t. Shapes for one sequence (drop B) or a batch:
    h (T, [B,] H); o (T, [B,] K); s (T, [B,] H) the LSTM's cell state (None for the GRU);
    gates: name -> (T, [B,] H) after the nonlinearity (i, f, g, q or u, r, n); h0, s0 ([B,] H).
    """

    h: np.ndarray
    o: np.ndarray
    s: np.ndarray | None
    gates: dict
    h0: np.ndarray
    s0: np.ndarray | None
    cell: str
    activation: str = field(default="tanh")

    @property
    def y_hat(self) -> np.ndarray:
        """softmax(o_t) for every t, (T, [B,] K): the predicted distribution over the K classes."""
        return softmax(self.o, axis=-1)

    @property
    def h_last(self) -> np.ndarray:
        """h_T ([B,] H), the state after the last input."""
        return self.h[-1]


def forward(params: dict, xs, *, h0=None, activation: str = "tanh", s0=None,
            cell: str = "rnn") -> ForwardResult | GatedForwardResult:
    """Run a cell over ``xs`` and keep every intermediate.

    params: mapping with U (G·H, D), W (G·H, H), V (K, H), b (G·H,), c (K,); G = 1 for the
    plain cell, 4 for the LSTM, 3 for the GRU (gates stacked along the first axis).
    xs: floats (T, D) / (T, B, D), or integer token ids (T,) / (T, B) meaning one-hot inputs.
    h0: (H,) or, for a batch, (B, H); None means zeros. s0: the LSTM's cell state, as h0.
    activation: "tanh", "sigmoid" or "relu" (the plain cell's f; gated cells take "tanh").
    cell: "rnn" (the book's model: a ForwardResult with a, h, o), "lstm" or "gru" (a
    GatedForwardResult with h, o, s, gates).
    """
    call = check_cell_call(params, xs, cell=cell, h0=h0, s0=s0, activation=activation)
    cache, h, o, _ = run_checked(call, call.xs, call.state())
    if call.cell == "rnn":
        if call.batched:
            return ForwardResult(a=cache.a, h=h, o=o, h0=call.h0, activation=activation)
        return ForwardResult(a=cache.a[:, 0], h=h[:, 0], o=o[:, 0], h0=call.h0[0],
                             activation=activation)

    def one(x):          # drop the batch axis again for one sequence
        return x if (x is None or call.batched) else x[:, 0]
    H = call.sizes.H
    names = CELLS[call.cell].GATE_NAMES
    gates = {name: one(cache.gates[..., k * H:(k + 1) * H]) for k, name in enumerate(names)}
    h0_out = call.h0 if call.batched else call.h0[0]
    s0_out = None if call.s0 is None else (call.s0 if call.batched else call.s0[0])
    return GatedForwardResult(h=one(h), o=one(o), s=one(getattr(cache, "s", None)), gates=gates,
                              h0=h0_out, s0=s0_out, cell=call.cell)


def predict(params: dict, xs, *, h0=None, activation: str = "tanh") -> np.ndarray:
    """The most probable class argmax_k o_t[k] at every step: (T,) or (T, B) ints."""
    return forward(params, xs, h0=h0, activation=activation).o.argmax(axis=-1)


__all__ = ["ForwardResult", "GatedForwardResult", "forward", "predict", "recur"]

"""What the gated cells add to the shared entry points: the same functions with cell="lstm" as
the default, the dictionary to PyTorch's parameter names, and their parameters.

The cells themselves are ``lstm.py`` and ``gru.py``; like the plain cell (``rnn.py``) each
provides ``run`` (forward over a run of steps from a state) and ``backward`` (∂L/∂z for the
stacked gate pre-activations z, ∂L/∂W and the gradient of the state the run started from), and
one loop (``loop.py``) runs any of them:

    z_t = b + W h_{t-1} + U x_t  (the part with U and b computed for all t at once)
    o_t = c + V h_t              (the output layer, losses and modes of the plain RNN)

State: the GRU carries h; the LSTM carries (h, s). With ``truncate=k`` the state is carried
from chunk to chunk as plain arrays, so no gradient crosses a chunk boundary.
"""
from __future__ import annotations

import numpy as np

from .bptt import loss_grads_state as _loss_grads_state
from .forward import GatedForwardResult, forward as _forward
from .jacobians import jacobian_norms as _jacobian_norms
from .params import init_params as _init_params
from .validation import CELLS, check_choice, check_gated_call, check_params

__all__ = ["GatedForwardResult", "forward", "init_params", "jacobian_norms", "loss_and_grads",
           "loss_grads_state", "to_pytorch"]


def forward(params, xs, *, h0=None, s0=None, cell: str = "lstm",
            activation: str = "tanh") -> GatedForwardResult:
    """Run a gated cell over ``xs`` (floats (T, D) / (T, B, D) or ids (T,) / (T, B)):
    ``rnnlib.forward`` with cell="lstm" by default; h, o, s, gates (T, [B,] H)."""
    if cell == "rnn":
        check_gated_call(params, xs, cell=cell, h0=h0, s0=s0)   # its message: not a gated cell
    return _forward(params, xs, h0=h0, s0=s0, cell=cell, activation=activation)


def loss_and_grads(params, xs, targets, *, h0=None, s0=None, cell: str = "lstm",
                   activation: str = "tanh", loss: str = "cross_entropy",
                   mode: str = "many_to_many", truncate: int | None = None) -> tuple[float, dict]:
    """Summed loss and gradients of a gated cell by BPTT; arguments as ``rnnlib.loss_and_grads``.

    grads: U (G·H, D), W (G·H, H), b (G·H,), V (K, H), c (K,), "h0" shaped as h0 is (or would
    be), and for the LSTM "s0" shaped as s0 is (or would be).
    """
    total, grads, _ = loss_grads_state(params, xs, targets, h0=h0, s0=s0, cell=cell,
                                       activation=activation, loss=loss, mode=mode,
                                       truncate=truncate)
    return total, grads


def loss_grads_state(params, xs, targets, *, h0=None, s0=None, cell: str = "lstm",
                     activation: str = "tanh", loss: str = "cross_entropy",
                     mode: str = "many_to_many", truncate: int | None = None):
    """:func:`loss_and_grads` and the final state as keyword arguments for the next call:
    {"h0": h_T} and, for the LSTM, "s0": s_T; each (H,) or (B, H)."""
    if cell == "rnn":
        check_gated_call(params, xs, cell=cell, h0=h0, s0=s0)
    return _loss_grads_state(params, xs, targets, h0=h0, s0=s0, cell=cell, activation=activation,
                             loss=loss, mode=mode, truncate=truncate)


def jacobian_norms(params, xs, *, h0=None, s0=None, cell: str = "lstm",
                   activation: str = "tanh") -> np.ndarray:
    """‖∂h_T/∂(state at t)‖₂ for t = 0..T: (T+1,), or (T+1, B) for a batch. Entry T is 1.

    The state is h_t for the GRU and (h_t, s_t) for the LSTM: the LSTM's h_T depends on the
    past through both, so the norm is that of the H × 2H block ∂h_T/∂[h_t; s_t].
    """
    if cell == "rnn":
        check_gated_call(params, xs, cell=cell, h0=h0, s0=s0)
    return _jacobian_norms(params, xs, h0=h0, s0=s0, cell=cell, activation=activation)


def init_params(D: int, H: int, K: int, *, cell: str, seed: int = 0,
                weight_scale: float | None = None, forget_bias: float = 1.0) -> dict:
    """:func:`rnnlib.init_params` for a gated cell: U (G·H, D), W (G·H, H), V (K, H), b (G·H,),
    c (K,)."""
    return _init_params(D, H, K, cell=cell, seed=seed, weight_scale=weight_scale,
                        forget_bias=forget_bias)


# PyTorch stacks the LSTM's gates as i, f, g, o (ours: i, f, g, q: the same order) and the
# GRU's as r, z, n (ours: u, r, n with u = PyTorch's z), and keeps two biases per gate.
_TORCH_ORDER = {"rnn": (0,), "lstm": (0, 1, 2, 3), "gru": (1, 0, 2)}


def to_pytorch(params, *, cell: str = "rnn") -> dict:
    """rnnlib parameters as the tensors of ``torch.nn.RNN/LSTM/GRU`` (one layer) and a
    ``torch.nn.Linear`` output layer, as numpy arrays keyed by PyTorch's names:
    weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0, linear.weight, linear.bias.

    Our single bias b goes to bias_ih_l0; bias_hh_l0 is zero. (For the GRU that is where the
    models part: PyTorch's GRU is a different model, see ``gru.pytorch_gru_forward``.)
    """
    check_choice("cell", cell, CELLS)
    p, sizes = check_params(params, cell)
    H = sizes.H

    def reorder(a):
        return np.concatenate([a[k * H:(k + 1) * H] for k in _TORCH_ORDER[cell]])
    return {"weight_ih_l0": reorder(p["U"]), "weight_hh_l0": reorder(p["W"]),
            "bias_ih_l0": reorder(p["b"]), "bias_hh_l0": np.zeros_like(p["b"]),
            "linear.weight": p["V"].copy(), "linear.bias": p["c"].copy()}

"""The gated cells (LSTM, GRU) next to PyTorch: the dictionary to PyTorch's parameter names.

The cells themselves are ``lstm.py`` and ``gru.py``; like the plain cell (``rnn.py``) each
provides ``run`` (forward over a run of steps from a state) and ``backward`` (∂L/∂z for the
stacked gate pre-activations z, ∂L/∂W and the gradient of the state the run started from), and
one loop (``loop.py``) runs any of them through the shared entry points (``rnnlib.forward``,
``rnnlib.loss_and_grads``, ... with ``cell="lstm"`` or ``"gru"``):

    z_t = b + W h_{t-1} + U x_t  (the part with U and b computed for all t at once)
    o_t = c + V h_t              (the output layer, losses and modes of the plain RNN)

State: the GRU carries h; the LSTM carries (h, s). With ``truncate=k`` the state is carried
from chunk to chunk as plain arrays, so no gradient crosses a chunk boundary.
"""
from __future__ import annotations

import numpy as np

from .validation import CELLS, check_choice, check_params


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

"""One recurrent layer of any cell ("rnn", "lstm", "gru") over float inputs, run by the core.

The core already has each cell's forward and backward over a run of steps; this module only
connects them to a layer that has no output layer of its own (the decoder's output layer and
attention sit above it) and that must hand a gradient to the layer below (the embedding):

    forward:  the core's input term U x_t + b for every t at once, then the cell's recurrence
              (rnnlib.core.forward.recur for "rnn", rnnlib.core.lstm/gru.run for gated cells)
    backward: ∂L/∂h_t from above for every t -> the cell's backward through time
              (rnnlib.core.bptt.recurrence_backward, rnnlib.core.lstm/gru.backward),
              then ∂L/∂x_t = Uᵀ ∂L/∂a_t (or the stacked gates' ∂L/∂z_t) for the layer below

Parameters U (G·H, D), W (G·H, H), b (G·H,) as the contract stacks them (G = 1, 4, 3). The
LSTM's cell state starts at zero; the state handed between encoder and decoder is h.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...core import gru, lstm
from ...core.bptt import recurrence_backward
from ...core.forward import recur
from ...core.sequence import input_term
from ...core.params import init_params
from ...core.validation import (CELLS, GATE_COUNT, bad_value, check_choice, check_float_array,
                                check_param_mapping, check_shape)

_GATED = {"lstm": lstm, "gru": gru}
KEYS = ("U", "W", "b")


def init_recurrent(input_size: int, hidden_size: int, *, cell: str = "gru", seed: int = 0) -> dict:
    """U, W, b of one layer, drawn as ``rnnlib.init_params`` draws them for ``cell``."""
    p = init_params(input_size, hidden_size, 1, cell=check_choice("cell", cell, CELLS), seed=seed)
    return {k: p[k] for k in KEYS}


def cell_of(params: dict) -> str:
    """"rnn", "lstm" or "gru", read off the stacked shapes: W is (G·H, H)."""
    check_param_mapping(params, KEYS)
    shape = np.shape(params["W"])
    for cell, G in GATE_COUNT.items():
        if len(shape) == 2 and shape[1] and shape[0] == G * shape[1]:
            return cell
    raise bad_value("params['W']", "shape (G·H, H) with G in 1, 3, 4", f"shape {shape}")


@dataclass
class RecurrentCache:
    """xs (T, B, D); h (T, B, H) the states h_1..h_T; h0 (B, H); the cell's own cache; the
    final state ``last``: (h_T,) or, for the LSTM, (h_T, s_T)."""

    cell: str
    xs: np.ndarray
    h: np.ndarray
    h0: np.ndarray
    inner: object
    last: tuple


def recurrent_forward(params: dict, xs: np.ndarray, h0: np.ndarray, s0=None) -> RecurrentCache:
    """Run the layer over xs (T, B, D) floats from h0 (B, H) (and, for the LSTM, the cell state
    s0 (B, H); None means zeros). ``cache.h`` is (T, B, H)."""
    cell = cell_of(params)
    D, H = np.shape(params["U"])[1], np.shape(params["W"])[1]
    xs = check_float_array("xs", xs)
    if xs.ndim != 3 or xs.shape[2] != D:
        raise bad_value("xs", f"floats of shape (T, B, D={D})", f"shape {xs.shape}")
    h0 = check_shape("h0", check_float_array("h0", h0), (xs.shape[1], H), "(B, H)")
    xu = input_term(params, xs, False)
    if cell == "rnn":
        _, hs = recur(params, xu, h0, "tanh")
        return RecurrentCache(cell, xs, hs[1:], h0, hs, (hs[-1].copy(),))
    state = (h0, np.zeros_like(h0) if s0 is None else s0) if cell == "lstm" else (h0,)
    inner, h, last = _GATED[cell].run(params, xu, state)
    return RecurrentCache(cell, xs, h, h0, inner, last)


def recurrent_backward(params: dict, cache: RecurrentCache, dh: np.ndarray) -> dict:
    """Gradients given dh = ∂L/∂h_t from above (T, B, H): "U", "W", "b", "h0" (B, H) and "xs"
    (T, B, D), what reaches each input."""
    T, B, H = cache.h.shape
    D = cache.xs.shape[2]
    if cache.cell == "rnn":
        da = np.array(dh, dtype=float)            # becomes ∂L/∂a_t in place
        g = recurrence_backward(params["W"], cache.xs, False, D, cache.inner, da, "tanh")
        g["xs"] = da @ params["U"]
        return g
    dz, dW, dstate = _GATED[cache.cell].backward(params, cache.inner, dh)
    dz2 = dz.reshape(T * B, -1)
    return {"U": dz2.T @ cache.xs.reshape(T * B, D), "W": dW, "b": dz2.sum(axis=0),
            "h0": dstate[0], "xs": dz @ params["U"]}

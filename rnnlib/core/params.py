"""Creating the parameters U, W, V, b, c of any cell (rnn, lstm, gru), and copying them."""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .validation import (CELLS, GATE_COUNT, as_array, bad_type, bad_value, check_choice,
                         check_int, check_positive)


def init_params(input_size: int, hidden_size: int, output_size: int, *, seed: int = 0,
                weight_scale: float | None = None, cell: str = "rnn",
                forget_bias: float = 1.0) -> dict:
    """Random weights, zero biases: U (G·H, D), W (G·H, H), V (K, H), b (G·H,), c (K,), float64,
    with G = 1 for cell="rnn", 4 for "lstm", 3 for "gru" (the gates stacked along axis 0).

    Each weight matrix is drawn from N(0, s²) with s = 1/√fan_in (fan_in = D for U, H for W
    and V), which keeps a_t of order one at the start; ``weight_scale`` overrides s for all
    three. The same ``seed`` always gives the same numbers. The LSTM's forget-gate bias starts at
    ``forget_bias`` (1 by default, as Jozefowicz et al., 2015 recommend: the cell state is kept
    rather than wiped while the gates learn); the other biases start at 0.
    """
    D = check_int("input_size", input_size)
    H = check_int("hidden_size", hidden_size)
    K = check_int("output_size", output_size)
    G = GATE_COUNT[check_choice("cell", cell, CELLS)]
    if isinstance(forget_bias, bool) or not isinstance(forget_bias, (int, float, np.floating)):
        raise bad_type("forget_bias", "a finite number", forget_bias)
    if not np.isfinite(forget_bias):
        raise bad_value("forget_bias", "a finite number", forget_bias)
    rng = np.random.default_rng(check_int("seed", seed, minimum=0))
    sU, sW = ((1 / np.sqrt(D), 1 / np.sqrt(H)) if weight_scale is None
              else (check_positive("weight_scale", weight_scale),) * 2)
    params = {
        "U": rng.normal(0.0, sU, (G * H, D)),
        "W": rng.normal(0.0, sW, (G * H, H)),
        "V": rng.normal(0.0, sW, (K, H)),
        "b": np.zeros(G * H),
        "c": np.zeros(K),
    }
    if cell == "lstm":   # the forget gate's bias (Jozefowicz et al., 2015): f_t ≈ 0.73 at first
        params["b"][H:2 * H] = forget_bias
    return params


def copy_params(params, name: str = "params"):
    """A deep copy with float64 arrays, so training one copy leaves the other untouched.

    ``params``: a model's {U, W, V, b, c} (arrays of any shape) or any parameter tree of
    nested dicts and lists (an architecture's, rnnlib.training.tree); the copy has its layout.
    """
    if isinstance(params, Mapping):
        return {k: copy_params(v, f"{name}[{k!r}]") for k, v in params.items()}
    if isinstance(params, (list, tuple)):
        return [copy_params(v, f"{name}[{i}]") for i, v in enumerate(params)]
    arr = as_array(name, params)
    if arr.dtype.kind not in "iuf":
        raise bad_type(name, "a real numeric array (a leaf of a parameter tree)", params)
    return np.array(arr, dtype=np.float64, copy=True)

"""Creating the parameters U, W, V, b, c of the book's RNN."""
from __future__ import annotations

from numbers import Integral

import numpy as np


def _size(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
        raise ValueError(f"argument '{name}': expected an int >= 1, got {value!r}")
    return int(value)


def init_params(input_size: int, hidden_size: int, output_size: int, *, seed: int = 0,
                weight_scale: float | None = None, cell: str = "rnn",
                forget_bias: float = 1.0) -> dict:
    """Random weights, zero biases: U (H, D), W (H, H), V (K, H), b (H,), c (K,), float64.

    Each weight matrix is drawn from N(0, s²) with s = 1/√fan_in (fan_in = D for U, H for W
    and V), which keeps a_t of order one at the start; ``weight_scale`` overrides s for all
    three. The same ``seed`` always gives the same numbers. ``cell="lstm"``/``"gru"``: gates
    stacked in U, W, b (see ``rnnlib.core.gated.init_params``, which uses ``forget_bias``).
    """
    if cell != "rnn":
        from .gated import init_params as gated_init_params
        return gated_init_params(input_size, hidden_size, output_size, cell=cell, seed=seed,
                                 weight_scale=weight_scale, forget_bias=forget_bias)
    D = _size("input_size", input_size)
    H = _size("hidden_size", hidden_size)
    K = _size("output_size", output_size)
    rng = np.random.default_rng(seed)
    sU, sW = (1 / np.sqrt(D), 1 / np.sqrt(H)) if weight_scale is None else (weight_scale,) * 2
    return {
        "U": rng.normal(0.0, sU, (H, D)),
        "W": rng.normal(0.0, sW, (H, H)),
        "V": rng.normal(0.0, sW, (K, H)),
        "b": np.zeros(H),
        "c": np.zeros(K),
    }


def copy_params(params: dict) -> dict:
    """A deep copy, so training one copy leaves the other untouched."""
    return {k: np.array(v, dtype=np.float64, copy=True) for k, v in params.items()}

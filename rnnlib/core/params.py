"""Creating the parameters U, W, V, b, c of the book's RNN."""
from __future__ import annotations

import numpy as np

from .validation import check_int


def init_params(input_size: int, hidden_size: int, output_size: int, *, seed: int = 0,
                weight_scale: float | None = None) -> dict:
    """Random weights, zero biases: U (H, D), W (H, H), V (K, H), b (H,), c (K,), float64.

    Each weight matrix is drawn from N(0, s²) with s = 1/√fan_in (fan_in = D for U, H for W
    and V), which keeps a_t of order one at the start; ``weight_scale`` overrides s for all
    three. The same ``seed`` always gives the same numbers.
    """
    D = check_int("input_size", input_size)
    H = check_int("hidden_size", hidden_size)
    K = check_int("output_size", output_size)
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

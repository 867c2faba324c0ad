"""Parameter updates: plain SGD and Adagrad (the optimiser of min-char-rnn).

Both update the arrays in place (training loops then need no copying) and skip keys of the
gradient that are not parameters, such as "h0".
"""
from __future__ import annotations

import numpy as np

from ..core.validation import PARAM_KEYS, check_positive


def _check_grads(params: dict, grads: dict) -> None:
    for k in PARAM_KEYS:
        if k not in grads:
            raise ValueError(f"argument 'grads': missing key {k!r}; expected keys {list(PARAM_KEYS)}")
        if np.shape(grads[k]) != np.shape(params[k]):
            raise ValueError(f"argument 'grads': grads[{k!r}] has shape {np.shape(grads[k])}, "
                             f"expected {np.shape(params[k])} like params[{k!r}]")


def sgd_step(params: dict, grads: dict, lr: float) -> dict:
    """θ ← θ - lr · ∂L/∂θ for every parameter; returns ``params`` (updated in place)."""
    lr = check_positive("lr", lr)
    _check_grads(params, grads)
    for k in PARAM_KEYS:
        params[k] -= lr * grads[k]
    return params


class Adagrad:
    """θ ← θ - lr · g / √(Σ g² + eps): each entry's step shrinks as its gradients accumulate,
    so rarely-updated entries (columns of U for rare tokens) keep larger steps (Duchi et al., 2011)."""

    def __init__(self, lr: float = 0.1, eps: float = 1e-8):
        self.lr = check_positive("lr", lr)
        self.eps = eps
        self.memory: dict = {}

    def step(self, params: dict, grads: dict) -> dict:
        """Update ``params`` in place and return it."""
        _check_grads(params, grads)
        for k in PARAM_KEYS:
            mem = self.memory.setdefault(k, np.zeros_like(params[k]))
            mem += grads[k] * grads[k]
            params[k] -= self.lr * grads[k] / np.sqrt(mem + self.eps)
        return params

"""Adam: SGD with a running mean of the gradient and a per-entry step size (Kingma & Ba, 2015).

    m ← β₁ m + (1 - β₁) g            v ← β₂ v + (1 - β₂) g²
    m̂ = m / (1 - β₁ᵗ)                v̂ = v / (1 - β₂ᵗ)          (undo the bias of starting at 0)
    θ ← θ - lr · m̂ / (√v̂ + ε)

Like ``Adagrad`` it updates the arrays in place and skips gradient keys that are not
parameters (such as "h0"). An entry whose gradient is always 0 never moves, so zeroing a
gradient (``rnnlib.freeze``) keeps that parameter fixed under Adam too.
"""
from __future__ import annotations

import numpy as np

from ..core.validation import PARAM_KEYS, check_positive
from .optim import _check_grads


def _check_beta(name: str, value) -> float:
    if not (isinstance(value, (int, float)) and 0 <= value < 1):
        raise ValueError(f"argument '{name}': expected a number in [0, 1), got {value!r}")
    return float(value)


class Adam:
    """Adam with the defaults of its paper: lr 0.001, β₁ 0.9, β₂ 0.999, ε 1e-8."""

    def __init__(self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8):
        self.lr = check_positive("lr", lr)
        self.beta1 = _check_beta("beta1", beta1)
        self.beta2 = _check_beta("beta2", beta2)
        self.eps = check_positive("eps", eps)
        self.t = 0                       # updates done so far
        self.m: dict = {}                # running mean of g, per parameter
        self.v: dict = {}                # running mean of g², per parameter

    def step(self, params: dict, grads: dict) -> dict:
        """Update ``params`` in place and return it."""
        _check_grads(params, grads)
        self.t += 1
        for k in PARAM_KEYS:
            g = grads[k]
            m = self.m.setdefault(k, np.zeros_like(params[k]))
            v = self.v.setdefault(k, np.zeros_like(params[k]))
            m *= self.beta1
            m += (1 - self.beta1) * g
            v *= self.beta2
            v += (1 - self.beta2) * g * g
            m_hat = m / (1 - self.beta1 ** self.t)
            v_hat = v / (1 - self.beta2 ** self.t)
            params[k] -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
        return params

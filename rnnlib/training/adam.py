"""Adam (Kingma & Ba, 2015): a step from running averages of the gradient and of its square.

    m ← β₁ m + (1 − β₁) g          v ← β₂ v + (1 − β₂) g²
    θ ← θ − lr · m̂ / (√v̂ + eps)     m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ)

m is a momentum (the recent direction); dividing by √v gives every entry a step of about
``lr`` whatever its gradient's scale, like Adagrad, but v forgets old gradients, so steps do
not shrink for ever. The hats undo the bias of starting m and v at zero.
"""
from __future__ import annotations

import numpy as np

from ..core.validation import PARAM_KEYS
from .optim import _check_grads, _check_lr


def _check_beta(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
        raise ValueError(f"argument '{name}': expected a number in [0, 1), got {value!r}")
    return float(value)


class Adam:
    """Adam with the paper's defaults; ``step`` updates params in place and returns them."""

    def __init__(self, lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8):
        self.lr = _check_lr(lr)
        self.beta1 = _check_beta("beta1", beta1)
        self.beta2 = _check_beta("beta2", beta2)
        self.eps = eps
        self.t = 0
        self.m: dict = {}
        self.v: dict = {}

    def step(self, params: dict, grads: dict) -> dict:
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

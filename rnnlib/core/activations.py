"""The hidden-layer nonlinearities f and their derivatives f'.

The derivative is written in terms of what the forward pass already stored: for tanh and the
sigmoid it is cheapest from h = f(a) (1 - h², h(1 - h)); ReLU needs the sign of a.
"""
from __future__ import annotations

import numpy as np

from .validation import ACTIVATIONS, check_choice


def sigmoid(a: np.ndarray) -> np.ndarray:
    """σ(a) = 1 / (1 + e^(-a)), written through tanh so it never overflows for large |a|."""
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(a, dtype=np.float64)))


def relu(a: np.ndarray) -> np.ndarray:
    return np.maximum(a, 0.0)


def activate(a: np.ndarray, activation: str, out: np.ndarray | None = None) -> np.ndarray:
    """h = f(a), elementwise; any shape. Writes into ``out`` when given (saves an allocation)."""
    check_choice("activation", activation, ACTIVATIONS)
    if activation == "tanh":
        return np.tanh(a, out=out)
    if activation == "sigmoid":
        out = np.multiply(a, 0.5, out=out)
        np.tanh(out, out=out)
        out += 1.0
        out *= 0.5
        return out
    return np.maximum(a, 0.0, out=out)


def derivative(a: np.ndarray, h: np.ndarray, activation: str) -> np.ndarray:
    """f'(a) elementwise, given a and h = f(a) (both the same shape)."""
    check_choice("activation", activation, ACTIVATIONS)
    if activation == "tanh":
        return 1.0 - h * h
    if activation == "sigmoid":
        return h * (1.0 - h)
    return (a > 0).astype(np.float64)


def multiply_by_derivative(dh: np.ndarray, h: np.ndarray, activation: str) -> np.ndarray:
    """∂L/∂a = ∂L/∂h ⊙ f'(a), computed in place in ``dh`` (the hot loop of BPTT).

    Every f' here is read off h = f(a) alone (for ReLU, h > 0 exactly where a > 0), so the
    fast BPTT need not keep a.
    """
    if activation == "tanh":
        dh *= 1.0 - h * h
    elif activation == "sigmoid":
        dh *= h * (1.0 - h)
    else:
        dh *= h > 0
    return dh

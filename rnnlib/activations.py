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


def derivative(a: np.ndarray, h: np.ndarray, activation: str,
               out: np.ndarray | None = None) -> np.ndarray:
    """f'(a) elementwise, given a and h = f(a) (both the same shape).

    Writes into ``out`` when given; ``out`` may be ``a`` itself (BPTT does that once a is no
    longer needed, so f' of a whole sequence costs no new array).
    """
    check_choice("activation", activation, ACTIVATIONS)
    # Each line is the formula; out=out just says where the numbers go (inner result first).
    if activation == "tanh":                       # 1 - h²
        return np.subtract(1.0, np.square(h, out=out), out=out)
    if activation == "sigmoid":                    # h (1 - h)
        return np.multiply(h, np.subtract(1.0, h, out=out), out=out)
    return np.heaviside(a, 0.0, out=out)           # the step function: 1 where a > 0, else 0


def multiply_by_derivative(dh: np.ndarray, a: np.ndarray, h: np.ndarray,
                           activation: str) -> np.ndarray:
    """∂L/∂a = ∂L/∂h ⊙ f'(a), computed in place in ``dh`` (the hot loop of BPTT)."""
    if activation == "tanh":
        dh *= 1.0 - h * h
    elif activation == "sigmoid":
        dh *= h * (1.0 - h)
    else:
        dh *= a > 0
    return dh

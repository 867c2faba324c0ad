"""The hidden-layer nonlinearities f and their derivatives f'.

The derivative is written in terms of what the forward pass already stored: for tanh and the
sigmoid it is cheapest from h = f(a) (1 - h², h(1 - h)); ReLU needs the sign of a.
"""
from __future__ import annotations

import numpy as np

from .validation import ACTIVATIONS, as_array, bad_type, bad_value, check_choice


def _real(name: str, a) -> np.ndarray:
    """``a`` as a float64 array of any shape; inf is allowed (σ(inf) = 1), strings are not."""
    arr = as_array(name, a)
    if arr.dtype.kind not in "iuf":
        raise bad_type(name, "a real numeric array", a)
    return arr.astype(np.float64, copy=False)


def sigmoid_into(a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """σ(a) = ½(1 + tanh(a/2)) elementwise (any shape), written into ``out`` (may be ``a``
    itself; None: a new array). Through tanh it never overflows; in place, the gated cells'
    fast paths allocate nothing per step. The one sigmoid every cell uses (no checks)."""
    out = np.empty(np.shape(a)) if out is None else out     # an array even for a 0-d a
    np.multiply(a, 0.5, out=out)
    np.tanh(out, out=out)
    out += 1.0
    out *= 0.5
    return out


def sigmoid(a) -> np.ndarray:
    """σ(a) = 1 / (1 + e^(-a)), elementwise, any shape; never overflows for large |a|."""
    return sigmoid_into(_real("a", a))[()]      # [()]: a scalar for a scalar, as numpy gives


def relu(a) -> np.ndarray:
    """max(a, 0), elementwise; any shape."""
    return np.maximum(_real("a", a), 0.0)


def activate(a, activation: str, out: np.ndarray | None = None) -> np.ndarray:
    """h = f(a), elementwise; any shape. Writes into ``out`` when given (saves an allocation)."""
    return activation_into(activation)(_real("a", a), out)


def _relu_into(a: np.ndarray, out: np.ndarray) -> np.ndarray:
    return np.maximum(a, 0.0, out=out)


def activation_into(activation: str):
    """f as a function (a, out) -> out that writes f(a) into ``out``: chosen once before a
    loop over time steps, so no step pays for looking the activation up again."""
    check_choice("activation", activation, ACTIVATIONS)
    return {"tanh": np.tanh, "sigmoid": sigmoid_into, "relu": _relu_into}[activation]


def derivative(a, h, activation: str) -> np.ndarray:
    """f'(a) elementwise, given a and h = f(a) (both the same shape)."""
    check_choice("activation", activation, ACTIVATIONS)
    a, h = _real("a", a), _real("h", h)
    if a.shape != h.shape:
        raise bad_value("h", f"f(a), shaped like a {a.shape}", f"shape {h.shape}")
    if activation == "tanh":
        return 1.0 - h * h
    if activation == "sigmoid":
        return h * (1.0 - h)
    return (a > 0).astype(np.float64)


def derivative_from_h(h: np.ndarray, activation: str) -> np.ndarray:
    """f'(a) computed from h = f(a) alone, any shape: 1 - h², h(1 - h), or [h > 0] for ReLU
    (h > 0 exactly where a > 0). The fast BPTT uses it, so it need not keep a."""
    check_choice("activation", activation, ACTIVATIONS)
    out = np.multiply(h, h) if activation != "relu" else np.greater(h, 0).astype(np.float64)
    if activation == "tanh":
        np.subtract(1.0, out, out=out)
    elif activation == "sigmoid":
        np.subtract(h, out, out=out)          # h - h² = h(1 - h)
    return out

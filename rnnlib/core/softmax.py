"""Softmax and log-softmax, stable for any finite logits.

softmax(o)_k = e^{o_k} / Σ_j e^{o_j}. Subtracting max(o) first changes nothing mathematically
(the factor e^{-max} cancels) but keeps every exponent ≤ 0, so e^{o} cannot overflow.
"""
from __future__ import annotations

from numbers import Integral

import numpy as np

from .validation import bad_type, bad_value, check_float_array, check_positive


def _checked(o, axis: int) -> np.ndarray:
    arr = check_float_array("o", o)
    if arr.ndim == 0:
        raise bad_value("o", "an array of logits with at least one axis", "a scalar")
    if isinstance(axis, bool) or not isinstance(axis, Integral):
        raise bad_type("axis", f"an int axis of an array with {arr.ndim} dims", axis)
    if not -arr.ndim <= axis < arr.ndim:
        raise bad_value("axis", f"an axis of an array with {arr.ndim} dims", axis)
    return arr


def log_softmax(o, axis: int = -1) -> np.ndarray:
    """log softmax(o) along ``axis``: o - max - log Σ e^{o - max}; same shape as ``o``."""
    o = _checked(o, axis)
    shifted = o - o.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def softmax(o, axis: int = -1, temperature: float = 1.0) -> np.ndarray:
    """softmax(o / temperature) along ``axis``; same shape as ``o``, entries sum to 1.

    A temperature above 1 flattens the distribution, below 1 sharpens it.
    """
    o = _checked(o, axis) / check_positive("temperature", temperature)
    e = np.exp(o - o.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)

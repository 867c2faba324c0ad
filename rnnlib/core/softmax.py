"""Softmax and log-softmax, stable for any finite logits, and the entropy of a distribution.

softmax(o)_k = e^{o_k} / Σ_j e^{o_j}. Subtracting max(o) first changes nothing mathematically
(the factor e^{-max} cancels) but keeps every exponent ≤ 0, so e^{o} cannot overflow.
entropy(p) = -Σ_k p_k ln p_k measures how spread out a distribution such as softmax(o / τ) is.
"""
from __future__ import annotations

from numbers import Integral

import numpy as np

from .validation import (bad_type, bad_value, check_float_array, check_int, check_positive,
                         check_range)


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


def entropy(p, axis: int = -1) -> np.ndarray:
    """Entropy -Σ_k p_k ln p_k in nats along ``axis`` (0·ln 0 counts as 0): a float array of
    the shape of ``p`` without ``axis`` (a numpy float64 scalar for a vector p of shape (K,)).

    Raises ValueError unless the entries are >= 0 and sum to 1 (within 1e-9) along ``axis``.
    """
    p = check_float_array("p", p)
    if p.ndim == 0:
        raise bad_value("p", "a probability vector", "a scalar")
    axis = check_int("axis", axis, minimum=-p.ndim, maximum=p.ndim - 1)
    check_range("p", p, f"entries >= 0 that sum to 1 along axis {axis}", minimum=0.0)
    if not np.allclose(p.sum(axis=axis), 1.0, rtol=0, atol=1e-9):
        raise bad_value("p", f"entries >= 0 that sum to 1 along axis {axis}",
                        f"sums {np.round(p.sum(axis=axis), 6)}")
    terms = np.zeros_like(p)
    np.multiply(p, np.log(p, where=p > 0, out=np.zeros_like(p)), out=terms, where=p > 0)
    return 0.0 - terms.sum(axis=axis)   # 0.0 - x turns -0.0 into 0.0

"""Gradient checking: compare an analytic gradient with central finite differences.

(L(θ + ε) - L(θ - ε)) / 2ε has error O(ε²), so with ε ≈ 1e-5 in float64 the two agree to about
1e-9 relative when the analytic gradient is right, and visibly disagree when it is wrong.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from .bptt import loss_and_grads
from .validation import (PARAM_KEYS, bad_type, bad_value, check_float_array, check_mapping,
                         check_positive, check_shape)


def relative_error(analytic, numeric, eps: float = 1e-12) -> float:
    """max|a - n| / max(eps, max(|a| + |n|)) for two arrays of the same shape (any shape): a
    scale-free error that stays meaningful when both gradients are near zero (then it compares
    to eps instead of dividing by ~0)."""
    a, n = check_float_array("analytic", analytic), check_float_array("numeric", numeric)
    check_shape("numeric", n, a.shape, "like 'analytic'")
    if a.size == 0:
        return 0.0
    return float(np.abs(a - n).max() / max(eps, (np.abs(a) + np.abs(n)).max()))


def numerical_grads(f: Callable[[dict], float], arrays: dict, eps: float = 1e-5,
                    keys=None) -> dict:
    """Central differences of the scalar f(arrays) with respect to every entry of each array.

    ``arrays`` ({name: float array, any shape}) is perturbed in place one entry at a time and
    restored afterwards; ``keys``: the names to differentiate (None: all). Returns
    {name: gradient} with each gradient shaped like its array.
    """
    if not callable(f):
        raise bad_type("f", "a function arrays -> float", f)
    check_mapping("arrays", arrays, "float arrays")
    eps = check_positive("eps", eps)
    keys = list(arrays) if keys is None else keys
    for key in keys:
        if key not in arrays:
            raise bad_value("keys", f"names from {sorted(arrays)}", repr(key))
        # x[i] = saved + eps must store the perturbation: an int array would round it away
        if not (isinstance(arrays[key], np.ndarray) and arrays[key].dtype.kind == "f"):
            raise bad_type(f"arrays['{key}']", "a float ndarray (perturbed in place)", arrays[key])
    grads = {}
    for key in keys:
        x = arrays[key]
        g = np.zeros_like(x)
        for i in np.ndindex(x.shape):
            saved = x[i]
            x[i] = saved + eps
            up = f(arrays)
            x[i] = saved - eps
            down = f(arrays)
            x[i] = saved
            g[i] = (up - down) / (2 * eps)
        grads[key] = g
    return grads


def check_grads(params: dict, xs, targets, *, h0=None, s0=None, eps: float = 1e-5, floor: float = 1e-12,
                **options) -> dict:
    """Relative error between BPTT and finite differences for U, W, V, b, c, h0 (and the
    LSTM's s0).

    params, xs (T, [B,] D) or ids (T, [B,]), targets, h0 and s0 ((H,) / (B, H)) as for
    ``loss_and_grads``; ``options`` are passed to it (cell, activation, loss, mode, truncate).
    ``floor`` is the ``eps`` of :func:`relative_error`: a finite difference carries rounding
    noise of about 1e-11, so a gradient much smaller than ``floor`` is compared absolutely.
    Returns {name: relative error}; values below ~1e-6 mean the gradient is right.
    """
    _, analytic = loss_and_grads(params, xs, targets, h0=h0, s0=s0, **options)
    arrays = {k: np.array(params[k], dtype=float) for k in PARAM_KEYS}
    states = {"h0": h0, "s0": s0}
    for k in ("h0", "s0"):
        if k in analytic:           # s0: the LSTM's only
            given = states[k]
            arrays[k] = np.zeros_like(analytic[k]) if given is None else np.array(given, float)

    def f(a):
        p = {k: a[k] for k in PARAM_KEYS}
        return loss_and_grads(p, xs, targets, h0=a["h0"], s0=a.get("s0"), **options)[0]

    numeric = numerical_grads(f, arrays, eps)
    return {k: relative_error(analytic[k], numeric[k], floor) for k in numeric}

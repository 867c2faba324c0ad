"""Gradient checking: compare an analytic gradient with central finite differences.

(L(θ + ε) - L(θ - ε)) / 2ε has error O(ε²), so with ε ≈ 1e-5 in float64 the two agree to about
1e-9 relative when the analytic gradient is right, and visibly disagree when it is wrong.
``relative_error`` and ``numerical_grads`` are the two pieces; the whole check of a model, every
parameter array of any tree, is ``rnnlib.training.tree.tree_grad_errors`` (and ``check_grads``,
the core model's, calls it).
"""
from __future__ import annotations

from numbers import Real
from typing import Callable

import numpy as np

from .validation import (bad_type, bad_value, check_float_array, check_mapping, check_positive,
                         check_shape)

# The default ``eps`` of relative_error in a gradient check (``floor`` of tree_grad_errors and
# check_grads): a central difference with ε = 1e-5 carries rounding noise of about
# 1e-16·|L| / 1e-5 = 1e-11·|L|, up to ~1e-9 for the summed losses of a batch (|L| ~ 100). An
# array whose gradients are all below the floor is compared absolutely, so noise on a gradient
# that is truly ~0 reads as an error of ~1e-2 at most instead of ~1; a gradient above it is
# compared relatively, as any gradient a check is meant to judge is.
FLOOR = 1e-9


def relative_error(analytic, numeric, eps: float = 1e-12) -> float:
    """max|a - n| / max(eps, max(|a| + |n|)) for two arrays of the same shape (any shape): a
    scale-free error that stays meaningful when both gradients are near zero (then it compares
    to eps instead of dividing by ~0)."""
    a, n = check_float_array("analytic", analytic), check_float_array("numeric", numeric)
    check_shape("numeric", n, a.shape, "like 'analytic'")
    if a.size == 0:
        return 0.0
    return float(np.abs(a - n).max() / max(eps, (np.abs(a) + np.abs(n)).max()))


def _value(f, arrays) -> float:
    """f(arrays), which must be a real number."""
    value = f(arrays)
    if isinstance(value, bool) or not isinstance(value, Real):
        raise bad_type("f", "a function arrays -> a real number", value)
    return value


def numerical_grads(f: Callable[[dict], float], arrays: dict, eps: float = 1e-5,
                    keys=None) -> dict:
    """Central differences of the scalar f(arrays) with respect to every entry of each array.

    ``arrays`` ({name: float64 array, any shape}) is perturbed in place one entry at a time and
    restored afterwards, also when f raises; ``keys``: the names to differentiate (None: all).
    Returns {name: gradient} with each gradient shaped like its array.
    """
    if not callable(f):
        raise bad_type("f", "a function arrays -> float", f)
    check_mapping("arrays", arrays, "float arrays")
    eps = check_positive("eps", eps)
    keys = list(arrays) if keys is None else keys
    for key in keys:
        if key not in arrays:
            raise bad_value("keys", f"names from {sorted(arrays)}", repr(key))
        # x[i] = saved ± eps must store the perturbation: an int array would round it away,
        # float32 keep about 2 of its digits
        if not (isinstance(arrays[key], np.ndarray) and arrays[key].dtype == np.float64):
            raise bad_type(f"arrays['{key}']", "a float64 ndarray (perturbed in place)",
                           arrays[key])
    grads = {}
    for key in keys:
        x = arrays[key]
        g = np.zeros_like(x)
        for i in np.ndindex(x.shape):
            saved = x[i]
            try:
                x[i] = saved + eps
                up = _value(f, arrays)
                x[i] = saved - eps
                down = _value(f, arrays)
            finally:
                x[i] = saved
            g[i] = (up - down) / (2 * eps)
        grads[key] = g
    return grads

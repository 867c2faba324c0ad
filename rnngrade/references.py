"""Expected outputs the grader computes itself, outside any sandbox, for gradient checks.

A check whose metadata says ``"reference": "<name>"`` is graded against the text that
``<name>(SEED)`` returns here instead of the key's own output: the exact gradient, in
closed form, printed as the check prints the student's finite-difference estimate. So a
finite-difference function is graded on its own, against a gradient the student's code
never sees (it is not in the sandbox), and not against the student's own backward pass.
The inputs are drawn from the seed exactly as the check cell draws them.
"""
from __future__ import annotations

import contextlib
import io

import numpy as np

from .allowed import show, smooth_inputs


def smooth_gradient(p, X) -> dict:
    """The exact gradient of ``allowed.smooth_loss`` with respect to A, B and b."""
    Z = np.tanh(p["B"] @ X + p["b"][:, None])
    R = p["A"] @ Z - 1.0                          # (M, n) residuals
    dZ = (p["A"].T @ R) * (1.0 - Z ** 2)          # through tanh
    return {"A": R @ Z.T, "B": dZ @ X.T, "b": dZ.sum(axis=1)}


def _printed(fn) -> str:
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        fn()
    return buf.getvalue()


def numerical_gradient_smooth(seed: int) -> str:
    """Assignment 3's ``gradient_check``: the exact gradient, as the check shows the estimate."""
    p, X = smooth_inputs(np.random.default_rng(seed + 5))
    g = smooth_gradient(p, X)
    return _printed(lambda: show([g[k] for k in ("A", "B", "b")], digits=4))


def relative_errors_smooth(seed: int, offset: int = 10) -> str:
    """Assignment 4's and 7's ``grad_check_reference``: exact relative errors of the claimed gradients."""
    rng = np.random.default_rng(seed + offset)
    p, X = smooth_inputs(rng)
    g = smooth_gradient(p, X)
    claimed = {"A": rng.standard_normal(g["A"].shape), "B": np.zeros_like(g["B"]),
               "b": rng.standard_normal(g["b"].shape)}

    def error(k):
        n, a = g[k], claimed[k]
        size = np.linalg.norm(n) + np.linalg.norm(a)
        return float(np.linalg.norm(n - a) / size) if size > 0 else 0.0
    return _printed(lambda: print({k: round(error(k), 3) for k in sorted(claimed)}))


def relative_errors_attention(seed: int) -> str:
    """Assignment 7's ``grad_check_reference``: the same claims, drawn from ``SEED + 7``."""
    return relative_errors_smooth(seed, offset=7)


def directional_smooth(seed: int) -> str:
    """Assignment 6's ``directional_reference``: the exact derivative of ``smooth_loss`` along
    the check's random direction, and the claimed gradients' prediction of it."""
    rng = np.random.default_rng(seed + 10)
    p, X = smooth_inputs(rng)
    g = smooth_gradient(p, X)
    claimed = {"A": rng.standard_normal(g["A"].shape), "B": np.zeros_like(g["B"]),
               "b": rng.standard_normal(g["b"].shape)}
    d = {k: rng.standard_normal(p[k].shape) for k in sorted(claimed)}
    exact = sum(float(np.sum(g[k] * d[k])) for k in d)
    predicted = sum(float(np.sum(claimed[k] * d[k])) for k in d)
    return _printed(lambda: show([exact, predicted], digits=5))


REFERENCES = {"numerical_gradient_smooth": numerical_gradient_smooth,
              "relative_errors_smooth": relative_errors_smooth,
              "relative_errors_attention": relative_errors_attention,
              "directional_smooth": directional_smooth}


def expected(name: str, seed: int) -> str:
    if name not in REFERENCES:
        raise ValueError(f"key: check metadata 'reference' must be one of {sorted(REFERENCES)}, "
                         f"got {name!r}")
    return REFERENCES[name](int(seed))

"""The output layer o = c + V h on top of whatever states an architecture produces, and its loss.

Two shapes of task read the states differently:

- every step (many-to-many): o_t = c + V h_t for t = 1..T, scored against a target per step,
  with an optional mask (T, B) saying which steps are real (padding is not scored);
- one summary (many-to-one): o = c + V s for one vector s per sequence, scored once.

Both use the book's cross-entropy (``rnnlib.core.losses.cross_entropy``): the loss is the sum of
-log ŷ[y] over every scored step and sequence, and ∂L/∂o = ŷ - onehot(y).
"""
from __future__ import annotations

import numpy as np

from ..core.losses import cross_entropy
from ..core.params import init_params
from ..core.validation import check_finite_logits
from .layer import named


def init_head(hidden_size: int, output_size: int, *, seed: int = 0) -> dict:
    """V (K, H) drawn as ``rnnlib.init_params`` draws it (scale 1/√H), c (K,) zeros."""
    p = init_params(1, hidden_size, output_size, seed=seed)
    return {"V": p["V"], "c": p["c"]}


def check_head(params, H: int, name: str = "params") -> tuple[np.ndarray, np.ndarray]:
    """V (K, H) and c (K,) from ``params``, checked against the width H of the states."""
    for key in ("V", "c"):
        if key not in params:
            raise ValueError(f"argument '{name}': missing key {key!r}; the output layer needs "
                             f"V (K, H={H}) and c (K,)")
    V, c = np.asarray(params["V"], dtype=float), np.asarray(params["c"], dtype=float)
    if V.ndim != 2 or V.shape[1] != H or V.shape[0] == 0:
        raise ValueError(f"argument '{name}['V']': expected shape (K, H={H}), got {V.shape}")
    if c.shape != (V.shape[0],):
        raise ValueError(f"argument '{name}['c']': expected shape (K,) = ({V.shape[0]},), got {c.shape}")
    for key, arr in (("V", V), ("c", c)):
        if not np.all(np.isfinite(arr)):
            bad = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
            raise ValueError(f"argument '{name}['{key}']': expected finite values, got "
                             f"{arr[bad]} at index {bad}")
    return V, c


def logits(V: np.ndarray, c: np.ndarray, states: np.ndarray) -> np.ndarray:
    """o = c + V h for states (..., H): (..., K)."""
    o = states @ V.T + c
    with named("params"):
        check_finite_logits(o)
    return o


def check_ids(name: str, ids, shape: tuple, K: int) -> np.ndarray:
    """Integer class ids of the given shape, each in [0, K)."""
    arr = np.asarray(ids)
    if arr.dtype == bool or arr.dtype.kind not in "iu":
        raise TypeError(f"argument '{name}': expected integer class ids of shape {shape}, "
                        f"got dtype {arr.dtype}")
    if arr.shape != shape:
        raise ValueError(f"argument '{name}': expected class ids of shape {shape}, got {arr.shape}")
    if arr.size and (arr.min() < 0 or arr.max() >= K):
        bad = arr.min() if arr.min() < 0 else arr.max()
        raise ValueError(f"argument '{name}': class id {int(bad)} is outside [0, K) = [0, {K})")
    return arr.astype(np.int64)


def score_steps(V, c, states, targets, mask=None):
    """Many-to-many: loss and gradients for states (T, B, H), targets (T, B), mask (T, B) or None.

    Returns (loss, {"V", "c"}, ∂L/∂states (T, B, H)). Masked-out steps add nothing to the loss
    and send back exactly zero.
    """
    o = logits(V, c, states)
    losses, d_o = cross_entropy(o, targets)
    if mask is not None:
        losses = np.where(mask, losses, 0.0)
        d_o *= mask[..., None]
    T, B, H = states.shape
    d2, h2 = d_o.reshape(T * B, -1), states.reshape(T * B, H)
    return float(losses.sum()), {"V": d2.T @ h2, "c": d2.sum(axis=0)}, d_o @ V


def score_summary(V, c, summary, targets):
    """Many-to-one: loss and gradients for one state per sequence, summary (B, H), targets (B,).

    Returns (loss, {"V", "c"}, ∂L/∂summary (B, H)).
    """
    o = logits(V, c, summary)
    losses, d_o = cross_entropy(o, targets)
    return float(losses.sum()), {"V": d_o.T @ summary, "c": d_o.sum(axis=0)}, d_o @ V

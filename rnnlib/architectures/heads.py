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
from ..core.validation import check_finite_logits, named


def init_head(hidden_size: int, output_size: int, *, seed: int = 0) -> dict:
    """V (K, H) drawn as ``rnnlib.init_params`` draws it (scale 1/√H), c (K,) zeros."""
    p = init_params(1, hidden_size, output_size, seed=seed)
    return {"V": p["V"], "c": p["c"]}


def logits(V: np.ndarray, c: np.ndarray, states: np.ndarray) -> np.ndarray:
    """o = c + V h for states (..., H): (..., K)."""
    o = states @ V.T + c
    with named("params"):
        check_finite_logits(o)
    return o


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

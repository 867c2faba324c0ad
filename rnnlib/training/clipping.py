"""Gradient clipping, the standard remedy for exploding gradients (Pascanu et al., 2013).

Clipping by global norm rescales the whole gradient, so its *direction* is kept; clipping
element-wise (min-char-rnn clips every entry to [-5, 5]) can change the direction.
Only the parameter gradients U, W, V, b, c are clipped; other keys pass through unchanged.
"""
from __future__ import annotations

import numpy as np

from ..core.validation import PARAM_KEYS, check_positive


def global_norm(grads: dict) -> float:
    """√(Σ over every parameter gradient entry of g²): the length of the whole gradient."""
    return float(np.sqrt(sum(float(np.sum(np.square(grads[k]))) for k in PARAM_KEYS if k in grads)))


def clip_by_global_norm(grads: dict, max_norm: float) -> tuple[dict, float]:
    """Scale all gradients by max_norm / ‖g‖ when ‖g‖ > max_norm. Returns (clipped, ‖g‖ before)."""
    max_norm = check_positive("max_norm", max_norm)
    norm = global_norm(grads)
    scale = max_norm / norm if norm > max_norm else 1.0
    return {k: (v * scale if k in PARAM_KEYS else v) for k, v in grads.items()}, norm


def clip_elementwise(grads: dict, limit: float) -> dict:
    """Clamp every gradient entry to [-limit, limit] (the min-char-rnn rule, limit 5)."""
    limit = check_positive("limit", limit)
    return {k: (np.clip(v, -limit, limit) if k in PARAM_KEYS else v) for k, v in grads.items()}

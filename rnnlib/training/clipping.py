"""Gradient clipping, the standard remedy for exploding gradients (Pascanu et al., 2013).

Clipping by global norm rescales the whole gradient, so its *direction* is kept; clipping
element-wise (min-char-rnn clips every entry to [-5, 5]) can change the direction. κ is the
threshold (``max_norm``, ``limit``). ``grads`` is any gradient tree (a model's {U, W, V, b, c,
h0[, s0]} or an architecture's nested dicts); only parameter gradients are measured and
clipped, the states' gradients ("h0", "s0") pass through unchanged.
"""
from __future__ import annotations

import numpy as np

from collections.abc import Mapping

from ..core.validation import as_array, bad_type, check_positive
from .tree import STATE_KEYS, param_leaves


def _gradient_leaves(grads) -> list:
    """(path, gradient) for every parameter of the gradient tree ``grads``, each checked to be
    a real numeric array (numpy's ufunc errors would not say which argument is wrong)."""
    if not isinstance(grads, (Mapping, list, tuple)):
        raise bad_type("grads", "a gradient tree: a mapping {name: array} like params", grads)
    pairs = param_leaves(grads)
    for path, g in pairs:
        if as_array(f"grads['{path}']", g).dtype.kind not in "iuf":
            raise bad_type(f"grads['{path}']", "a real numeric array", g)
    return pairs


def global_norm(grads) -> float:
    """‖g‖ = √(Σ over every parameter gradient entry of g²): the length of the whole gradient.
    ``grads``: {U, W, V, b, c[, h0, s0]} as ``loss_and_grads`` returns (arrays shaped like the
    parameters), or any gradient tree; the states' entries are not counted."""
    return float(np.sqrt(sum(float(np.sum(np.square(g))) for _, g in _gradient_leaves(grads))))


def map_params(fn, tree):
    """A copy of ``tree`` with ``fn`` applied to every parameter array; states kept as they are."""
    if isinstance(tree, dict):
        return {k: (v if k in STATE_KEYS else map_params(fn, v)) for k, v in tree.items()}
    if isinstance(tree, (list, tuple)):
        return [map_params(fn, v) for v in tree]
    return fn(tree)


def clip_by_global_norm(grads, max_norm: float) -> tuple:
    """g ← g · κ / ‖g‖ when ‖g‖ > κ = ``max_norm``, for a gradient tree ``grads`` as
    :func:`global_norm` takes. Returns (clipped copy, same layout; ‖g‖ before)."""
    max_norm = check_positive("max_norm", max_norm)
    norm = global_norm(grads)
    scale = max_norm / norm if norm > max_norm else 1.0
    return map_params(lambda g: g * scale, grads), norm


def clip_elementwise(grads, limit: float):
    """Clamp every gradient entry to [-κ, κ], κ = ``limit`` (the min-char-rnn rule, κ = 5);
    ``grads`` as :func:`global_norm` takes. Returns a clipped copy, same layout."""
    limit = check_positive("limit", limit)
    _gradient_leaves(grads)
    return map_params(lambda g: np.clip(g, -limit, limit), grads)

"""Training any of the architectures: Adagrad over a parameter tree, optional global-norm clipping.

The model is given as a function ``step(params, i) -> (loss, grads)`` (usually a lambda around
one of the ``*_loss_and_grads`` functions with this step's mini-batch), so this loop knows
nothing about bidirectional, stacked or encoder–decoder models.
"""
from __future__ import annotations

import numpy as np

from .tree import get, leaves, tree_norm


class TreeAdagrad:
    """Adagrad (Duchi et al., 2011), the optimiser of ``rnnlib.Adagrad``, for parameter trees."""

    def __init__(self, lr: float = 0.1, eps: float = 1e-8):
        if not (isinstance(lr, (int, float)) and np.isfinite(lr) and lr > 0):
            raise ValueError(f"argument 'lr': expected a finite number > 0, got {lr!r}")
        self.lr, self.eps, self.memory = float(lr), eps, {}

    def step(self, params, grads, scale: float = 1.0) -> None:
        """Update every array of ``params`` in place with ``scale`` · its gradient in ``grads``."""
        for path, p in leaves(params, params_only=True):
            g = scale * get(grads, path)
            if np.shape(g) != np.shape(p):
                raise ValueError(f"argument 'grads': gradient at {path!r} has shape {np.shape(g)}, "
                                 f"expected {np.shape(p)} like the parameter")
            mem = self.memory.setdefault(path, np.zeros_like(p))
            mem += g * g
            p -= self.lr * g / np.sqrt(mem + self.eps)


def minibatches(xs, targets, size: int = 32):
    """A function i -> mini-batch i of a time-major data set, cycling through it.

    xs (T, N[, D]) and targets (T, N) or (N,): sequences on axis 1 (targets without a time axis
    on axis 0). Batch i holds sequences (i mod n)·size .. +size, n = N // size; the last
    N mod size sequences are never used.
    """
    xs, targets = np.asarray(xs), np.asarray(targets)
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= xs.shape[1]:
        raise ValueError(f"argument 'size': expected an int in [1, N = {xs.shape[1]}], got {size!r}")
    n = xs.shape[1] // size
    axis = 1 if targets.ndim >= 2 else 0

    def batch(i: int):
        part = slice((i % n) * size, (i % n + 1) * size)
        return xs[:, part], (targets[:, part] if axis else targets[part])
    return batch


def train(step, params, *, steps: int, lr: float = 0.1, clip: float | None = 5.0) -> list[float]:
    """Run ``steps`` Adagrad updates of ``params`` (in place); return the loss of each update.

    step: function (params, i) -> (loss, grads). clip: None, or the largest global norm of the
    gradient (longer gradients are rescaled to it, their direction kept).
    """
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
        raise ValueError(f"argument 'steps': expected an int >= 0, got {steps!r}")
    if clip is not None and not (isinstance(clip, (int, float)) and clip > 0):
        raise ValueError(f"argument 'clip': expected None or a number > 0, got {clip!r}")
    opt, losses = TreeAdagrad(lr), []
    for i in range(steps):
        loss, grads = step(params, i)
        norm = tree_norm(grads)
        scale = clip / norm if clip is not None and norm > clip else 1.0
        opt.step(params, grads, scale)
        losses.append(float(loss))
    return losses

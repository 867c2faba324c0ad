"""A training loop that names its optimiser and can hold parameters fixed.

``train_model`` is ``rnnlib.fit`` with two more knobs, for experiments that change one thing at
a time: ``optimizer`` may also be "adam", and ``frozen`` lists parameters (e.g. ("b", "c") for a
model "without biases") whose gradients are zeroed before every update, so they keep their
initial values under every optimiser.
"""
from __future__ import annotations

import numpy as np

from ..core.bptt import loss_and_grads
from ..core.validation import PARAM_KEYS, check_choice, check_int, check_positive
from .adam import Adam
from .clipping import clip_by_global_norm, global_norm
from .optim import Adagrad, sgd_step
from .train import History

OPTIMIZERS = ("sgd", "adagrad", "adam")


def freeze(grads: dict, keys) -> dict:
    """A copy of ``grads`` with the gradients of the parameters in ``keys`` set to zero."""
    keys = tuple(keys)
    for k in keys:
        if k not in PARAM_KEYS:
            raise ValueError(f"argument 'keys': expected parameter names from {list(PARAM_KEYS)},"
                             f" got {k!r}")
    return {k: (np.zeros_like(v) if k in keys else v) for k, v in grads.items()}


def _make_optimizer(name: str, lr: float):
    check_choice("optimizer", name, OPTIMIZERS)
    if name == "adagrad":
        return Adagrad(lr)
    if name == "adam":
        return Adam(lr)
    return None


def train_model(params: dict, data, *, steps: int, lr: float, optimizer: str = "sgd",
                clip: float | None = None, frozen=(), **options) -> History:
    """Train ``params`` in place for ``steps`` updates; return the History.

    data: (xs, targets), used at every update (full-batch gradient descent), or a function
        step -> (xs, targets). optimizer: "sgd" (θ ← θ - lr·g), "adagrad" or "adam".
    clip: None, or the largest global gradient norm (rescale above it). frozen: parameter
        names whose gradients are zeroed. options: h0, activation, loss, mode, truncate, as for
        ``loss_and_grads``. A run whose loss or gradient stops being finite stops early with
        ``history.diverged = True``.
    """
    steps = check_int("steps", steps, minimum=0)
    frozen = tuple(frozen)
    freeze({}, frozen)                       # checks the names before any work
    opt = _make_optimizer(optimizer, check_positive("lr", lr))
    batch = data if callable(data) else (lambda _step: data)
    history = History()
    for step in range(steps):
        xs, targets = batch(step)
        try:
            # a blow-up is reported through history.diverged, not through numpy warnings
            with np.errstate(over="ignore", invalid="ignore"):
                loss, grads = loss_and_grads(params, xs, targets, **options)
                norm = global_norm(grads)
        except ValueError as exc:            # non-finite parameters: the run blew up earlier
            if "finite" not in str(exc):
                raise
            history.diverged = True
            break
        history.loss.append(loss)
        history.grad_norm.append(norm)
        if not (np.isfinite(loss) and np.isfinite(norm)):
            history.diverged = True
            break
        if clip is not None:
            grads = clip_by_global_norm(grads, clip)[0]
        grads = freeze(grads, frozen)
        if opt is None:
            sgd_step(params, grads, lr)
        else:
            opt.step(params, grads)
    return history

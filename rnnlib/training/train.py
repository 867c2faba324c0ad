"""A training loop: gradient, optional clipping, update, repeat; with a history to plot.

Clipping happens here, outside the loss (the loss function only reports the gradient), so a
chapter can train the same model with and without it and compare.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..core.bptt import loss_and_grads
from ..core.validation import PARAM_KEYS, NonFiniteError, check_choice, check_int, check_positive
from .adam import Adam
from .clipping import clip_by_global_norm, clip_elementwise, global_norm
from .optim import Adagrad, sgd_step


@dataclass
class History:
    """loss[i] and grad_norm[i] (before clipping) at update i; ``diverged`` says the run
    stopped because the loss or the gradient stopped being finite."""

    loss: list = field(default_factory=list)
    grad_norm: list = field(default_factory=list)
    diverged: bool = False


OPTIMIZERS = ("sgd", "adagrad", "adam")


def freeze(grads: dict, frozen) -> dict:
    """A copy of ``grads`` with the gradients of the parameters named in ``frozen`` set to zero."""
    frozen = tuple(frozen)
    for k in frozen:
        if k not in PARAM_KEYS:
            raise ValueError(f"argument 'frozen': expected parameter names from "
                             f"{list(PARAM_KEYS)}, got {k!r}")
    return {k: (np.zeros_like(v) if k in frozen else v) for k, v in grads.items()}


def make_optimizer(name: str, lr: float):
    """The update rule by name: None for plain SGD (θ ← θ - lr·g, no state), else an object
    with ``step(params, grads)`` that keeps its per-parameter state between updates."""
    check_choice("optimizer", name, OPTIMIZERS)
    if name == "sgd":
        return None
    return Adagrad(lr) if name == "adagrad" else Adam(lr)


def fit(params: dict, data, *, steps: int, lr: float = 0.1, optimizer: str = "sgd",
        clip: float | None = None, clip_mode: str = "global_norm", frozen=(),
        **options) -> History:
    """Train ``params`` in place for ``steps`` updates; return the history.

    data: (xs, targets) used at every step (full-batch gradient descent), or a function
        step -> (xs, targets) giving a new mini-batch each step.
    optimizer: "sgd" (θ ← θ - lr·g), "adagrad" or "adam" (rnnlib.Adagrad, rnnlib.Adam).
    clip: None, or the max global norm (clip_mode="global_norm") or the max |entry|
        (clip_mode="elementwise").
    frozen: names of parameters whose gradients are zeroed before every update, so they keep
        their initial values under every optimiser (e.g. ("b", "c"): a model without biases).
    options: h0, activation, loss, mode, truncate (as for ``loss_and_grads``).
    A run whose loss, gradient or parameters stop being finite stops early with
    ``history.diverged = True``.
    """
    steps = check_int("steps", steps, minimum=0)
    lr = check_positive("lr", lr)
    check_choice("clip_mode", clip_mode, ("global_norm", "elementwise"))
    frozen = tuple(frozen)
    freeze({}, frozen)                  # checks the names before any work
    opt = make_optimizer(optimizer, lr)
    batch = data if callable(data) else (lambda _step: data)
    history = History()
    for step in range(steps):
        xs, targets = batch(step)
        try:
            # a blow-up is reported through history.diverged, not through numpy warnings
            with np.errstate(over="ignore", invalid="ignore"):
                loss, grads = loss_and_grads(params, xs, targets, **options)
                norm = global_norm(grads)
        except NonFiniteError as exc:
            if exc.argument != "o":     # a non-finite input or parameter: the caller's error
                raise
            history.diverged = True     # finite but huge parameters: the logits overflowed
            break
        history.loss.append(loss)
        history.grad_norm.append(norm)
        if not (np.isfinite(loss) and np.isfinite(norm)):
            history.diverged = True
            break
        if clip is not None:
            grads = (clip_by_global_norm(grads, clip)[0] if clip_mode == "global_norm"
                     else clip_elementwise(grads, clip))
        grads = freeze(grads, frozen)
        if opt is None:
            sgd_step(params, grads, lr)
        else:
            opt.step(params, grads)
        if not all(np.all(np.isfinite(params[k])) for k in PARAM_KEYS):
            history.diverged = True     # the update blew the parameters up
            break
    return history


def accuracy(predicted, targets) -> float:
    """The fraction of predictions equal to the targets (same shapes)."""
    predicted, targets = np.asarray(predicted), np.asarray(targets)
    if predicted.shape != targets.shape:
        raise ValueError(f"arguments 'predicted' and 'targets': expected equal shapes, got "
                         f"{predicted.shape} and {targets.shape}")
    return float(np.mean(predicted == targets))

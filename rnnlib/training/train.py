"""A training loop: gradient, optional clipping, update, repeat; with a history to plot.

Clipping happens here, outside the loss (the loss function only reports the gradient), so a
chapter can train the same model with and without it and compare.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ..core.bptt import loss_and_grads
from ..core.validation import PARAM_KEYS, NonFiniteError, check_choice, check_int
from .clipping import clip_by_global_norm, clip_elementwise, global_norm
from .optim import Adagrad, sgd_step


@dataclass
class History:
    """loss[i] and grad_norm[i] (before clipping) at update i; ``diverged`` says the run
    stopped because the loss or the gradient stopped being finite."""

    loss: list = field(default_factory=list)
    grad_norm: list = field(default_factory=list)
    diverged: bool = False


def fit(params: dict, data, *, steps: int, lr: float = 0.1, optimizer: str = "sgd",
        clip: float | None = None, clip_mode: str = "global_norm",
        **options) -> History:
    """Train ``params`` in place for ``steps`` updates; return the history.

    data: (xs, targets) used at every step, or a function step -> (xs, targets) giving a new
        mini-batch each step. options: h0, activation, loss, mode, truncate (as for
        ``loss_and_grads``). clip: None, or the max global norm (clip_mode="global_norm") or the
        max |entry| (clip_mode="elementwise").
    """
    check_choice("optimizer", optimizer, ("sgd", "adagrad"))
    check_choice("clip_mode", clip_mode, ("global_norm", "elementwise"))
    steps = check_int("steps", steps, minimum=0)
    batch = data if callable(data) else (lambda _step: data)
    adagrad = Adagrad(lr) if optimizer == "adagrad" else None
    history = History()
    for step in range(steps):
        xs, targets = batch(step)
        try:
            loss, grads = loss_and_grads(params, xs, targets, **options)
        except NonFiniteError as exc:
            if exc.argument != "o" or step == 0:   # bad data, or bad parameters from the start
                raise
            history.diverged = True     # finite but huge parameters: the logits overflowed
            break
        norm = global_norm(grads)
        history.loss.append(loss)
        history.grad_norm.append(norm)
        if not (np.isfinite(loss) and np.isfinite(norm)):
            history.diverged = True
            break
        if clip is not None:
            grads = (clip_by_global_norm(grads, clip)[0] if clip_mode == "global_norm"
                     else clip_elementwise(grads, clip))
        if adagrad:
            adagrad.step(params, grads)
        else:
            sgd_step(params, grads, lr)
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

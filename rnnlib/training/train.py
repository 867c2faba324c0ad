"""The training loop, one for every model: gradient, clip, update, repeat; with a history.

    for i in range(steps):
        loss, grads = the model's loss and gradient on batch i     (from the carried state)
        grads       = clipped (global norm or element-wise), frozen parameters zeroed
        optimizer.step(params, grads)                              (SGD, Adagrad, Adam)
        callback(i, params, history)                               (progress, evaluation)

The model is either the book's RNN (plain, LSTM or GRU: ``data`` gives (xs, targets) and the
loop calls ``rnnlib.loss_and_grads``) or anything else with a gradient (``objective(params, i)
-> (loss, grads)``: the bidirectional, stacked, masked and encoder–decoder models). Clipping
happens here, outside the loss, so a chapter can train the same model with and without it.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ..core.bptt import loss_grads_state
from ..core.validation import (PARAM_KEYS, NonFiniteError, as_array, bad_type, bad_value, check_choice,
                               check_int, check_positive, check_shape)
from .clipping import clip_by_global_norm, clip_elementwise, global_norm
from .optim import OPTIMIZERS as _OPTIMIZER_CLASSES
from .tree import param_leaves

OPTIMIZERS = tuple(_OPTIMIZER_CLASSES)      # the names fit takes: "sgd", "adagrad", "adam"


@dataclass
class History:
    """What a run recorded, one entry per update i: ``loss[i]`` and ``grad_norm[i]`` (the norm
    before clipping); ``val_step[j]``, ``val_loss[j]`` if a callback evaluated held-out data;
    ``diverged``: the run stopped because the loss, the gradient or the parameters stopped
    being finite. ``train_loss`` is ``loss`` (the language model's name for it)."""

    loss: list = field(default_factory=list)
    grad_norm: list = field(default_factory=list)
    diverged: bool = False
    val_step: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)

    @property
    def train_loss(self) -> list:
        return self.loss


def check_frozen(frozen) -> tuple:
    """``frozen`` as a tuple of names from PARAM_KEYS (a str would be read letter by letter)."""
    want = f"a tuple of parameter names from {list(PARAM_KEYS)}"
    if isinstance(frozen, str) or not isinstance(frozen, (list, tuple, set, frozenset)):
        raise bad_type("frozen", want, frozen)
    for k in frozen:
        if k not in PARAM_KEYS:
            raise bad_value("frozen", want, repr(k))
    return tuple(frozen)


def freeze(grads, frozen):
    """A copy of the gradient mapping ``grads`` ({name: array} as ``loss_and_grads`` returns)
    with the gradients of the parameters named in ``frozen`` (e.g. ("b", "c")) set to zero."""
    frozen = check_frozen(frozen)
    if not isinstance(grads, Mapping):
        raise bad_type("grads", "a mapping {name: gradient array}", grads)
    if not frozen:
        return grads
    return {k: (np.zeros_like(v) if k in frozen else v) for k, v in grads.items()}


def make_optimizer(optimizer, lr: float | None):
    """An optimiser object: ``optimizer`` itself if it has ``step(params, grads)``, else the one
    named "sgd", "adagrad" or "adam" with learning rate ``lr`` (0.1 if None)."""
    if isinstance(optimizer, type):     # rnnlib.Adam, not rnnlib.Adam(lr): step is unbound
        raise bad_type("optimizer", f"an optimiser object such as {optimizer.__name__}(lr), or "
                       f"one of {list(OPTIMIZERS)}", optimizer)
    if hasattr(optimizer, "step"):
        if lr is not None:
            raise bad_value("lr", f"None (the optimiser object {type(optimizer).__name__} has "
                            "its own learning rate)", lr)
        return optimizer
    name = check_choice("optimizer", optimizer, OPTIMIZERS)
    return _OPTIMIZER_CLASSES[name](0.1 if lr is None else check_positive("lr", lr))


def fit(params, data=None, *, steps: int, lr: float | None = None, optimizer="sgd",
        clip: float | None = None, clip_mode: str = "global_norm", frozen=(),
        objective: Callable | None = None, carry_state: bool = False, per_token: bool = False,
        callback: Callable | None = None, **options) -> History:
    """Train ``params`` in place for ``steps`` updates; return the :class:`History`.

    params: the model, updated in place: {U, W, V, b, c} of any cell (U (G·H, D), W (G·H, H),
        V (K, H), b (G·H,), c (K,)), or an architecture's parameter tree with ``objective``.
    data: (xs, targets), used at every step (full-batch gradient descent), or a function
        i -> (xs, targets) giving batch i; xs (T, [B,] D) floats or (T, [B]) ids, targets as
        ``rnnlib.loss_and_grads`` takes them. With ``carry_state`` the function may return
        (xs, targets, True) to start that batch from a zero state (e.g. a text read again).
    objective: instead of ``data``, a function (params, i) -> (loss, grads) for any model.
    optimizer: "sgd", "adagrad", "adam" (with ``lr``, default 0.1), or an optimiser object
        (rnnlib.SGD, rnnlib.Adagrad, rnnlib.Adam; then no ``lr``).
    clip: None, or κ: the max global norm (clip_mode="global_norm") or the max |entry|
        (clip_mode="elementwise").
    frozen: names of parameters whose gradients are zeroed before every update, so they keep
        their initial values under every optimiser (e.g. ("b", "c"): a model without biases).
    carry_state: truncated BPTT across batches: each batch starts from the state (h_T, and the
        LSTM's s_T) the previous batch ended in, computed with the parameters it was scored
        with; no gradient crosses from one batch to the next.
    per_token: record the loss and use the gradient averaged over the scored targets of a
        batch, so η does not depend on batch size: its class ids for cross_entropy, its target
        vectors (T·B, or B for many_to_one; not their K entries) for mse.
    callback: called as callback(i, params, history) after update i (progress, evaluation).
    options: h0, s0, cell, activation, loss, mode, truncate (as for ``loss_and_grads``).
    A run whose loss, gradient or parameters stop being finite stops early with
    ``history.diverged = True``.
    """
    steps = check_int("steps", steps, minimum=0)
    check_choice("clip_mode", clip_mode, ("global_norm", "elementwise"))
    if clip is not None:
        check_positive("clip", clip)
    frozen = check_frozen(frozen)
    opt = make_optimizer(optimizer, lr)
    for name, fn in (("objective", objective), ("callback", callback)):
        if fn is not None and not callable(fn):
            raise bad_type(name, "a function", fn)
    if objective is not None:
        if data is not None or options or carry_state or per_token:
            raise bad_value("objective", "no data, carry_state, per_token or loss_and_grads "
                            "options with it (it computes the loss itself)", "some")
    elif data is None:
        raise bad_value("data", "(xs, targets) or a function i -> (xs, targets), or an "
                        "objective", None)
    elif not callable(data):
        _check_batch(data, carry_state)
    scored = options.get("loss", "cross_entropy") == "cross_entropy"   # per_token's count
    history, state = History(), {}
    for i in range(steps):
        try:
            # a blow-up is reported through history.diverged, not through numpy warnings
            with np.errstate(over="ignore", invalid="ignore"):
                if objective is not None:
                    loss, grads = objective(params, i)
                else:
                    item = _check_batch(data(i), carry_state) if callable(data) else data
                    xs, targets = item[0], item[1]
                    if carry_state and len(item) > 2 and item[2]:
                        state = {}
                    loss, grads, last = loss_grads_state(params, xs, targets,
                                                         **{**options, **state})
                    if carry_state:
                        state = last
                    if per_token:       # ids, or target vectors (..., K) for mse
                        n = np.size(targets) if scored else np.size(targets) // np.shape(targets)[-1]
                        loss, grads = loss / n, {k: g / n for k, g in grads.items()}
                norm = global_norm(grads)
        except NonFiniteError as exc:
            if exc.argument != "o":     # a non-finite input or parameter: the caller's error
                raise
            history.diverged = True     # finite but huge parameters: the logits overflowed
            break
        loss = float(loss)
        history.loss.append(loss)
        history.grad_norm.append(norm)
        if not (np.isfinite(loss) and np.isfinite(norm)):
            history.diverged = True
            break
        if clip is not None:
            grads = (clip_by_global_norm(grads, clip)[0] if clip_mode == "global_norm"
                     else clip_elementwise(grads, clip))
        opt.step(params, freeze(grads, frozen))
        if not all(np.all(np.isfinite(p)) for _, p in param_leaves(params)):
            history.diverged = True     # the update blew the parameters up
            break
        if callback is not None:
            callback(i, params, history)
    return history


def _check_batch(item, carry_state: bool) -> tuple:
    """A batch as ``data`` gives it: (xs, targets), or (xs, targets, fresh) with carry_state."""
    want = "(xs, targets)" + (" or (xs, targets, fresh)" if carry_state else "")
    if not isinstance(item, (tuple, list)):
        raise bad_type("data", f"{want}, or a function i -> {want}", item)
    if len(item) not in ((2, 3) if carry_state else (2,)):
        raise bad_value("data", f"{want}, or a function i -> {want}", f"{len(item)} items")
    return item


def minibatches(xs, targets, size: int = 32):
    """A function i -> mini-batch i of a time-major data set, cycling through it.

    xs (T, N[, D]) and targets as ``loss_and_grads`` takes them for a batch of N: class ids
    (T, N), float targets (T, N, K), or for many_to_one (N,) ids / (N, K) floats. Sequences
    are on axis 1 (axis 0 of targets without a time axis). Batch i holds sequences
    (i mod n)·size .. +size, n = N // size; the last N mod size sequences are never used.
    Returns (xs (T, size[, D]), targets (T, size[, K]) / (size[, K])).
    """
    xs, targets = as_array("xs", xs), as_array("targets", targets)
    if xs.ndim < 2:
        raise bad_value("xs", "shape (T, N) or (T, N, D)", str(xs.shape))
    size = check_int("size", size, minimum=1, maximum=xs.shape[1])
    n = xs.shape[1] // size
    # a time axis: ids (T, N) or floats (T, N, K); without one, ids (N,) or floats (N, K)
    axis = int(targets.ndim == (2 if targets.dtype.kind in "iu" else 3))
    if targets.ndim == 0 or targets.shape[axis] != xs.shape[1]:
        raise bad_value("targets", f"N = {xs.shape[1]} sequences on axis {axis} (as xs has on "
                        "axis 1)", f"shape {targets.shape}")

    def batch(i: int):
        part = slice((i % n) * size, (i % n + 1) * size)
        return xs[:, part], (targets[:, part] if axis else targets[part])
    return batch


def accuracy(predicted, targets) -> float:
    """The fraction of predictions equal to the targets (same shapes, any shape)."""
    predicted, targets = np.asarray(predicted), np.asarray(targets)
    check_shape("targets", targets, predicted.shape, "like 'predicted'")
    return float(np.mean(predicted == targets))

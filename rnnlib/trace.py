"""A record of every intermediate, step by step, forward and backward, for one sequence.

A stepper (rnnlib.widgets) computes a trace once and then only displays it, so moving a
slider never recomputes the network. The trace's total gradient equals ``loss_and_grads``'s
(the tests check that), which is what lets a student trust what the stepper shows.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .core.losses import LOSS_FUNCTIONS
from .core.step import StepCache, StepGrads, step_backward, step_forward
from .core.validation import PARAM_KEYS, check_call


@dataclass
class Trace:
    """forward[t-1] is step t (t = 1..T); backward[t-1] is step t on the way back.

    running[t-1] holds each parameter's gradient summed over steps T, T-1, ..., t — the
    partial sum a student sees grow while stepping backward; running[0] is the full gradient.
    """

    params: dict
    xs: np.ndarray
    targets: np.ndarray | None
    forward: list[StepCache]
    step_losses: np.ndarray            # (T,) the loss scored at each step (0 where unscored)
    backward: list[StepGrads] = field(default_factory=list)
    running: list[dict] = field(default_factory=list)
    grads: dict = field(default_factory=dict)  # full gradient, keys U, W, V, b, c, h0

    @property
    def T(self) -> int:
        return len(self.forward)

    @property
    def loss(self) -> float:
        return float(self.step_losses.sum())


def _step_loss(o: np.ndarray, target, loss: str) -> tuple[float, np.ndarray]:
    losses, delta = LOSS_FUNCTIONS[loss](o[None], np.asarray(target)[None])
    return float(losses[0]), delta[0]


def trace(params: dict, xs, targets=None, *, h0=None, activation: str = "tanh",
          loss: str = "cross_entropy", mode: str = "many_to_many") -> Trace:
    """Run one sequence step by step and record everything; backward too if targets given.

    xs: (T, D) floats or (T,) token ids (one sequence: a trace is for looking at).
    targets: as for ``loss_and_grads`` (one sequence), or None for a forward-only trace.
    """
    call = check_call(params, xs, h0=h0, activation=activation,
                      targets=targets, loss=None if targets is None else loss, mode=mode)
    if call.batched:
        raise ValueError(f"argument 'xs': a trace follows one sequence, expected shape (T, D) or "
                         f"(T,), got {np.shape(xs)}")
    p, xs1, h = call.params, call.xs[:, 0], call.h0[0]
    steps = []
    for t in range(call.T):
        steps.append(step_forward(p, xs1[t], h, activation, loss))
        h = steps[-1].h
    tr = Trace(params=p, xs=xs1, targets=None if targets is None else call.targets,
               forward=steps, step_losses=np.zeros(call.T))
    if targets is None:
        return tr
    _backward(tr, call.targets, loss, mode)
    return tr


def _backward(tr: Trace, targets: np.ndarray, loss: str, mode: str) -> None:
    """Fill in the backward half of a trace, from step T down to step 1."""
    p, T = tr.params, tr.T
    K, H = p["V"].shape
    back: list[StepGrads | None] = [None] * T
    running: list[dict | None] = [None] * T
    total = {k: np.zeros_like(p[k]) for k in PARAM_KEYS}
    dh_next = np.zeros(H)
    for t in range(T - 1, -1, -1):
        scored = mode == "many_to_many" or t == T - 1
        d_o = np.zeros(K)
        if scored:
            target = targets[t, 0] if mode == "many_to_many" else targets[0]
            tr.step_losses[t], d_o = _step_loss(tr.forward[t].o, target, loss)
        g = step_backward(p, tr.forward[t], d_o, dh_next)
        for k in PARAM_KEYS:
            total[k] = total[k] + g.contrib[k]
        back[t], running[t] = g, {k: v.copy() for k, v in total.items()}
        dh_next = g.dh_prev
    tr.backward, tr.running = back, running
    tr.grads = {**total, "h0": dh_next}

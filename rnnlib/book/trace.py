"""A record of every intermediate, step by step, forward and backward, for one sequence.

A stepper (rnnlib.widgets) computes a trace once and then only displays it, so moving a
slider never recomputes the network. The trace's total gradient equals ``loss_and_grads``'s
(the tests check that), which is what lets a student trust what the stepper shows.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..core import reference
from ..core.softmax import softmax
from ..core.step import StepCache, StepGrads, step_backward
from ..core.validation import LOSSES, PARAM_KEYS, Call, bad_value, check_call, check_choice


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


def check_one_sequence(call: Call, xs) -> None:
    """A trace follows one sequence: xs (T, D) floats or (T,) ids, not a batch."""
    if call.batched:
        raise bad_value("xs", "one sequence, shape (T, D) or (T,) (a trace follows one sequence)",
                        f"shape {np.shape(xs)}")


def trace(params: dict, xs, targets=None, *, h0=None, activation: str = "tanh",
          loss: str = "cross_entropy", mode: str = "many_to_many") -> Trace:
    """Run one sequence step by step and record everything; backward too if targets given.

    xs: (T, D) floats or (T,) token ids (one sequence: a trace is for looking at).
    targets: as for ``loss_and_grads`` (one sequence), or None for a forward-only trace.
    The forward pass is :func:`rnnlib.reference.rnn_forward`; each backward step is
    :func:`rnnlib.step_backward`, the reference's backward loop run over that one step.
    """
    check_choice("loss", loss, LOSSES)      # also without targets: it decides what ŷ is
    call = check_call(params, xs, h0=h0, activation=activation,
                      targets=targets, loss=None if targets is None else loss, mode=mode)
    check_one_sequence(call, xs)
    p, x = call.params, reference.sequence_inputs(call, 0)
    a, h, o = reference.rnn_forward(reference.column_params(p), x, call.h0[0][:, None], activation)
    steps = [StepCache(x=x[t][:, 0], h_prev=h[t - 1][:, 0], a=a[t][:, 0], h=h[t][:, 0],
                       o=o[t][:, 0], y_hat=softmax(o[t][:, 0]) if loss == "cross_entropy"
                       else o[t][:, 0], activation=activation) for t in range(1, call.T + 1)]
    tr = Trace(params=p, xs=call.xs[:, 0], targets=None if targets is None else call.targets,
               forward=steps, step_losses=np.zeros(call.T))
    if targets is not None:
        _backward(tr, reference.sequence_targets(call, 0), o, loss)
    return tr


def _backward(tr: Trace, y: dict, o: dict, loss: str) -> None:
    """Fill in the backward half of a trace, from step T down to step 1.

    y: {t: y_t} for the scored steps; o: {t: o_t (K, 1)} from the forward pass.
    """
    p, T = tr.params, tr.T
    back: list[StepGrads | None] = [None] * T
    running: list[dict | None] = [None] * T
    total = {k: np.zeros_like(p[k]) for k in PARAM_KEYS}
    dh_next = np.zeros(p["W"].shape[0])
    for t in range(T, 0, -1):
        d_o = np.zeros(p["V"].shape[0])
        if t in y:
            tr.step_losses[t - 1], do = reference.step_loss(o[t], y[t], loss)
            d_o = do[:, 0]
        g = step_backward(p, tr.forward[t - 1], d_o, dh_next)
        for k in PARAM_KEYS:
            total[k] = total[k] + g.contrib[k]
        back[t - 1], running[t - 1] = g, {k: v.copy() for k, v in total.items()}
        dh_next = g.dh_prev
    tr.backward, tr.running = back, running
    tr.grads = {**total, "h0": dh_next}

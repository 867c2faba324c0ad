"""One time step, forward and backward, for one sequence: the unit a student can hold in mind.

Each is the reference loop (:mod:`rnnlib.core.reference`) run over a single step, so a step
shown on its own computes exactly what the loop computes at that step. trace.py strings them
together; the fast path (forward.py, bptt.py) computes the same numbers for whole batches.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .encoding import one_hot
from .reference import column_params, rnn_backward, rnn_forward
from .softmax import softmax
from .validation import (ACTIVATIONS, LOSSES, bad_type, bad_value, check_choice,
                         check_float_array, check_params, check_state, check_token_ids)


@dataclass
class StepCache:
    """Everything step t computed. x (D,) — the one-hot vector when the input is a token id."""

    x: np.ndarray
    h_prev: np.ndarray   # h_{t-1} (H,)
    a: np.ndarray        # a_t = b + W h_{t-1} + U x_t (H,)
    h: np.ndarray        # h_t = f(a_t) (H,)
    o: np.ndarray        # o_t = c + V h_t (K,)
    y_hat: np.ndarray    # softmax(o_t) for cross-entropy, o_t itself for mse (K,)
    activation: str


@dataclass
class StepGrads:
    """What step t sends backward, and its own share of every parameter gradient."""

    d_o: np.ndarray            # ∂L/∂o_t (K,)
    dh_from_output: np.ndarray  # Vᵀ ∂L/∂o_t (H,)
    dh_from_next: np.ndarray    # Wᵀ ∂L/∂a_{t+1}, what step t+1 sent back (H,)
    dh: np.ndarray             # ∂L/∂h_t, the sum of the two (H,)
    da: np.ndarray             # ∂L/∂a_t = ∂L/∂h_t ⊙ f'(a_t) (H,)
    dh_prev: np.ndarray        # Wᵀ ∂L/∂a_t, sent on to step t-1 (H,)
    contrib: dict              # this step's share of ∂L/∂U, W, V, b, c


def _col(v) -> np.ndarray:
    return np.asarray(v, dtype=float).reshape(-1, 1)


def _step_vector(name: str, value, size: int, axis: str) -> np.ndarray:
    """One step's vector (size,), finite: x_t, h_{t-1}, ∂L/∂o_t, ∂L/∂h_t."""
    arr = check_float_array(name, value)
    if arr.shape != (size,):
        raise bad_value(name, f"shape ({axis},) = ({size},)", f"shape {arr.shape}")
    return arr


def step_forward(params: dict, x_t, h_prev: np.ndarray, activation: str = "tanh",
                 loss: str = "cross_entropy") -> StepCache:
    """a_t, h_t, o_t, ŷ_t from x_t (D,) or a token id, and h_{t-1} (H,)."""
    check_choice("activation", activation, ACTIVATIONS)
    check_choice("loss", loss, LOSSES)
    checked, sizes = check_params(params)
    p = column_params(checked)
    if np.ndim(x_t) == 0:
        x = one_hot(int(check_token_ids("x_t", x_t, sizes.D, bound="D")), sizes.D)
    else:
        x = _step_vector("x_t", x_t, sizes.D, "D")
    h_prev = check_state("h_prev", h_prev, sizes.H, 1, False)[0][0]
    a, h, o = rnn_forward(p, {1: _col(x)}, _col(h_prev), activation)
    o_t = o[1][:, 0]
    return StepCache(x=x, h_prev=h_prev, a=a[1][:, 0], h=h[1][:, 0],
                     o=o_t, y_hat=softmax(o_t) if loss == "cross_entropy" else o_t,
                     activation=activation)


def step_backward(params: dict, cache: StepCache, d_o: np.ndarray,
                  dh_from_next: np.ndarray) -> StepGrads:
    """Backpropagate through step t given ∂L/∂o_t (K,) and Wᵀ ∂L/∂a_{t+1} (H,)."""
    checked, sizes = check_params(params)
    if not isinstance(cache, StepCache):
        raise bad_type("cache", "the StepCache step_forward returned", cache)
    d_o = _step_vector("d_o", d_o, sizes.K, "K")
    dh_from_next = _step_vector("dh_from_next", dh_from_next, sizes.H, "H")
    p = column_params(checked)
    record: dict = {}
    g = rnn_backward(p, {1: _col(cache.x)}, {1: _col(cache.a)},
                     {0: _col(cache.h_prev), 1: _col(cache.h)}, {1: _col(d_o)},
                     cache.activation, dh_next=_col(dh_from_next), steps=record)
    flat = {k: (v[:, 0] if k in ("b", "c", "h0") else v) for k, v in g.items()}
    return StepGrads(d_o=np.array(d_o, dtype=float), dh_from_output=(p["V"].T @ _col(d_o))[:, 0],
                     dh_from_next=np.array(dh_from_next, dtype=float), dh=record[1]["dh"][:, 0],
                     da=record[1]["da"][:, 0], dh_prev=flat.pop("h0"), contrib=flat)

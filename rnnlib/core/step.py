"""One timestep, forward and backward, for one sequence: the unit a student can hold in mind.

The vectorised engine (forward.py, bptt.py) computes the same numbers for whole sequences at
once; these functions exist to *show* a single step, and trace.py strings them together.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .activations import activate, derivative
from .softmax import softmax


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


def one_hot(index: int, size: int) -> np.ndarray:
    """The vector with a 1 at ``index`` and 0 elsewhere (size,)."""
    if not 0 <= index < size:
        raise ValueError(f"argument 'index': expected a token id in [0, {size}), got {index}")
    v = np.zeros(size)
    v[index] = 1.0
    return v


def step_forward(params: dict, x_t, h_prev: np.ndarray, activation: str = "tanh",
                 loss: str = "cross_entropy") -> StepCache:
    """a_t, h_t, o_t, ŷ_t from x_t (D,) or a token id, and h_{t-1} (H,)."""
    U, W, V, b, c = (params[k] for k in ("U", "W", "V", "b", "c"))
    x = one_hot(int(x_t), U.shape[1]) if np.ndim(x_t) == 0 else np.asarray(x_t, dtype=float)
    a = b + W @ h_prev + U @ x
    h = activate(a, activation)
    o = c + V @ h
    y_hat = softmax(o) if loss == "cross_entropy" else o
    return StepCache(x=x, h_prev=np.asarray(h_prev, dtype=float), a=a, h=h, o=o, y_hat=y_hat,
                     activation=activation)


def step_backward(params: dict, cache: StepCache, d_o: np.ndarray,
                  dh_from_next: np.ndarray) -> StepGrads:
    """Backpropagate through step t given ∂L/∂o_t (K,) and Wᵀ ∂L/∂a_{t+1} (H,)."""
    dh_from_output = params["V"].T @ d_o
    dh = dh_from_output + dh_from_next
    da = dh * derivative(cache.a, cache.h, cache.activation)
    contrib = {
        "U": np.outer(da, cache.x),
        "W": np.outer(da, cache.h_prev),
        "V": np.outer(d_o, cache.h),
        "b": da.copy(),
        "c": np.array(d_o, dtype=float),
    }
    return StepGrads(d_o=np.array(d_o, dtype=float), dh_from_output=dh_from_output,
                     dh_from_next=np.array(dh_from_next, dtype=float), dh=dh, da=da,
                     dh_prev=params["W"].T @ da, contrib=contrib)

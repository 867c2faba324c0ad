"""How a change in an early hidden state reaches a late one: ∂h_T/∂h_t.

One step: h_t = f(W h_{t-1} + ...), so ∂h_t/∂h_{t-1} = diag(f'(a_t)) W. Across many steps the
chain rule multiplies these, and the product's norm shrinks or grows roughly like ρ(W)^(T-t)
(Pascanu et al., 2013): the vanishing and exploding gradient problem in one number per step.
The gradient flows through the transpose, Wᵀ diag(f'(a_t)); its spectral norm is the same.
"""
from __future__ import annotations

import numpy as np

from . import rnn
from .loop import jacobian_norms_checked, run_checked
from .validation import bad_value, check_call, check_cell_call, check_float_array, check_positive


def step_jacobians(params: dict, xs, *, h0=None, activation: str = "tanh") -> np.ndarray:
    """J_t = ∂h_t/∂h_{t-1} = diag(f'(a_t)) W for t = 1..T: (T, H, H), or (T, B, H, H)."""
    call = check_call(params, xs, h0=h0, activation=activation)
    cache, _, _, _ = run_checked(call, call.xs, call.state())
    J = rnn.step_jacobians(call.params, cache)
    return J if call.batched else J[:, 0]


def jacobian_norms(params: dict, xs, *, h0=None, activation: str = "tanh", s0=None,
                   cell: str = "rnn") -> np.ndarray:
    """‖∂h_T/∂h_t‖₂ (spectral norm) for t = 0..T: (T+1,), or (T+1, B) for a batch.

    Entry T is 1 (∂h_T/∂h_T = I); entry t multiplies J_T J_{T-1} ... J_{t+1}.
    cell="lstm": the state is (h_t, s_t), so the norm is that of the H × 2H block
    ∂h_T/∂[h_t; s_t] (its h_T depends on the past through both); s0 as h0, LSTM only.
    """
    call = check_cell_call(params, xs, cell=cell, h0=h0, s0=s0, activation=activation)
    norms = jacobian_norms_checked(call)
    return norms if call.batched else norms[:, 0]


def spectral_radius(W) -> float:
    """ρ(W) = the largest |eigenvalue| of the square matrix W (H, H)."""
    W = check_float_array("W", W)
    if W.ndim != 2 or W.shape[0] != W.shape[1]:
        raise bad_value("W", "a square matrix", f"shape {W.shape}")
    return float(np.abs(np.linalg.eigvals(W)).max())


def with_spectral_radius(W, rho: float) -> np.ndarray:
    """W (H, H) rescaled so that its spectral radius is exactly ``rho`` (same eigenvectors)."""
    rho = check_positive("rho", rho, allow_zero=True)
    current = spectral_radius(W)
    if current == 0:
        raise bad_value("W", "a matrix with a spectral radius > 0 (one of 0 cannot be rescaled)",
                        "spectral radius 0")
    return np.asarray(W, dtype=float) * (rho / current)

"""Leaky units and echo-state networks (Jaeger, 2001; Jaeger et al., 2007): two other answers to
long-range dependencies (Goodfellow et al., §10.8–10.9).

A leaky unit mixes its old value into the new one, a self-connection of weight 1 − λ:

    h_t = (1 − λ) h_{t-1} + λ tanh(b + W h_{t-1} + U x_t)          0 < λ <= 1

so ∂h_t/∂h_{t-1} = (1 − λ) I + λ diag(tanh'(a_t)) W: with λ small, the first term keeps the
product of these Jacobians away from zero over many steps (λ = 1 is the book's plain RNN).

An echo-state network does not learn W, U or b at all: they are drawn at random, W scaled to
a chosen spectral radius ρ (below or near 1, so the state "echoes" its inputs and fades
without blowing up), and only the readout o = c + V h_T is fitted, by ridge regression on the
one-hot targets: a linear least-squares problem, solved in one step, no gradient through time.
"""
from __future__ import annotations

import numpy as np

from ..core.encoding import one_hot
from ..core.jacobians import with_spectral_radius
from ..core.params import init_params
from ..core.validation import (bad_value, check_class_ids, check_float_array, check_fraction,
                               check_int, check_output_layer, check_param_mapping, check_positive,
                               check_shape, check_token_ids)


def init_reservoir(input_size: int, hidden_size: int, *, rho: float = 0.9, input_scale: float = 1.0,
                   seed: int = 0) -> dict:
    """Random U (H, D) (entries N(0, input_scale²)), W (H, H) with spectral radius ``rho``, b = 0."""
    D, H = check_int("input_size", input_size), check_int("hidden_size", hidden_size)
    rho = check_positive("rho", rho)
    p = init_params(D, H, 1, seed=seed)
    p["U"] = p["U"] * np.sqrt(D) * check_positive("input_scale", input_scale)
    return {"U": p["U"], "W": with_spectral_radius(p["W"], rho), "b": p["b"]}


def _check_leak(leak) -> float:
    return check_fraction("leak", leak, low_open=True, high_open=False)


def leaky_states(params: dict, xs, *, leak: float = 1.0, h0=None) -> np.ndarray:
    """The states h_1..h_T (T, B, H) of leaky tanh units over token ids xs (T, B), from h_0 =
    ``h0`` (B, H) (default zero)."""
    leak = _check_leak(leak)
    check_param_mapping(params, ("U", "W", "b"))
    U, W, b = (check_float_array(f"params['{k}']", params[k]) for k in ("U", "W", "b"))
    xs = check_token_ids("xs", xs, U.shape[1], axes=("T", "B"), bound="D")
    h = np.zeros((xs.shape[1], W.shape[0]))
    if h0 is not None:
        h = check_shape("h0", check_float_array("h0", h0), h.shape, "(B, H)")
    return leaky_recurrence({"U": U, "W": W, "b": b}, xs, leak, h)[0][1:]


def leaky_recurrence(params: dict, xs: np.ndarray, leak: float, h0: np.ndarray, *,
                     delay: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The one loop of leaky tanh units, on arguments the caller has checked: token ids xs
    (T, B), leak λ in (0, 1], h_0 = ``h0`` (B, H); with a ``delay`` d, also the skip
    connection W_s h_{t-d} (``params["Ws"]``, (H, H); experiments/long_memory.py):

        a_t = b + W h_{t-1} [+ W_s h_{t-d} when t - d >= 1] + U x_t
        h_t = (1 − λ) h_{t-1} + λ tanh(a_t)

    Returns the states hs (T+1, B, H), hs[t] = h_t (hs[0] = h0), and tanh(a_t) (T, B, H),
    which the skip model's backward pass reuses.
    """
    U, W, b = params["U"], params["W"], params["b"]
    T, B = xs.shape
    hs = np.empty((T + 1, B, W.shape[0]))
    hs[0] = h0
    g = np.empty((T, B, W.shape[0]))
    xu = np.take(U.T, xs, axis=0) + b               # U x_t + b for every t: a column of U
    for t in range(1, T + 1):
        a = xu[t - 1] + hs[t - 1] @ W.T
        if delay is not None and t - delay >= 1:
            a = a + hs[t - delay] @ params["Ws"].T
        g[t - 1] = np.tanh(a)
        hs[t] = (1 - leak) * hs[t - 1] + leak * g[t - 1]
    return hs, g


def fit_readout(states: np.ndarray, targets, n_classes: int, *, ridge: float = 1e-3) -> dict:
    """V (K, H), c (K,) minimising Σ‖V h + c − e_y‖² + ridge‖V‖²: states (N, H), targets (N,)."""
    states = check_float_array("states", states)
    if states.ndim != 2:
        raise bad_value("states", "shape (N, H)", f"shape {states.shape}")
    N, H = states.shape
    K = check_int("n_classes", n_classes)
    y = check_class_ids("targets", targets, (N,), K)
    X = np.hstack([states, np.ones((N, 1))])
    Y = one_hot(y, K)
    reg = check_positive("ridge", ridge) * np.eye(H + 1)
    reg[H, H] = 0.0                                  # the bias is not shrunk
    sol = np.linalg.solve(X.T @ X + reg, X.T @ Y)    # (H + 1, K)
    return {"V": sol[:H].T, "c": sol[H]}


def readout_classes(readout: dict, states: np.ndarray) -> np.ndarray:
    """The class a fitted readout reads each state as, argmax_k (V h + c)_k: ints (N,), for
    states (N, H) and readout {"V" (K, H), "c" (K,)} (``fit_readout``'s)."""
    states = check_float_array("states", states)
    if states.ndim != 2:
        raise bad_value("states", "shape (N, H)", f"shape {states.shape}")
    V, c = check_output_layer(readout, states.shape[1], "readout")
    return (states @ V.T + c).argmax(axis=1)

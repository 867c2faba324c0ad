"""The reference implementation: the RNN's forward pass and BPTT written as the algorithm.

One sequence at a time, column vectors, the book's notation (Goodfellow et al., ch. 10):

    a_t = b + W h_{t-1} + U x_t      h_t = f(a_t)      o_t = c + V h_t      ŷ_t = softmax(o_t)

:func:`rnn_forward` is a loop forward over t; :func:`rnn_backward` is a loop backward over t
that carries ``dh_next`` = ∂L/∂h_t as it arrives from step t+1. Time runs 1..T as in the
math: every intermediate is a dict keyed by t, with ``h[0]`` = h_0.

``rnnlib.loss_and_grads`` and ``rnnlib.forward`` (bptt.py, forward.py) compute the same numbers
faster, for whole batches at once; the tests hold them equal to this module over every option.
This one is written to be read, not to be fast.
"""
from __future__ import annotations

import numpy as np

from .activations import activate, derivative
from .forward import ForwardResult
from .validation import Call, check_call, check_finite_logits


def rnn_forward(params: dict, x: dict, h0: np.ndarray, activation: str = "tanh"):
    """x: {t: x_t (D, 1)} for t = 1..T; h0: (H, 1); params with b (H, 1), c (K, 1).

    Returns the dicts a, h, o keyed by t: a[t], h[t] (H, 1), o[t] (K, 1); h[0] is h0.
    """
    U, W, V, b, c = params["U"], params["W"], params["V"], params["b"], params["c"]
    a, h, o = {}, {0: h0}, {}
    for t in range(1, len(x) + 1):
        a[t] = b + W @ h[t - 1] + U @ x[t]
        h[t] = activate(a[t], activation)
        o[t] = c + V @ h[t]
    return a, h, o


def rnn_backward(params: dict, x: dict, a: dict, h: dict, do: dict, activation: str = "tanh",
                 dh_next=None, steps: dict | None = None):
    """BPTT for one sequence. do: {t: ∂L/∂o_t (K, 1)}, zeros where step t is not scored.

    dh_next: ∂L/∂h_T from beyond the last step (None: zeros). ``steps``, if a dict, receives
    what each step t computed, {"dh_from_next", "dh", "da"} (a trace shows them).
    Returns the gradients of U, W, V, b, c (b, c as (H, 1), (K, 1) columns) and of h0 (H, 1).
    """
    U, W, V = params["U"], params["W"], params["V"]
    dU, dW, dV = np.zeros_like(U), np.zeros_like(W), np.zeros_like(V)
    db, dc = np.zeros_like(params["b"]), np.zeros_like(params["c"])
    dh_next = np.zeros_like(h[0]) if dh_next is None else dh_next
    for t in range(len(x), 0, -1):
        dV += do[t] @ h[t].T
        dc += do[t]
        dh = V.T @ do[t] + dh_next         # through o_t, and through a_{t+1}
        da = dh * derivative(a[t], h[t], activation)
        dU += da @ x[t].T
        dW += da @ h[t - 1].T
        db += da
        if steps is not None:
            steps[t] = {"dh_from_next": dh_next, "dh": dh, "da": da}
        dh_next = W.T @ da                 # ∂L/∂h_{t-1}, sent back to step t-1
    return {"U": dU, "W": dW, "V": dV, "b": db, "c": dc, "h0": dh_next}


def step_loss(o: np.ndarray, y, loss: str) -> tuple[float, np.ndarray]:
    """L_t and ∂L_t/∂o_t for logits o (K, 1): -log softmax(o)[y] for a class id y, or
    ½‖o - y‖² for a target column y (K, 1)."""
    if loss == "mse":
        return 0.5 * float(np.sum((o - y) ** 2)), o - y
    log_sum_exp = o.max() + np.log(np.sum(np.exp(o - o.max())))   # log Σ e^{o_k}, no overflow
    y_hat = np.exp(o - log_sum_exp)
    do = y_hat.copy()
    do[y] -= 1.0                           # ŷ_t - onehot(y_t)
    return float(log_sum_exp - o[y, 0]), do


def sequence_loss_and_grads(params: dict, x: dict, y: dict, h0: np.ndarray, activation: str,
                            loss: str):
    """Forward, score the steps that have a target (y: {t: y_t}), backward.

    Returns (loss, grads, h_T)."""
    a, h, o = rnn_forward(params, x, h0, activation)
    check_finite_logits(np.hstack(list(o.values())))
    total, do = 0.0, {t: np.zeros_like(o[t]) for t in o}
    for t in y:
        L_t, do[t] = step_loss(o[t], y[t], loss)
        total += L_t
    return total, rnn_backward(params, x, a, h, do, activation), h[len(x)]


# ------------------------------------------------------------------ the public calls
# These only translate between the public layout (arrays, batches, truncation) and the
# one-sequence loops above.

def column_params(params: dict) -> dict:
    """The parameters with the biases b, c as columns (H, 1), (K, 1)."""
    p = dict(params)
    p["b"] = np.asarray(p["b"], dtype=float).reshape(-1, 1)
    p["c"] = np.asarray(p["c"], dtype=float).reshape(-1, 1)
    return p


def sequence_inputs(call: Call, seq: int) -> dict:
    """{t: x_t (D, 1)} for sequence ``seq``; a token id becomes its one-hot column."""
    if call.token_ids:
        eye = np.eye(call.sizes.D)
        return {t: eye[:, [call.xs[t - 1, seq]]] for t in range(1, call.T + 1)}
    return {t: call.xs[t - 1, seq][:, None] for t in range(1, call.T + 1)}


def sequence_targets(call: Call, seq: int) -> dict:
    """{t: y_t} for the scored steps of sequence ``seq``: a class id, or a (K, 1) column."""
    def target(y):
        return int(y) if call.loss == "cross_entropy" else np.asarray(y)[:, None]
    if call.mode == "many_to_one":
        return {call.T: target(call.targets[seq])}
    return {t: target(call.targets[t - 1, seq]) for t in range(1, call.T + 1)}


def _chunk(d: dict, start: int, stop: int) -> dict:
    """The entries of steps start+1..stop, renumbered 1..stop-start."""
    return {t - start: v for t, v in d.items() if start < t <= stop}


def forward(params: dict, xs, h0=None, activation: str = "tanh") -> ForwardResult:
    """As :func:`rnnlib.forward`: a, h (T, [B,] H), o (T, [B,] K), computed by :func:`rnn_forward`."""
    call = check_call(params, xs, h0=h0, activation=activation)
    p, runs = column_params(call.params), []
    for seq in range(call.B):
        a, h, o = rnn_forward(p, sequence_inputs(call, seq), call.h0[seq][:, None], activation)
        runs.append([np.hstack([d[t] for t in range(1, call.T + 1)]).T for d in (a, h, o)])
    a, h, o = (np.stack([run[i] for run in runs], axis=1) for i in range(3))   # (T, B, ·)
    check_finite_logits(o)
    if not call.batched:
        return ForwardResult(a[:, 0], h[:, 0], o[:, 0], call.h0[0], activation)
    return ForwardResult(a, h, o, call.h0, activation)


def loss_and_grads(params: dict, xs, targets, *, h0=None, activation: str = "tanh",
                   loss: str = "cross_entropy", mode: str = "many_to_many",
                   truncate: int | None = None) -> tuple[float, dict]:
    """As :func:`rnnlib.loss_and_grads` (same arguments, checks and result), one sequence
    and one chunk of ``truncate`` steps at a time through :func:`sequence_loss_and_grads`."""
    call = check_call(params, xs, h0=h0, activation=activation, targets=targets, loss=loss,
                      mode=mode, truncate=truncate)
    p = column_params(call.params)
    k = call.truncate or call.T
    total = 0.0
    grads = {key: np.zeros_like(v) for key, v in p.items()}
    dh0 = np.zeros_like(call.h0)                          # (B, H), one row per sequence
    for seq in range(call.B):
        x, y = sequence_inputs(call, seq), sequence_targets(call, seq)
        h_prev = call.h0[seq][:, None]
        for start in range(0, call.T, k):                  # no gradient crosses a chunk edge
            stop = min(start + k, call.T)
            L, g, h_prev = sequence_loss_and_grads(p, _chunk(x, start, stop),
                                                   _chunk(y, start, stop), h_prev,
                                                   activation, loss)
            total += L
            for key in grads:
                grads[key] += g[key]
            if start == 0:                                 # h0 feeds the first chunk only
                dh0[seq] = g["h0"][:, 0]
    grads["b"], grads["c"] = grads["b"][:, 0], grads["c"][:, 0]
    if not call.batched:
        grads["h0"] = dh0[0]
    else:
        grads["h0"] = dh0.sum(axis=0) if call.h0_shared else dh0
    return total, grads

"""The reference implementation: every cell's forward pass and BPTT written as the algorithm.

One sequence at a time, column vectors, the book's notation (Goodfellow et al., ch. 10):

    a_t = b + W h_{t-1} + U x_t      h_t = f(a_t)      o_t = c + V h_t      ŷ_t = softmax(o_t)

:func:`rnn_forward` is a loop forward over t; :func:`rnn_backward` is a loop backward over t
that carries ``dh_next`` = ∂L/∂h_t as it arrives from step t+1. Time runs 1..T as in the
math: every intermediate is a dict keyed by t, with ``h[0]`` = h_0.

The gated cells are written the same way, one equation a line: :func:`lstm_forward` /
:func:`lstm_backward` (which carries ``dh_next`` and ``ds_next``, the cell state's gradient)
and :func:`gru_forward` / :func:`gru_backward`. Their gates are stacked in U, W, b as the
contract says (LSTM: i, f, g, q; GRU: u, r, n).

``rnnlib.loss_and_grads`` and ``rnnlib.forward`` (bptt.py, forward.py, gated.py, lstm.py,
gru.py) compute the same numbers faster, for whole batches at once; the tests hold them equal
to this module over every option. This one is written to be read, not to be fast.
"""
from __future__ import annotations

import numpy as np

from .activations import activate, derivative, sigmoid
from .encoding import one_hot
from .forward import ForwardResult, GatedForwardResult
from .validation import Call, check_call, check_finite_logits, check_gated_call


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


def lstm_forward(params: dict, x: dict, h0: np.ndarray, s0: np.ndarray):
    """The LSTM forward. x: {t: x_t (D, 1)}; h0, s0 (H, 1); params with b (4H, 1), c (K, 1).

    Returns (steps, o): steps[t] holds the gates i, f, g, q and the states s, h (each (H, 1))
    for t = 1..T, steps[0] holds h_0 and s_0; o[t] is (K, 1).
    """
    U, W, V, b, c = params["U"], params["W"], params["V"], params["b"], params["c"]
    H = W.shape[1]
    steps, o = {0: {"h": h0, "s": s0}}, {}
    for t in range(1, len(x) + 1):
        h_prev, s_prev = steps[t - 1]["h"], steps[t - 1]["s"]
        z = b + W @ h_prev + U @ x[t]                   # the four gates' pre-activations (4H, 1)
        i = sigmoid(z[:H])                              # input gate
        f = sigmoid(z[H:2 * H])                         # forget gate
        g = np.tanh(z[2 * H:3 * H])                     # candidate
        q = sigmoid(z[3 * H:])                          # output gate
        s = f * s_prev + i * g                          # the cell state: kept, plus written
        h = q * np.tanh(s)
        steps[t] = {"i": i, "f": f, "g": g, "q": q, "s": s, "h": h}
        o[t] = c + V @ h
    return steps, o


def lstm_backward(params: dict, x: dict, steps: dict, do: dict):
    """BPTT through the LSTM for one sequence. do: {t: ∂L/∂o_t (K, 1)}.

    Carries two gradients back: dh_next = ∂L/∂h_t and ds_next = ∂L/∂s_t from step t+1.
    Returns the gradients of U, W, V, b, c (b, c as columns) and of h0, s0 (H, 1).
    """
    U, W, V = params["U"], params["W"], params["V"]
    dU, dW, dV = np.zeros_like(U), np.zeros_like(W), np.zeros_like(V)
    db, dc = np.zeros_like(params["b"]), np.zeros_like(params["c"])
    dh_next, ds_next = np.zeros_like(steps[0]["h"]), np.zeros_like(steps[0]["s"])
    for t in range(len(x), 0, -1):
        st, prev = steps[t], steps[t - 1]
        i, f, g, q, tanh_s = st["i"], st["f"], st["g"], st["q"], np.tanh(st["s"])
        dV += do[t] @ st["h"].T
        dc += do[t]
        dh = V.T @ do[t] + dh_next                      # through o_t, and through step t+1
        ds = dh * q * (1 - tanh_s ** 2) + ds_next       # through h_t, and through s_{t+1}
        dz = np.vstack([ds * g * i * (1 - i),           # ∂L/∂z_i
                        ds * prev["s"] * f * (1 - f),   # ∂L/∂z_f
                        ds * i * (1 - g ** 2),          # ∂L/∂z_g
                        dh * tanh_s * q * (1 - q)])     # ∂L/∂z_q
        dU += dz @ x[t].T
        dW += dz @ prev["h"].T
        db += dz
        dh_next = W.T @ dz                              # ∂L/∂h_{t-1}
        ds_next = ds * f                                # ∂L/∂s_{t-1}: only the forget gate
    return {"U": dU, "W": dW, "V": dV, "b": db, "c": dc, "h0": dh_next, "s0": ds_next}


def gru_forward(params: dict, x: dict, h0: np.ndarray):
    """The GRU forward (Cho et al.). x: {t: x_t (D, 1)}; h0 (H, 1); b (3H, 1), c (K, 1).

    Returns (steps, o): steps[t] holds the gates u, r, n and h (each (H, 1)); steps[0] h_0.
    """
    U, W, V, b, c = params["U"], params["W"], params["V"], params["b"], params["c"]
    H = W.shape[1]
    steps, o = {0: {"h": h0}}, {}
    for t in range(1, len(x) + 1):
        h_prev = steps[t - 1]["h"]
        u = sigmoid(b[:H] + W[:H] @ h_prev + U[:H] @ x[t])                  # update gate
        r = sigmoid(b[H:2 * H] + W[H:2 * H] @ h_prev + U[H:2 * H] @ x[t])   # reset gate
        n = np.tanh(b[2 * H:] + W[2 * H:] @ (r * h_prev) + U[2 * H:] @ x[t])  # reset first
        h = u * h_prev + (1 - u) * n                    # u keeps the old state
        steps[t] = {"u": u, "r": r, "n": n, "h": h}
        o[t] = c + V @ h
    return steps, o


def gru_backward(params: dict, x: dict, steps: dict, do: dict):
    """BPTT through the GRU for one sequence. do: {t: ∂L/∂o_t (K, 1)}.

    Returns the gradients of U, W, V, b, c (b, c as columns) and of h0 (H, 1).
    """
    U, W, V = params["U"], params["W"], params["V"]
    H = W.shape[1]
    dU, dW, dV = np.zeros_like(U), np.zeros_like(W), np.zeros_like(V)
    db, dc = np.zeros_like(params["b"]), np.zeros_like(params["c"])
    dh_next = np.zeros_like(steps[0]["h"])
    for t in range(len(x), 0, -1):
        u, r, n, h_prev = steps[t]["u"], steps[t]["r"], steps[t]["n"], steps[t - 1]["h"]
        dV += do[t] @ steps[t]["h"].T
        dc += do[t]
        dh = V.T @ do[t] + dh_next
        dz_n = dh * (1 - u) * (1 - n ** 2)
        d_rh = W[2 * H:].T @ dz_n                       # ∂L/∂(r ⊙ h_{t-1})
        dz_u = dh * (h_prev - n) * u * (1 - u)
        dz_r = d_rh * h_prev * r * (1 - r)
        dz = np.vstack([dz_u, dz_r, dz_n])
        dU += dz @ x[t].T
        db += dz
        dW[:2 * H] += dz[:2 * H] @ h_prev.T
        dW[2 * H:] += dz_n @ (r * h_prev).T
        dh_next = dh * u + d_rh * r + W[:2 * H].T @ dz[:2 * H]
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
                            loss: str, cell: str = "rnn", s0: np.ndarray | None = None):
    """Forward, score the steps that have a target (y: {t: y_t}), backward.

    x: {t: x_t (D, 1)}; h0, s0 (H, 1). Returns (loss, grads, final state): grads as column
    arrays shaped like the parameters; the state is h_T (H, 1), or (h_T, s_T) for the LSTM."""
    if cell == "rnn":
        a, h, o = rnn_forward(params, x, h0, activation)
    elif cell == "lstm":
        steps, o = lstm_forward(params, x, h0, s0)
    else:
        steps, o = gru_forward(params, x, h0)
    check_finite_logits(np.hstack(list(o.values())))
    total, do = 0.0, {t: np.zeros_like(o[t]) for t in o}
    for t in y:
        L_t, do[t] = step_loss(o[t], y[t], loss)
        total += L_t
    if cell == "rnn":
        return total, rnn_backward(params, x, a, h, do, activation), h[len(x)]
    if cell == "lstm":
        last = steps[len(x)]
        return total, lstm_backward(params, x, steps, do), (last["h"], last["s"])
    return total, gru_backward(params, x, steps, do), steps[len(x)]["h"]


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
        return {t: one_hot(call.xs[t - 1, seq], call.sizes.D)[:, None]
                for t in range(1, call.T + 1)}
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


def forward(params: dict, xs, h0=None, activation: str = "tanh", *, s0=None, cell: str = "rnn"):
    """As :func:`rnnlib.forward`: a, h (T, [B,] H), o (T, [B,] K), computed by :func:`rnn_forward`;
    for cell="lstm"/"gru" a GatedForwardResult (h, o, s, gates) from the gated loops."""
    if cell != "rnn" or s0 is not None:
        return _gated_forward(params, xs, h0, s0, cell, activation)
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


def _gated_forward(params, xs, h0, s0, cell: str, activation: str) -> GatedForwardResult:
    call = check_gated_call(params, xs, cell=cell, h0=h0, s0=s0, activation=activation)
    p, runs = column_params(call.params), []
    names = ("i", "f", "g", "q", "s") if cell == "lstm" else ("u", "r", "n")
    for seq in range(call.B):
        x = sequence_inputs(call, seq)
        if cell == "lstm":
            steps, o = lstm_forward(p, x, call.h0[seq][:, None], call.s0[seq][:, None])
        else:
            steps, o = gru_forward(p, x, call.h0[seq][:, None])
        ts = range(1, call.T + 1)
        runs.append({k: np.hstack([steps[t][k] for t in ts]).T for k in names + ("h",)}
                    | {"o": np.hstack([o[t] for t in ts]).T})
    out = {k: np.stack([run[k] for run in runs], axis=1) for k in runs[0]}   # (T, B, ·)
    check_finite_logits(out["o"])

    def one(v):
        return v if (v is None or call.batched) else v[:, 0]
    start = (lambda v: v if (v is None or call.batched) else v[0])
    gates = {k: one(out[k]) for k in names if k != "s"}
    return GatedForwardResult(h=one(out["h"]), o=one(out["o"]), s=one(out.get("s")), gates=gates,
                              h0=start(call.h0), s0=start(call.s0), cell=cell)


def loss_and_grads(params: dict, xs, targets, *, h0=None, activation: str = "tanh",
                   loss: str = "cross_entropy", mode: str = "many_to_many",
                   truncate: int | None = None, s0=None, cell: str = "rnn") -> tuple[float, dict]:
    """As :func:`rnnlib.loss_and_grads` (same arguments, checks and result), one sequence
    and one chunk of ``truncate`` steps at a time through :func:`sequence_loss_and_grads`.

    params U (G·H, D), W (G·H, H), V (K, H), b (G·H,), c (K,); xs (T, [B,] D) floats or
    (T, [B]) ids; h0, s0 (H,) / (B, H) / None. grads: as params, "h0" (and for the LSTM "s0")
    shaped as the state is or would be."""
    if cell != "rnn" or s0 is not None:
        call = check_gated_call(params, xs, cell=cell, h0=h0, s0=s0, activation=activation,
                                targets=targets, loss=loss, mode=mode, truncate=truncate)
    else:
        call = check_call(params, xs, h0=h0, activation=activation, targets=targets, loss=loss,
                          mode=mode, truncate=truncate)
    lstm = cell == "lstm"
    p = column_params(call.params)
    k = call.truncate or call.T
    total = 0.0
    grads = {key: np.zeros_like(v) for key, v in p.items()}
    dh0 = np.zeros_like(call.h0)                          # (B, H), one row per sequence
    ds0 = np.zeros_like(call.h0)
    for seq in range(call.B):
        x, y = sequence_inputs(call, seq), sequence_targets(call, seq)
        h_prev = call.h0[seq][:, None]
        s_prev = call.s0[seq][:, None] if lstm else None
        for start in range(0, call.T, k):                  # no gradient crosses a chunk edge
            stop = min(start + k, call.T)
            L, g, state = sequence_loss_and_grads(p, _chunk(x, start, stop),
                                                  _chunk(y, start, stop), h_prev,
                                                  activation, loss, cell, s_prev)
            h_prev, s_prev = state if lstm else (state, None)
            total += L
            for key in grads:
                grads[key] += g[key]
            if start == 0:                                 # the state feeds the first chunk only
                dh0[seq] = g["h0"][:, 0]
                if lstm:
                    ds0[seq] = g["s0"][:, 0]
    grads["b"], grads["c"] = grads["b"][:, 0], grads["c"][:, 0]
    grads["h0"] = _state_grad(call, dh0, call.h0_shared)
    if lstm:
        grads["s0"] = _state_grad(call, ds0, call.s0_shared)
    return total, grads


def _state_grad(call, d: np.ndarray, shared: bool) -> np.ndarray:
    """A state's gradient in the caller's shape: (H,) for one sequence or a shared state."""
    if not call.batched:
        return d[0]
    return d.sum(axis=0) if shared else d

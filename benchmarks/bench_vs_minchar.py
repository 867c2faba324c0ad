"""Goal 2: rnnlib against a plain per-timestep loop, and tokens per second as the batch grows.

The baseline is a loop in the style of Karpathy's min-char-rnn, written here in the book's
notation: one-hot column vectors x_t, dictionaries of states and probabilities, a loop
forward, a loop backward with ``dh_next``. Same model (tanh, summed cross-entropy), same
numbers: its loss and gradients are checked against rnnlib's before anything is timed.

Sizes: D = K = 65 (a character vocabulary), H = 100, T = 25 — min-char-rnn's own.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import Row, time_interleaved  # noqa: E402

import numpy as np  # noqa: E402

import rnnlib  # noqa: E402

D = K = 65
H, T = 100, 25
BATCHES = (1, 4, 16, 64)
TARGET_SPEEDUP = 2.0


def minchar_loss_and_grads(p: dict, inputs, targets, h_prev: np.ndarray):
    """Loss and gradients of one sequence, one time step at a time, with one-hot columns.

    inputs, targets: lists of T ints; h_prev: (H, 1). Returns (loss, grads, h_T).
    """
    U, W, V = p["U"], p["W"], p["V"]
    b, c = p["b"][:, None], p["c"][:, None]          # biases as columns
    xs, hs, ps = {}, {-1: h_prev}, {}
    loss = 0.0
    for t in range(len(inputs)):                     # forward
        xs[t] = np.zeros((D, 1))
        xs[t][inputs[t]] = 1.0                       # the one-hot input x_t
        hs[t] = np.tanh(U @ xs[t] + W @ hs[t - 1] + b)
        o = V @ hs[t] + c
        ps[t] = np.exp(o) / np.sum(np.exp(o))        # softmax
        loss += -np.log(ps[t][targets[t], 0])
    dU, dW, dV = np.zeros_like(U), np.zeros_like(W), np.zeros_like(V)
    db, dc = np.zeros_like(b), np.zeros_like(c)
    dh_next = np.zeros_like(hs[0])
    for t in reversed(range(len(inputs))):           # backward
        do = ps[t].copy()
        do[targets[t]] -= 1.0                        # ŷ_t - onehot(y_t)
        dV += do @ hs[t].T
        dc += do
        dh = V.T @ do + dh_next
        da = (1.0 - hs[t] * hs[t]) * dh              # through tanh
        db += da
        dU += da @ xs[t].T
        dW += da @ hs[t - 1].T
        dh_next = W.T @ da
    grads = {"U": dU, "W": dW, "V": dV, "b": db[:, 0], "c": dc[:, 0], "h0": dh_next[:, 0]}
    return loss, grads, hs[len(inputs) - 1]


def run(quick: bool = False) -> list[Row]:
    rng = np.random.default_rng(0)
    params = rnnlib.init_params(D, H, K, seed=0)
    ids, targets = rng.integers(0, D, T), rng.integers(0, K, T)
    inputs_list, targets_list = ids.tolist(), targets.tolist()
    h0 = np.zeros((H, 1))

    loss, grads = rnnlib.loss_and_grads(params, ids, targets)
    loss_m, grads_m, _ = minchar_loss_and_grads(params, inputs_list, targets_list, h0)
    assert abs(loss - loss_m) <= 1e-9 * loss
    assert all(np.allclose(grads[k], grads_m[k], rtol=1e-7, atol=1e-12) for k in grads)

    reps = 200 if quick else 1500
    times = time_interleaved({
        "rnnlib": lambda: rnnlib.loss_and_grads(params, ids, targets),
        "loop": lambda: minchar_loss_and_grads(params, inputs_list, targets_list, h0),
    }, reps=reps, warmup=20)
    rnnlib_tps, loop_tps = T / times["rnnlib"], T / times["loop"]
    speedup = rnnlib_tps / loop_tps
    rows = [Row(f"2a. tokens/s at B=1 vs min-char loop (T={T}, H={H}, D=K={D})",
                f"{rnnlib_tps:,.0f} vs {loop_tps:,.0f} tok/s", f">= {TARGET_SPEEDUP:g}x",
                speedup, speedup >= TARGET_SPEEDUP,
                note=f"per sequence {times['rnnlib'] * 1e6:.0f} us vs {times['loop'] * 1e6:.0f} us; "
                     f"median of {reps} interleaved reps")]

    # Every batch size in one interleaved loop, so load from elsewhere hits them alike.
    batches = {B: (rng.integers(0, D, (T, B)), rng.integers(0, K, (T, B))) for B in BATCHES}
    seconds = time_interleaved(
        {B: (lambda x=x, y=y: rnnlib.loss_and_grads(params, x, y)) for B, (x, y) in batches.items()},
        reps=60 if quick else 300, warmup=5)
    tps = {B: T * B / seconds[B] for B in BATCHES}
    grows = all(tps[a] < tps[b] for a, b in zip(BATCHES, BATCHES[1:]))
    rows.append(Row("2b. tokens/s grows with batch size B",
                    ", ".join(f"B={B}: {v:,.0f}" for B, v in tps.items()),
                    "increasing in B", tps[BATCHES[-1]] / tps[BATCHES[0]], grows,
                    note=f"ratio = tokens/s at B={BATCHES[-1]} / at B={BATCHES[0]}; T={T}, H={H}; "
                         f"median of {60 if quick else 300} interleaved reps"))
    return rows


if __name__ == "__main__":
    # Run through run_all in a fresh interpreter, so threads are pinned before numpy loads.
    import os
    os.execv(sys.executable, [sys.executable, str(Path(__file__).with_name("run_all.py")),
                              "--only", "vs_minchar", *sys.argv[1:]])

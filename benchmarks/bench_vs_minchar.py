"""Goal 2: rnnlib against min-char-rnn's own loop, and tokens per second as the batch grows.

The baseline is a faithful copy of ``lossFun`` from Karpathy's min-char-rnn (2015): one-hot
column vectors, dictionaries xs, hs, ys, ps keyed by t, ``np.dot`` everywhere, a loop forward
and a loop backward with ``dhnext``. Only the gradient clipping at its end is left out (rnnlib
clips outside the loss). The weights are min-char's names for rnnlib's: Wxh = U, Whh = W,
Why = V, bh = b, by = c. Its loss and gradients are checked against rnnlib's before timing.

Sizes: D = K = 65 (a character vocabulary), H = 100, T = 25 — min-char-rnn's own.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import Row, compare, spread, time_interleaved

import numpy as np

import rnnlib

D = K = 65
H, T = 100, 25
BATCHES = (1, 4, 16, 64)
TARGET_SPEEDUP = 3.0


def make_lossFun(params: dict):
    """min-char-rnn's lossFun, closed over rnnlib's weights (min-char keeps them global)."""
    Wxh, Whh, Why = params["U"], params["W"], params["V"]
    bh, by = params["b"].reshape(-1, 1), params["c"].reshape(-1, 1)
    vocab_size = Wxh.shape[1]

    def lossFun(inputs, targets, hprev):
        """inputs, targets are both list of integers. hprev is Hx1 array of initial hidden
        state. returns the loss, gradients on model parameters, and last hidden state"""
        xs, hs, ys, ps = {}, {}, {}, {}
        hs[-1] = np.copy(hprev)
        loss = 0
        # forward pass
        for t in range(len(inputs)):
            xs[t] = np.zeros((vocab_size, 1))  # encode in 1-of-k representation
            xs[t][inputs[t]] = 1
            hs[t] = np.tanh(np.dot(Wxh, xs[t]) + np.dot(Whh, hs[t - 1]) + bh)  # hidden state
            ys[t] = np.dot(Why, hs[t]) + by  # unnormalized log probabilities for next chars
            ps[t] = np.exp(ys[t]) / np.sum(np.exp(ys[t]))  # probabilities for next chars
            loss += -np.log(ps[t][targets[t], 0])  # softmax (cross-entropy loss)
        # backward pass: compute gradients going backwards
        dWxh, dWhh, dWhy = np.zeros_like(Wxh), np.zeros_like(Whh), np.zeros_like(Why)
        dbh, dby = np.zeros_like(bh), np.zeros_like(by)
        dhnext = np.zeros_like(hs[0])
        for t in reversed(range(len(inputs))):
            dy = np.copy(ps[t])
            dy[targets[t]] -= 1  # backprop into y
            dWhy += np.dot(dy, hs[t].T)
            dby += dy
            dh = np.dot(Why.T, dy) + dhnext  # backprop into h
            dhraw = (1 - hs[t] * hs[t]) * dh  # backprop through tanh nonlinearity
            dbh += dhraw
            dWxh += np.dot(dhraw, xs[t].T)
            dWhh += np.dot(dhraw, hs[t - 1].T)
            dhnext = np.dot(Whh.T, dhraw)
        # (min-char-rnn clips every gradient to [-5, 5] here; left out, as rnnlib clips outside)
        return loss, dWxh, dWhh, dWhy, dbh, dby, hs[len(inputs) - 1]

    return lossFun


def run(quick: bool = False) -> list[Row]:
    rng = np.random.default_rng(0)
    params = rnnlib.init_params(D, H, K, seed=0)
    params["b"], params["c"] = rng.normal(0, 0.1, H), rng.normal(0, 0.1, K)
    ids, targets = rng.integers(0, D, T), rng.integers(0, K, T)
    inputs_list, targets_list = ids.tolist(), targets.tolist()
    hprev = np.zeros((H, 1))
    lossFun = make_lossFun(params)

    loss, grads = rnnlib.loss_and_grads(params, ids, targets)
    loss_m, dU, dW, dV, db, dc, _ = lossFun(inputs_list, targets_list, hprev)
    assert abs(loss - loss_m) <= 1e-9 * loss
    for mine, theirs in ((grads["U"], dU), (grads["W"], dW), (grads["V"], dV),
                         (grads["b"], db[:, 0]), (grads["c"], dc[:, 0])):
        assert np.allclose(mine, theirs, rtol=1e-7, atol=1e-12)

    rounds, reps = (5, 40) if quick else (15, 100)
    result = compare({
        "rnnlib": lambda: rnnlib.loss_and_grads(params, ids, targets),
        "min-char": lambda: lossFun(inputs_list, targets_list, hprev),
    }, rounds=rounds, reps=reps, warmup=20)
    speedup = result.ratio("min-char", "rnnlib")          # time(loop) / time(rnnlib)
    rnnlib_tps, loop_tps = T / result.seconds("rnnlib"), T / result.seconds("min-char")
    rows = [Row(f"2a. tokens/s at B=1 vs min-char-rnn lossFun (T={T}, H={H}, D=K={D})",
                f"{rnnlib_tps:,.0f} vs {loop_tps:,.0f} tok/s; speedup {spread(speedup)}",
                f">= {TARGET_SPEEDUP:g}x", speedup[0], speedup[0] >= TARGET_SPEEDUP,
                note=f"per sequence {result.seconds('rnnlib') * 1e6:.0f} us vs "
                     f"{result.seconds('min-char') * 1e6:.0f} us; {rounds} rounds x {reps} "
                     f"interleaved calls, median (min..max) of the per-round ratios; PASS on "
                     f"the median")]

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

"""Goal 1: rnnlib's forward + backward against PyTorch CPU autograd on the same model.

Model: D = K = 65, H = 128, T = 50, B = 32, float64, tanh, token-id inputs, summed
cross-entropy. rnnlib: ``rnnlib.loss_and_grads(params, ids, targets)``.

PyTorch gets the same weights (weight_ih = U, weight_hh = W, bias_ih = b, bias_hh = 0,
Linear = (V, c)) and is timed in two formulations; the faster one is the comparison:

* ``nn.RNN``: ``torch.nn.RNN`` (tanh, batch_first=False, float64) on one-hot float inputs
  built once outside the timed region, a ``Linear`` output layer, ``cross_entropy(...,
  reduction="sum")``, gradients by ``torch.autograd.grad`` (fresh tensors, like rnnlib).
* ``embedding loop``: ``F.embedding`` picks columns of U (as rnnlib does), then a Python loop
  of ``tanh(addmm(...))`` steps; same output layer, loss and autograd.

Threads: every contestant is timed at every thread count asked for (``run_all.py --threads``,
default 1 and 2), all in the same interleaved rounds, and each is compared at its own best
count, which the row names: a ratio is then what a user who set the threads well would see,
not a comparison in which one side is slowed down by a count that does not suit it.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (Row, ThreadSwitch, compare_at_best_threads, spread, threads_label,
                     try_import_torch)

import numpy as np

import rnnlib

D = K = 65
H, T, B = 128, 50, 32
TARGET = 0.60


def problem(seed: int = 0):
    rng = np.random.default_rng(seed)
    params = rnnlib.init_params(D, H, K, seed=seed)
    return params, rng.integers(0, D, (T, B)), rng.integers(0, K, (T, B))


def torch_versions(torch, params, ids, targets):
    """{name: a function computing loss and every gradient in PyTorch}, and a check of the loss."""
    F = torch.nn.functional
    rnn = torch.nn.RNN(D, H, nonlinearity="tanh", batch_first=False, dtype=torch.float64)
    out = torch.nn.Linear(H, K, dtype=torch.float64)
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(torch.from_numpy(params["U"]))
        rnn.weight_hh_l0.copy_(torch.from_numpy(params["W"]))
        rnn.bias_ih_l0.copy_(torch.from_numpy(params["b"]))
        rnn.bias_hh_l0.zero_()
        out.weight.copy_(torch.from_numpy(params["V"]))
        out.bias.copy_(torch.from_numpy(params["c"]))
    weights = list(rnn.parameters()) + list(out.parameters())
    ids_t = torch.from_numpy(ids)
    y = torch.from_numpy(targets).reshape(-1)
    one_hot = F.one_hot(ids_t, D).to(torch.float64)       # built once, outside the timing

    def nn_rnn():
        hs, _ = rnn(one_hot)
        loss = F.cross_entropy(out(hs).reshape(-1, K), y, reduction="sum")
        return loss, torch.autograd.grad(loss, weights)

    U, W = rnn.weight_ih_l0, rnn.weight_hh_l0
    bias = rnn.bias_ih_l0, rnn.bias_hh_l0

    def embedding_loop():
        xu = F.embedding(ids_t, U.t()) + bias[0] + bias[1]
        h = torch.zeros(B, H, dtype=torch.float64)
        hs = []
        for t in range(T):
            h = torch.tanh(torch.addmm(xu[t], h, W.t()))
            hs.append(h)
        loss = F.cross_entropy(out(torch.stack(hs)).reshape(-1, K), y, reduction="sum")
        return loss, torch.autograd.grad(loss, weights)

    return {"nn.RNN (one-hot input)": nn_rnn, "embedding loop (F.embedding)": embedding_loop}


def run(quick: bool = False, threads=(1,)) -> list[Row]:
    """Goal 1 with each contestant at its best thread count among ``threads``."""
    torch = try_import_torch()
    name = f"1. fwd+bwd vs PyTorch (T={T}, B={B}, H={H}, D=K={D})"
    if torch is None:
        return [Row(name, "skipped: torch not installed", f"<= {TARGET}",
                    note="pip install torch==2.13.0 (CPU wheel) to enable")]
    try:
        switch = ThreadSwitch(torch)
    except ImportError:
        return [Row(name, "skipped: threadpoolctl not installed", f"<= {TARGET}",
                    note="pip install threadpoolctl (switches numpy's BLAS threads)")]
    params, ids, targets = problem()
    versions = torch_versions(torch, params, ids, targets)

    # Same model, same numbers: the losses and a gradient must agree before timing means anything.
    loss, grads = rnnlib.loss_and_grads(params, ids, targets)
    for fn in versions.values():
        t_loss, t_grads = fn()
        assert abs(t_loss.item() - loss) <= 1e-9 * abs(loss), (t_loss.item(), loss)
        assert np.allclose(t_grads[1].numpy(), grads["W"], rtol=1e-7, atol=1e-10)

    fns = {"rnnlib": lambda: rnnlib.loss_and_grads(params, ids, targets), **versions}
    rounds, reps = (4, 10) if quick else (12, 25)
    result, best = compare_at_best_threads(fns, threads, switch, rounds=rounds, reps=reps,
                                           warmup=5)
    torch_name = min(versions, key=lambda k: result.seconds((k, best[k])))
    mine, theirs = ("rnnlib", best["rnnlib"]), (torch_name, best[torch_name])
    ratio = result.ratio(mine, theirs)
    detail = "; ".join(
        f"{k}: " + ", ".join(f"{result.seconds((k, n)) * 1e3:.2f} ms at {threads_label(n)}"
                             for n in threads) for k in fns)
    return [Row(name, f"rnnlib {result.seconds(mine) * 1e3:.2f} ms ({threads_label(mine[1])}) vs "
                      f"PyTorch {result.seconds(theirs) * 1e3:.2f} ms ({threads_label(theirs[1])}); "
                      f"ratio {spread(ratio)}",
                f"ratio <= {TARGET}", ratio[0], ratio[0] <= TARGET,
                note=f"each contestant at its best thread count of {list(threads)}, the same "
                     f"rounds; PyTorch {torch.__version__} '{torch_name}' is the fastest "
                     f"formulation ({detail}); {rounds} rounds x {reps} interleaved calls, "
                     f"median (min..max) of the per-round ratios; PASS on the median")]


if __name__ == "__main__":
    # Run through run_all in a fresh interpreter, so threads are pinned before numpy loads.
    import os
    os.execv(sys.executable, [sys.executable, str(Path(__file__).with_name("run_all.py")),
                              "--only", "vs_pytorch", *sys.argv[1:]])

"""Gated cells: rnnlib's forward + backward against PyTorch CPU autograd on the same model.

Model: D = K = 65, H = 128, T = 50, B = 32, float64, token-id inputs, summed cross-entropy,
for cell = "lstm" and cell = "gru". rnnlib: ``rnnlib.loss_and_grads(params, ids, targets,
cell=cell)``. PyTorch gets the same weights (``rnnlib.to_pytorch``) and is timed in the
formulations that compute the same function; the fastest is the comparison:

* LSTM: ``torch.nn.LSTM`` on one-hot inputs built outside the timing, and an ``F.embedding`` +
  Python loop of the LSTM equations.
* GRU: only the loop is the same model: ``torch.nn.GRU`` is PyTorch's variant (reset gate after
  the recurrent product), so it is timed and reported for information, not compared.

Each contestant is timed at every thread count asked for, in the same interleaved rounds
(``_common.compare_at_best_threads``), and compared at its own best count, which the row
names; the ratio is the median of the per-round ratios, with its min..max. Goal: rnnlib /
PyTorch <= 1.5.
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
TARGET = 1.5


def problem(cell: str, seed: int = 0):
    rng = np.random.default_rng(seed)
    params = rnnlib.init_params(D, H, K, cell=cell, seed=seed)
    return params, rng.integers(0, D, (T, B)), rng.integers(0, K, (T, B))


def torch_versions(torch, cell: str, params, ids, targets) -> tuple[dict, dict]:
    """({name: fn} computing rnnlib's model, {name: fn} for information only)."""
    F = torch.nn.functional
    tensors = {k: torch.from_numpy(v.copy()).requires_grad_() for k, v in
               rnnlib.to_pytorch(params, cell=cell).items()}
    module = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[cell](D, H, dtype=torch.float64)
    with torch.no_grad():
        for name in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"):
            getattr(module, name).copy_(tensors[name])
    V, c = tensors["linear.weight"], tensors["linear.bias"]
    ids_t, y = torch.from_numpy(ids), torch.from_numpy(targets).reshape(-1)
    one_hot = F.one_hot(ids_t, D).to(torch.float64)
    module_weights = list(module.parameters()) + [V, c]

    def score(hs, weights):
        loss = F.cross_entropy((hs @ V.t() + c).reshape(-1, K), y, reduction="sum")
        return loss, torch.autograd.grad(loss, weights)

    def nn_module():
        return score(module(one_hot)[0], module_weights)

    # rnnlib's parameters in rnnlib's gate order, for the loops
    U = torch.from_numpy(params["U"].copy()).requires_grad_()
    W = torch.from_numpy(params["W"].copy()).requires_grad_()
    b = torch.from_numpy(params["b"].copy()).requires_grad_()
    loop_weights = [U, W, b, V, c]

    def lstm_loop():
        xu = F.embedding(ids_t, U.t()) + b
        h = s = torch.zeros(B, H, dtype=torch.float64)
        hs = []
        for t in range(T):
            z = torch.addmm(xu[t], h, W.t())
            i, f, g, q = z.chunk(4, dim=1)
            s = torch.sigmoid(f) * s + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(q) * torch.tanh(s)
            hs.append(h)
        return score(torch.stack(hs), loop_weights)

    def gru_loop():
        xu = F.embedding(ids_t, U.t()) + b
        h = torch.zeros(B, H, dtype=torch.float64)
        W_ur, W_n = W[:2 * H].t(), W[2 * H:].t()
        hs = []
        for t in range(T):
            ur = torch.sigmoid(xu[t, :, :2 * H] + h @ W_ur)
            u, r = ur.chunk(2, dim=1)
            n = torch.tanh(torch.addmm(xu[t, :, 2 * H:], r * h, W_n))
            h = n + u * (h - n)
            hs.append(h)
        return score(torch.stack(hs), loop_weights)

    if cell == "lstm":
        return {"nn.LSTM (one-hot input)": nn_module, "loop (F.embedding)": lstm_loop}, {}
    return {"loop (F.embedding)": gru_loop}, {"nn.GRU (PyTorch's variant)": nn_module}


def run(quick: bool = False, threads=(1,)) -> list[Row]:
    """Goal 6 with each contestant at its best thread count among ``threads``."""
    torch = try_import_torch()
    rows = []
    for cell in ("lstm", "gru"):
        name = f"6. gated {cell}: fwd+bwd vs PyTorch (T={T}, B={B}, H={H}, D=K={D})"
        if torch is None:
            rows.append(Row(name, "skipped: torch not installed", f"ratio <= {TARGET}",
                            note="pip install torch==2.13.0 (CPU wheel) to enable"))
            continue
        try:
            switch = ThreadSwitch(torch)
        except ImportError:
            rows.append(Row(name, "skipped: threadpoolctl not installed", f"ratio <= {TARGET}",
                            note="pip install threadpoolctl (switches numpy's BLAS threads)"))
            continue
        params, ids, targets = problem(cell)
        same, info = torch_versions(torch, cell, params, ids, targets)
        loss, grads = rnnlib.loss_and_grads(params, ids, targets, cell=cell)
        for fn in same.values():     # same model, same numbers, before any timing
            t_loss, t_grads = fn()
            assert abs(t_loss.item() - loss) <= 1e-9 * abs(loss), (t_loss.item(), loss)
        fns = {"rnnlib": lambda p=params, x=ids, y=targets, c=cell: rnnlib.loss_and_grads(p, x, y, cell=c),
               **same, **info}
        rounds, reps = (4, 5) if quick else (10, 15)
        result, best = compare_at_best_threads(fns, threads, switch, rounds=rounds, reps=reps)
        rival = min(same, key=lambda k: result.seconds((k, best[k])))
        mine, theirs = ("rnnlib", best["rnnlib"]), (rival, best[rival])
        ratio = result.ratio(mine, theirs)
        detail = "; ".join(
            f"{k}: " + ", ".join(f"{result.seconds((k, n)) * 1e3:.2f} ms at {threads_label(n)}"
                                 for n in threads) for k in fns)
        rows.append(Row(name, f"rnnlib {result.seconds(mine) * 1e3:.2f} ms ({threads_label(mine[1])}) "
                              f"vs PyTorch {result.seconds(theirs) * 1e3:.2f} ms "
                              f"({threads_label(theirs[1])}); ratio {spread(ratio)}",
                        f"ratio <= {TARGET}", ratio[0], ratio[0] <= TARGET,
                        note=f"each contestant at its best thread count of {list(threads)}; "
                             f"PyTorch {torch.__version__} '{rival}' is the comparison (fastest "
                             f"of the same model; {detail}); {rounds} rounds x {reps} "
                             f"interleaved calls, median (min..max) of the per-round ratios"))
    return rows


if __name__ == "__main__":
    # Run through run_all in a fresh interpreter, so threads are pinned before numpy loads.
    import os
    os.execv(sys.executable, [sys.executable, str(Path(__file__).with_name("run_all.py")),
                              "--only", "gated_vs_pytorch", *sys.argv[1:]])

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

Both sides run with the same number of threads (numpy's BLAS count, read by threadpoolctl,
is given to ``torch.set_num_threads``), and their repetitions are interleaved.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import Row, blas_threads, compare, spread, try_import_torch  # noqa: E402

import numpy as np  # noqa: E402

import rnnlib  # noqa: E402

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


def run(quick: bool = False) -> list[Row]:
    torch = try_import_torch()
    name = f"1. fwd+bwd vs PyTorch (T={T}, B={B}, H={H}, D=K={D})"
    if torch is None:
        return [Row(name, "skipped: torch not installed", f"<= {TARGET}",
                    note="pip install torch==2.13.0 (CPU wheel) to enable")]
    threads, how = blas_threads()
    if threads is not None:
        torch.set_num_threads(threads)
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
    result = compare(fns, rounds=rounds, reps=reps, warmup=5)
    torch_name = min(versions, key=result.seconds)
    ratio = result.ratio("rnnlib", torch_name)
    detail = ", ".join(f"{k} {result.seconds(k) * 1e3:.2f} ms" for k in fns)
    return [Row(name, f"{result.seconds('rnnlib') * 1e3:.2f} ms vs "
                      f"{result.seconds(torch_name) * 1e3:.2f} ms; ratio {spread(ratio)}",
                f"ratio <= {TARGET}", ratio[0], ratio[0] <= TARGET,
                note=f"PyTorch {torch.__version__} '{torch_name}' (fastest of: {detail}); "
                     f"threads: numpy BLAS {threads} [{how}], torch {torch.get_num_threads()}; "
                     f"{rounds} rounds x {reps} interleaved calls, median (min..max) of the "
                     f"per-round ratios; PASS on the median")]


if __name__ == "__main__":
    # Run through run_all in a fresh interpreter, so threads are pinned before numpy loads.
    import os
    os.execv(sys.executable, [sys.executable, str(Path(__file__).with_name("run_all.py")),
                              "--only", "vs_pytorch", *sys.argv[1:]])

"""Skip connections through time and leaky units, trained by BPTT on the recall-first task
(Goodfellow et al., §10.8–10.9; Lin et al., 1996; Mozer, 1992).

One plain tanh layer over token ids, read out at its last step (many-to-one):

    a_t = b + W h_{t-1} + W_s h_{t-d} + U x_t          (the W_s term only with a delay d)
    h_t = (1 − λ) h_{t-1} + λ tanh(a_t)                 0 < λ <= 1; h_s = 0 for s <= 0
    o   = c + V h_T

With no delay and λ = 1 it is the book's plain RNN (``rnnlib.init_params`` draws U, W, b, V, c
the same way); the skip connection lets a signal from Δ steps back reach h_T through about
Δ/d applications of the recurrence instead of Δ. The backward pass is BPTT with one more path:
∂L/∂a_t flows to h_{t-1} through W and to h_{t-d} through W_s.
"""
from __future__ import annotations

import numpy as np

from ..architectures.reservoir import leaky_recurrence
from ..core.losses import cross_entropy
from ..core.params import init_params
from ..core.validation import (bad_value, check_class_ids, check_fraction, check_int,
                               check_output_layer, check_param_mapping, check_token_ids)
from ..training.optim import Adagrad
from ..training.train import fit
from ..training.tree import count
from .datasets import recall_first
from .recall import RecallSetup


def _check_delay(delay):
    if delay is None:
        return None
    return check_int("delay", delay, minimum=1)


def init_skip_rnn(input_size: int, hidden_size: int, output_size: int, *, delay: int | None = None,
                  seed: int = 0) -> dict:
    """U (H, D), W (H, H), b, V (K, H), c as ``rnnlib.init_params`` draws them for the plain
    cell, and with a delay also W_s (H, H), drawn like W from another stream of the seed."""
    p = init_params(input_size, hidden_size, output_size, seed=seed)
    if _check_delay(delay) is not None:
        H = p["W"].shape[0]
        p["Ws"] = np.random.default_rng([seed, 17]).normal(0.0, 1 / np.sqrt(H), (H, H))
    return p


def skip_states(params: dict, xs, *, delay: int | None = None, leak: float = 1.0):
    """h_0..h_T (T + 1, B, H) (h_0 = 0) and tanh(a_t) (T, B, H) over token ids xs (T, B): the
    leaky units of ``architectures.reservoir`` (one loop, ``leaky_recurrence``) with the skip
    connection."""
    delay = _check_delay(delay)
    leak = check_fraction("leak", leak, low_open=True, high_open=False)
    check_param_mapping(params, ("U", "W", "b"))
    if delay is not None and "Ws" not in params:
        raise bad_value("params", "the skip weights 'Ws' that a delay needs "
                        "(init_skip_rnn(..., delay=d))", f"keys {sorted(params)}")
    xs = check_token_ids("xs", xs, np.shape(params["U"])[1], axes=("T", "B"), bound="D")
    h0 = np.zeros((xs.shape[1], np.shape(params["W"])[0]))
    return leaky_recurrence(params, xs, leak, h0, delay=delay)


def skip_loss_and_grads(params: dict, xs, targets, *, delay: int | None = None, leak: float = 1.0):
    """Summed cross-entropy of o = c + V h_T against targets (B,), and its gradients (BPTT)."""
    h, g = skip_states(params, xs, delay=delay, leak=leak)
    xs = np.asarray(xs)
    T, B = xs.shape
    V, c = check_output_layer(params, h.shape[2])
    # cross_entropy picks o[y] by flat index: an id outside [0, K) would read another row
    targets = check_class_ids("targets", targets, (B,), V.shape[0])
    o = h[T] @ V.T + c
    losses, d_o = cross_entropy(o, targets)
    grads = {"V": d_o.T @ h[T], "c": d_o.sum(axis=0), "U": np.zeros_like(params["U"]),
             "W": np.zeros_like(params["W"]), "b": np.zeros_like(params["b"])}
    if delay is not None:
        grads["Ws"] = np.zeros_like(params["Ws"])
    dh = np.zeros_like(h)
    dh[T] = d_o @ params["V"]
    for t in range(T, 0, -1):
        da = leak * dh[t] * (1 - g[t - 1] ** 2)
        dh[t - 1] += (1 - leak) * dh[t] + da @ params["W"]
        grads["W"] += da.T @ h[t - 1]
        if delay is not None and t - delay >= 1:
            dh[t - delay] += da @ params["Ws"]
            grads["Ws"] += da.T @ h[t - delay]
        grads["b"] += da.sum(axis=0)
        np.add.at(grads["U"].T, xs[t - 1], da)      # the column of each token read
    return float(np.sum(losses)), grads


def recall_skip(distance: int, *, delay: int | None = None, leak: float = 1.0, seed: int = 0,
                setup: RecallSetup | None = None) -> float:
    """Train one model on recall-first at ``distance`` with the batches, budget and optimiser of
    ``recall.recall_accuracy`` (Adagrad, clipped), and return its accuracy on new sequences.
    setup: None means ``RecallSetup()``."""
    setup = RecallSetup() if setup is None else setup
    D, K = setup.n_symbols + setup.n_noise, setup.n_symbols
    params = init_skip_rnn(D, setup.hidden_size, K, delay=delay, seed=seed)
    length = check_int("distance", distance, minimum=1) + 1

    def objective(p, step):
        xs, y = recall_first(setup.batch, length, n_symbols=setup.n_symbols,
                             n_noise=setup.n_noise, seed=1_000_003 * (seed + 1) + step)
        return skip_loss_and_grads(p, xs, y, delay=delay, leak=leak)
    fit(params, objective=objective, steps=setup.steps, optimizer=Adagrad(setup.lr), clip=setup.clip)
    xs, y = recall_first(setup.n_test, length, n_symbols=setup.n_symbols, n_noise=setup.n_noise,
                         seed=seed + 7)
    h, _ = skip_states(params, xs, delay=delay, leak=leak)
    return float(np.mean((h[-1] @ params["V"].T + params["c"]).argmax(axis=1) == y))


def trained_count(hidden_size: int, setup: RecallSetup | None = None, *, skip: bool = False) -> int:
    """The number of trained parameters of the model above: U, W, b, V, c (and W_s)."""
    setup = RecallSetup() if setup is None else setup
    D, K = setup.n_symbols + setup.n_noise, setup.n_symbols
    return count(init_skip_rnn(D, hidden_size, K, delay=1 if skip else None))

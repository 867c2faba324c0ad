"""Generating a sequence from a trained model, one token at a time: the one sampler.

The model reads the prime (a first token, or a prompt of several), then each step feeds the
previous sample back in as the next input and draws the next token from softmax(o_t / τ),
τ = ``temperature``: below 1 the model plays safe, above 1 it takes more risks. Any cell:

    rnn    h_t = f(b + W h_{t-1} + U[:, x_t])        (one column of U: x_t is one-hot)
    lstm, gru                                        (their step, ``rnnlib.forward`` on one token)
"""
from __future__ import annotations

import numpy as np

from ..core.activations import activate
from ..core.forward import forward
from ..core.softmax import softmax
from ..core.validation import (CELLS, bad_value, check_call, check_choice, check_gated_call,
                               check_id_range, check_int, check_int_ids, check_params)


def _check_prime(prime) -> np.ndarray:
    """The prime as a (P,) int64 array, P >= 1: one token id, or a 1-D array of them."""
    arr = check_int_ids("prime_ids", prime, "a token id or a 1-D array of integer token ids")
    arr = arr.reshape(1) if arr.ndim == 0 else arr
    if arr.ndim != 1 or len(arr) == 0:
        raise bad_value("prime_ids", "at least one token to start from, in a 1-D array",
                        f"shape {arr.shape}")
    return arr.astype(np.int64, copy=False)


def sample(params: dict, prime_ids, n: int, *, h0=None, s0=None, temperature: float = 1.0,
           seed: int = 0, activation: str = "tanh", cell: str = "rnn",
           stop_id: int | None = None) -> np.ndarray:
    """Draw up to ``n`` token ids after reading ``prime_ids``, from a model with D = K.

    params: U (G·H, D), W (G·H, H), V (K, H), b (G·H,), c (K,) of ``cell``.
    prime_ids: one token id, or (P,) ids (a prompt); the last one is the first input fed.
    h0, s0: (H,) initial state (None: zeros). Stops early after drawing ``stop_id`` (e.g. the
    vocabulary's <EOS>), if given. The same ``seed`` always gives the same sample.
    Returns (m,) int64 ids, m <= n.
    """
    prime = _check_prime(prime_ids)
    _, sizes = check_params(params, check_choice("cell", cell, CELLS))
    check_id_range("prime_ids", prime, sizes.D, "token id", "D")     # before check_call says 'xs'
    if cell == "rnn" and s0 is None:
        call = check_call(params, prime, h0=h0, activation=activation)
    else:
        call = check_gated_call(params, prime, cell=cell, h0=h0, s0=s0, activation=activation)
    if call.sizes.D != call.sizes.K:
        raise bad_value("params", "D == K (sampling feeds outputs back as inputs)",
                        f"D={call.sizes.D}, K={call.sizes.K}")
    n = check_int("n", n, minimum=0)
    rng = np.random.default_rng(check_int("seed", seed, minimum=0))
    p, out = call.params, []
    if cell == "rnn" and s0 is None:
        h = call.h0[0]
        for token in prime[:-1]:                      # read the prompt
            h = activate(p["b"] + p["W"] @ h + p["U"][:, token], activation)
        token = int(prime[-1])
        for _ in range(n):
            h = activate(p["b"] + p["W"] @ h + p["U"][:, token], activation)
            probs = softmax(p["c"] + p["V"] @ h, temperature=temperature)
            token = int(rng.choice(len(probs), p=probs))
            out.append(token)
            if token == stop_id:
                break
        return np.array(out, dtype=np.int64)
    state = {"h0": h0, "s0": s0} if cell == "lstm" else {"h0": h0}
    if len(prime) > 1:
        state = _last_state(forward(p, prime[:-1], cell=cell, **state), cell)
    token = int(prime[-1])
    for _ in range(n):
        run = forward(p, np.array([token]), cell=cell, **state)
        state = _last_state(run, cell)
        probs = softmax(run.o[-1], temperature=temperature)
        token = int(rng.choice(len(probs), p=probs))
        out.append(token)
        if token == stop_id:
            break
    return np.array(out, dtype=np.int64)


def _last_state(run, cell: str) -> dict:
    """The state after a run, as keyword arguments: h0 (and s0 for the LSTM)."""
    return {"h0": run.h[-1], "s0": run.s[-1]} if cell == "lstm" else {"h0": run.h[-1]}

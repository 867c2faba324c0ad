"""Generating a sequence from a trained model, one token at a time: the one sampler.

The model reads the prime (a first token, or a prompt of several), then each step feeds the
previous sample back in as the next input and draws the next token from softmax(o_t / τ),
τ = ``temperature``: below 1 the model plays safe, above 1 it takes more risks. Any cell: each
step is the core's own (``core.loop.run_checked``, which runs the cell's ``run`` on U x_t + b
and the output layer), on a batch of one sequence and one step, from the state the last step
left, (h,) or, for the LSTM, (h, s).
"""
from __future__ import annotations

import numpy as np

from ..core.loop import run_checked
from ..core.softmax import softmax
from ..core.validation import (CELLS, bad_value, check_cell_call, check_choice, check_id_range,
                               check_int, check_int_ids, check_params)


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
    check_id_range("prime_ids", prime, sizes.D, "token id", "D")     # before the call says 'xs'
    call = check_cell_call(params, prime, cell=cell, h0=h0, s0=s0, activation=activation)
    if call.sizes.D != call.sizes.K:
        raise bad_value("params", "D == K (sampling feeds outputs back as inputs)",
                        f"D={call.sizes.D}, K={call.sizes.K}")
    n = check_int("n", n, minimum=0)
    rng = np.random.default_rng(check_int("seed", seed, minimum=0))
    # The core transposes Vᵀ (and the plain cell's Wᵀ) into C order at every call, once per
    # run in its loops but here once per token, which took a third of a step. Copies of V and
    # W in Fortran order, made once, are those transposes already, so no step copies them;
    # the numbers are the same.
    call.params = {**call.params, "V": np.asfortranarray(call.params["V"])}
    if cell == "rnn":
        call.params["W"] = np.asfortranarray(call.params["W"])
    state = call.state()                               # (h0,) or (h0, s0), each (1, H)
    if len(prime) > 1:                                 # read the prompt
        *_, state = run_checked(call, call.xs[:-1], state)
    token, out = int(prime[-1]), []
    for _ in range(n):
        *_, o, state = run_checked(call, np.array([[token]]), state)
        probs = softmax(o[0, 0], temperature=temperature)
        token = int(rng.choice(len(probs), p=probs))
        out.append(token)
        if token == stop_id:
            break
    return np.array(out, dtype=np.int64)

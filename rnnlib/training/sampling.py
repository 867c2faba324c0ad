"""Generating a sequence from a trained model, one token at a time.

Each step feeds the previous sample back in as the next input and draws the next token from
softmax(o_t / temperature): below 1 the model plays safe, above 1 it takes more risks.
"""
from __future__ import annotations

import numpy as np

from ..core.activations import activate
from ..core.softmax import softmax
from ..core.validation import check_call, check_int


def sample(params: dict, first_id: int, n: int, *, h0=None, temperature: float = 1.0,
           seed: int = 0, activation: str = "tanh", stop_id: int | None = None) -> np.ndarray:
    """Draw up to ``n`` token ids (after ``first_id``) from a model with D = K.

    Stops early after drawing ``stop_id`` (e.g. the vocabulary's <EOS>), if given.
    The same ``seed`` always gives the same sample. Returns (m,) int64 ids, m <= n.
    """
    call = check_call(params, np.array([first_id]), h0=h0, activation=activation)
    p = call.params
    if call.sizes.D != call.sizes.K:
        raise ValueError(f"argument 'params': sampling feeds outputs back as inputs, so it needs "
                         f"D == K, got D={call.sizes.D}, K={call.sizes.K}")
    n = check_int("n", n, minimum=0)
    rng = np.random.default_rng(seed)
    h, token, out = call.h0[0], int(first_id), []
    for _ in range(n):
        h = activate(p["b"] + p["W"] @ h + p["U"][:, token], activation)
        probs = softmax(p["c"] + p["V"] @ h, temperature=temperature)
        token = int(rng.choice(len(probs), p=probs))
        out.append(token)
        if token == stop_id:
            break
    return np.array(out, dtype=np.int64)

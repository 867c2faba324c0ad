"""Random problems for the rnnlib tests: parameters, inputs and targets of any valid shape."""
from __future__ import annotations

import numpy as np

import rnnlib


def problem(*, T=4, B=None, D=3, H=4, K=3, token_ids=False, loss="cross_entropy",
            mode="many_to_many", h0="none", seed=0, scale=0.8):
    """Return (params, xs, targets, h0) with random values; B=None means one sequence."""
    rng = np.random.default_rng(seed)
    params = rnnlib.init_params(D, H, K, seed=seed)
    params["W"] *= scale
    params["b"] = rng.normal(0, 0.3, H)
    params["c"] = rng.normal(0, 0.3, K)
    batch = () if B is None else (B,)
    xs = rng.integers(0, D, (T,) + batch) if token_ids else rng.normal(0, 1, (T,) + batch + (D,))
    lead = ((T,) if mode == "many_to_many" else ()) + batch
    targets = rng.integers(0, K, lead) if loss == "cross_entropy" else rng.normal(0, 1, lead + (K,))
    if h0 == "none":
        h0_value = None
    elif h0 == "shared":
        h0_value = rng.normal(0, 0.5, H)
    else:  # one initial state per sequence
        h0_value = rng.normal(0, 0.5, batch + (H,))
    return params, xs, targets, h0_value

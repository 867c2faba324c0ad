"""An embedding layer: token id → a learned vector, as a layer of its own (chapter 10).

    x_t = E[y_t]            E (N, d): one row per token, N tokens, d numbers each

Forward is a lookup (a row of E per token; for one-hot y it is the product E^T e_y). Backward,
∂L/∂E is a *scatter-add*: row E[n] receives the sum of ∂L/∂x_t over every place t where token n
was read, and the rows of tokens not in the batch get exactly zero:

    ∂L/∂E[n] = Σ_{t, b : y_{t,b} = n} ∂L/∂x_{t,b}

(Chapter 6's word vectors are such rows; the core's token-id inputs, columns of U picked by
id, are an embedding of size H fused with the first layer.)
"""
from __future__ import annotations

import numpy as np

from ...core.sequence import scatter_rows


def init_embedding(n_tokens: int, dim: int, *, seed: int = 0) -> dict:
    """{"E": (N, d)} drawn from N(0, 1): each embedded input is of order one, like a one-hot."""
    for name, value in (("n_tokens", n_tokens), ("dim", dim)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"argument '{name}': expected an int >= 1, got {value!r} of type "
                            f"{type(value).__name__}")
        if value < 1:
            raise ValueError(f"argument '{name}': expected an int >= 1, got {value!r}")
    return {"E": np.random.default_rng(seed).normal(0.0, 1.0, (int(n_tokens), int(dim)))}


def check_ids(name: str, ids, n_tokens: int) -> np.ndarray:
    """Integer ids of any shape, each in [0, n_tokens)."""
    arr = np.asarray(ids)
    if arr.dtype == bool or arr.dtype.kind not in "iu":
        raise TypeError(f"argument '{name}': expected integer token ids, got dtype {arr.dtype}")
    if arr.size and (arr.min() < 0 or arr.max() >= n_tokens):
        bad = arr.min() if arr.min() < 0 else arr.max()
        raise ValueError(f"argument '{name}': token id {int(bad)} is outside [0, N) = "
                         f"[0, {n_tokens}) (the embedding's rows)")
    return arr.astype(np.int64)


def embedding_forward(params: dict, ids) -> np.ndarray:
    """E[ids]: ids of any shape (T, B) -> (T, B, d)."""
    E = np.asarray(params["E"], dtype=float)
    return np.take(E, check_ids("ids", ids, E.shape[0]), axis=0)


def embedding_backward(params: dict, ids, dx) -> dict:
    """{"E": ∂L/∂E (N, d)} from dx = ∂L/∂x (ids.shape + (d,)): the scatter-add of the rows."""
    E = np.asarray(params["E"])
    ids = check_ids("ids", ids, E.shape[0])
    dx = np.asarray(dx, dtype=float)
    if dx.shape != ids.shape + (E.shape[1],):
        raise ValueError(f"argument 'dx': expected shape {ids.shape + (E.shape[1],)} (the ids' "
                         f"shape and d), got {dx.shape}")
    return {"E": scatter_rows(ids.reshape(-1), dx.reshape(-1, E.shape[1]), E.shape[0])}

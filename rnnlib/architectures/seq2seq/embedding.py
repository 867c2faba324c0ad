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
from ...core.validation import (bad_value, check_float_array, check_int, check_param_mapping,
                                check_shape, check_token_ids)


def init_embedding(n_tokens: int, dim: int, *, seed: int = 0) -> dict:
    """{"E": (N, d)} drawn from N(0, 1): each embedded input is of order one, like a one-hot."""
    N, d = check_int("n_tokens", n_tokens), check_int("dim", dim)
    return {"E": np.random.default_rng(seed).normal(0.0, 1.0, (N, d))}


def check_embedding(params) -> np.ndarray:
    """E (N, d) from the mapping ``params``: finite real numbers (ints are read as floats),
    N and d >= 1; returned as float64 (the array itself when it is). (Its errors name
    "params['E']"; a model that holds several embeddings renames them with ``named``.)"""
    check_param_mapping(params, ("E",))
    E = check_float_array("params['E']", params["E"])
    if E.ndim != 2 or 0 in E.shape:
        raise bad_value("params['E']", "shape (N, d) with N, d >= 1", f"shape {E.shape}")
    return E


def embedding_forward(params: dict, ids) -> np.ndarray:
    """E[ids]: ids of any shape (T, B) -> (T, B, d)."""
    E = check_embedding(params)
    return np.take(E, check_token_ids("ids", ids, E.shape[0], bound="N"), axis=0)


def embedding_backward(params: dict, ids, dx) -> dict:
    """{"E": ∂L/∂E (N, d)} from dx = ∂L/∂x (ids.shape + (d,)): the scatter-add of the rows."""
    E = check_embedding(params)
    ids = check_token_ids("ids", ids, E.shape[0], bound="N")
    dx = check_shape("dx", check_float_array("dx", dx), ids.shape + (E.shape[1],),
                     "(the ids' shape and d)")
    return {"E": scatter_rows(ids.reshape(-1), dx.reshape(-1, E.shape[1]), E.shape[0])}

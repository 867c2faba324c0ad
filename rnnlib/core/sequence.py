"""What every cell shares, below and above the recurrence: nothing here is sequential.

    input_term    U x_t + b for every t and sequence at once      (T, B, G·H)
    output_term   o_t = c + V h_t for every t and sequence at once  (T, B, K)
    input_grads   ∂L/∂U and ∂L/∂b from ∂L/∂a (every cell's stacked pre-activations)
    scatter_rows  ∂L/∂U for token-id inputs: rows summed by id
    chunks        the spans of truncated BPTT

The plain cell (forward.py, bptt.py) and the gated cells (gated.py, lstm.py, gru.py) import
these; this module imports no cell, so no cell imports another through it.
"""
from __future__ import annotations

import numpy as np

from .validation import check_finite_logits


def input_term(p: dict, xs: np.ndarray, token_ids: bool) -> np.ndarray:
    """U x_t + b for every t and sequence: (T, B, H).

    Token ids select columns of U (U times a one-hot vector is that column), so the one-hot
    matrix is never built.
    """
    T, B = xs.shape[:2]
    if token_ids:
        # For one-hot x, U x + b is column x of U plus b. np.take copies whole rows of Uᵀ,
        # several times faster than fancy indexing. b is added where there are fewer rows:
        # to the D columns once when T·B > D, else to the T·B picked rows.
        if xs.size > p["U"].shape[1]:
            return np.take(p["U"].T + p["b"], xs, axis=0)
        xu = np.take(p["U"].T, xs, axis=0)
        xu += p["b"]
        return xu
    # One (T·B, D) × (D, H) product; numpy would loop over T for a 3-D operand.
    xu = (xs.reshape(T * B, -1) @ p["U"].T).reshape(T, B, -1)
    xu += p["b"]
    return xu


def output_term(p: dict, h: np.ndarray) -> np.ndarray:
    """o_t = c + V h_t for every t and sequence at once: (T, B, K)."""
    T, B, H = h.shape
    o = h.reshape(T * B, H) @ np.ascontiguousarray(p["V"].T)   # one (T·B, H) × (H, K) product
    o += p["c"]
    check_finite_logits(o)
    return o.reshape(T, B, -1)


def input_grads(xs: np.ndarray, token_ids: bool, D: int, dz: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """∂L/∂U (G·H, D) and ∂L/∂b (G·H,) from dz = ∂L/∂z_t (T, B, G·H), the gradient of the
    stacked pre-activations z_t = b + W h_{t-1} + U x_t; xs (T, B, D) floats or (T, B) ids.

    Each is a sum over time, one matrix product over all T·B rows.
    """
    T, B = dz.shape[:2]
    dz2 = dz.reshape(T * B, -1)
    if token_ids:
        dU = scatter_rows(xs.reshape(-1), dz2, D).T
    else:
        dU = dz2.T @ xs.reshape(T * B, D)
    return dU, dz2.sum(axis=0)


def scatter_rows(ids: np.ndarray, rows: np.ndarray, size: int) -> np.ndarray:
    """Σ of ``rows`` (N, H) grouped by ``ids`` (N,), as a (size, H) array.

    The gradient of U x for one-hot x only touches the column x picks, so ∂L/∂U gathers
    ∂L/∂a_t into column x_t. For a few rows (N <= 4·size) one small product with the one-hot
    matrix is quickest. Otherwise sorting the ids puts each id's row numbers in one contiguous
    block: memory O(N), no (N, size) one-hot matrix, and none of the slow ``np.add.at``.
    """
    if len(ids) <= 4 * size:
        one_hot = np.zeros((len(ids), size))
        one_hot[np.arange(len(ids)), ids] = 1.0
        return one_hot.T @ rows
    order = np.argsort(ids, kind="stable")
    sorted_ids = ids[order]
    starts = np.flatnonzero(np.r_[True, sorted_ids[1:] != sorted_ids[:-1]])
    stops = np.r_[starts[1:], len(ids)]
    out = np.zeros((size, rows.shape[1]))
    # One pass per distinct id (at most D), each summing only that id's rows. (np.add.reduceat
    # over all sorted rows does it in one call but measured twice as slow: it walks column by
    # column, and it needs a sorted copy of every row.)
    for start, stop in zip(starts, stops):
        np.sum(np.take(rows, order[start:stop], axis=0), axis=0, out=out[sorted_ids[start]])
    return out


def chunks(T: int, truncate: int | None):
    """(start, stop) of consecutive chunks of ``truncate`` steps from t = 0; one chunk if None.

    A generator: at T = 100,000 a list of the spans would itself grow with T.
    """
    k = T if truncate is None else truncate
    return ((s, min(s + k, T)) for s in range(0, T, k))

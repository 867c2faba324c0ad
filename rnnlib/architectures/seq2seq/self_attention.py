"""Self-attention (Vaswani et al., 2017), one head, in the book's time-major layout: the bridge
from attention in an encoder–decoder to the Transformer, not a Transformer.

Every position asks every position at once: no recurrence, so all S positions are computed
by a few matrix products, and any two positions are one step apart.
"""
from __future__ import annotations

import numpy as np


def self_attention(X, Wq, Wk, Wv, mask=None):
    """X (S, d) -> (outputs (S, d_v), weights (S, S)); weights[i, j] = α_ij, rows sum to 1."""
    Q, K, V = X @ Wq.T, X @ Wk.T, X @ Wv.T            # queries, keys, values: (S, d_k) each
    Z = Q @ K.T / np.sqrt(K.shape[1])                  # z_ij = q_i·k_j / √d_k, all S² at once
    if mask is not None:
        Z = np.where(mask[None, :], Z, -np.inf)        # mask (S,): True where a position is real
    A = np.exp(Z - Z.max(axis=1, keepdims=True))
    A /= A.sum(axis=1, keepdims=True)                  # softmax over j, for every i
    return A @ V, A


def positional_encoding(S: int, d: int) -> np.ndarray:
    """The sinusoids of Vaswani et al. (2017): (S, d), PE[t, 2i] = sin(t / 10000^(2i/d)),
    PE[t, 2i+1] = cos(...). Added to the inputs, they give each position its own pattern."""
    if isinstance(S, bool) or not isinstance(S, (int, np.integer)) or S < 1:
        raise ValueError(f"argument 'S': expected an int >= 1, got {S!r}")
    if isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 2 or d % 2:
        raise ValueError(f"argument 'd': expected an even int >= 2, got {d!r}")
    t = np.arange(S)[:, None]
    freq = 1.0 / 10000 ** (np.arange(0, d, 2) / d)
    pe = np.zeros((S, d))
    pe[:, 0::2], pe[:, 1::2] = np.sin(t * freq), np.cos(t * freq)
    return pe

"""Self-attention (Vaswani et al., 2017), one head, in the book's time-major layout: the bridge
from attention in an encoder–decoder to the Transformer, not a Transformer.

Every position asks every position at once: no recurrence, so all T positions are computed
by a few matrix products, and any two positions are one step apart.
"""
from __future__ import annotations

import numpy as np


def self_attention(X, Wq, Wk, Wv, mask=None):
    """X (T, d) -> (outputs (T, d_v), weights (T, T)); weights[i, j] = α_ij, rows sum to 1."""
    Q, K, V = X @ Wq.T, X @ Wk.T, X @ Wv.T            # queries, keys, values: (T, d_k) each
    Z = Q @ K.T / np.sqrt(K.shape[1])                  # z_ij = q_i·k_j / √d_k, all T² at once
    if mask is not None:
        Z = np.where(mask[None, :], Z, -np.inf)        # mask (T,): True where a position is real
    weights = np.exp(Z - Z.max(axis=1, keepdims=True))
    weights /= weights.sum(axis=1, keepdims=True)      # softmax over j, for every i
    return weights @ V, weights


def positional_encoding(T: int, d: int) -> np.ndarray:
    """The sinusoids of Vaswani et al. (2017): (T, d), PE[t, 2i] = sin(t / 10000^(2i/d)),
    PE[t, 2i+1] = cos(...). Added to the inputs, they give each position its own pattern."""
    if isinstance(T, bool) or not isinstance(T, (int, np.integer)) or T < 1:
        raise ValueError(f"argument 'T': expected an int >= 1, got {T!r}")
    if isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 2 or d % 2:
        raise ValueError(f"argument 'd': expected an even int >= 2, got {d!r}")
    t = np.arange(T)[:, None]
    freq = 1.0 / 10000 ** (np.arange(0, d, 2) / d)
    pe = np.zeros((T, d))
    pe[:, 0::2], pe[:, 1::2] = np.sin(t * freq), np.cos(t * freq)
    return pe

"""Self-attention (Vaswani et al., 2017), one head, in the book's time-major layout: the bridge
from attention in an encoder–decoder to the Transformer, not a Transformer.

Every position asks every position at once: no recurrence, so all T positions are computed
by a few matrix products, and any two positions are one step apart. The softmax over positions
and its backward are attention's (``rnnlib.attention.masked_softmax``, ``softmax_backward``).
"""
from __future__ import annotations

import numpy as np

from ..attention import masked_softmax, softmax_backward
from ...core.validation import (as_array, bad_type, bad_value, check_even, check_float_array,
                                check_int, check_param_mapping, check_shape)


def self_attention(X, Wq, Wk, Wv, mask=None):
    """X (T, d) -> (outputs (T, d_v), weights (T, T)); weights[i, j] = α_ij, rows sum to 1.

    Wq, Wk (d_k, d), Wv (d_v, d). A batch of B sequences, X (B, T, d), gives (B, T, d_v) and
    (B, T, T): the products act on the last two axes (``.mT`` transposes those two). mask:
    bool (T,) / (B, T), True where a position is real, at least one in every sequence (a
    masked position gets weight 0 from every query); None means all are real.
    """
    X = check_float_array("X", X)
    if X.ndim not in (2, 3) or 0 in X.shape:
        raise bad_value("X", "shape (T, d) or (B, T, d) with T, d >= 1", f"shape {X.shape}")
    d = X.shape[-1]
    Wq, Wk, Wv = (check_float_array(n, w) for n, w in (("Wq", Wq), ("Wk", Wk), ("Wv", Wv)))
    if Wq.ndim != 2 or Wq.shape[1] != d or Wq.shape[0] == 0:
        raise bad_value("Wq", f"shape (d_k, d={d}), d the size of X's last axis",
                        f"shape {Wq.shape}")
    check_shape("Wk", Wk, Wq.shape, "like Wq (d_k, d)")
    if Wv.ndim != 2 or Wv.shape[1] != d or Wv.shape[0] == 0:
        raise bad_value("Wv", f"shape (d_v, d={d})", f"shape {Wv.shape}")
    if mask is not None:
        want = X.shape[:-1]
        m = as_array("mask", mask)
        if m.dtype != bool:
            raise bad_type("mask", f"booleans of shape {want} (True where a position is real)", m)
        check_shape("mask", m, want, "(X's (B,) T)")
        empty = np.flatnonzero(~m.reshape(-1, want[-1]).any(axis=1))
        if empty.size:
            where = f"sequence {int(empty[0])}" if m.ndim == 2 else "the sequence"
            raise bad_value("mask", "at least one True entry (a real position to attend to) in "
                            "every sequence", f"none in {where}")
        mask = m
    return _self_attention(X, Wq, Wk, Wv, mask)


def _self_attention(X, Wq, Wk, Wv, mask):
    """``self_attention`` on checked arguments."""
    Q, K, V = X @ Wq.T, X @ Wk.T, X @ Wv.T            # queries, keys, values: (T, d_k) each
    Z = Q @ K.mT / np.sqrt(K.shape[-1])                # z_ij = q_i·k_j / √d_k, all T² at once
    # (K.mT is Kᵀ, and for a batch (B, T, d_k) each sequence's own Kᵀ)
    weights = masked_softmax(Z, None if mask is None else mask[..., None, :], axis=-1)
    return weights @ V, weights                        # (softmax over j, for every i)


def positional_encoding(T: int, d: int) -> np.ndarray:
    """The sinusoids of Vaswani et al. (2017): (T, d), PE[t, 2i] = sin(t / 10000^(2i/d)),
    PE[t, 2i+1] = cos(...). Added to the inputs, they give each position its own pattern."""
    T, d = check_int("T", T), check_even("d", d)
    t = np.arange(T)[:, None]
    freq = 1.0 / 10000 ** (np.arange(0, d, 2) / d)
    pe = np.zeros((T, d))
    pe[:, 0::2], pe[:, 1::2] = np.sin(t * freq), np.cos(t * freq)
    return pe


def self_attention_backward(X, Wq, Wk, Wv, weights, d_out):
    """The gradients of ``self_attention`` given ∂L/∂outputs (T, d_v) and its weights (T, T):
    {"X", "Wq", "Wk", "Wv"}. A masked position has weight 0, so its score gets no gradient.
    For a batch (leading axis B) the weight matrices' gradients are summed over it."""
    Q, K, V = X @ Wq.T, X @ Wk.T, X @ Wv.T
    scale = 1.0 / np.sqrt(K.shape[-1])
    d_weights = d_out @ V.mT                                              # ∂L/∂α_ij
    dZ = softmax_backward(weights, d_weights, axis=-1)
    dQ, dK, dV = dZ @ K * scale, dZ.mT @ Q * scale, weights.mT @ d_out
    rows = X.reshape(-1, X.shape[-1])                  # every position of every sequence: (N, d)

    def summed(dY):                                    # Σ over positions of dY_iᵀ x_i
        return dY.reshape(-1, dY.shape[-1]).T @ rows
    return {"X": dQ @ Wq + dK @ Wk + dV @ Wv, "Wq": summed(dQ), "Wk": summed(dK), "Wv": summed(dV)}


# A one-layer self-attention encoder for the sequence-to-sequence model (model.py): the
# embedded words plus position encodings, u_j = E[x_j] + PE_j, go through one head of
# self-attention, and each position's state is
#
#     h^{enc}_j = tanh(b + Σ_l α_jl W_v u_l + U_r u_j)
#
# (U_r u_j keeps the position's own word, as a residual connection would). No recurrence: all
# positions at once. The decoder starts from the mean of the real positions' states.

SA_KEYS = ("Wq", "Wk", "Wv", "Ur", "b")


def init_sa_encoder(embed_size: int, hidden_size: int, *, seed: int = 0) -> dict:
    """Wq, Wk (d, d), Wv, Ur (H, d) drawn N(0, 1/d), b (H,) = 0; d = embed_size, even (the
    position encodings pair a sine with a cosine), H = hidden_size."""
    d, H = check_even("embed_size", embed_size), check_int("hidden_size", hidden_size)
    rng = np.random.default_rng(seed)
    s = 1 / np.sqrt(d)
    return {"Wq": rng.normal(0, s, (d, d)), "Wk": rng.normal(0, s, (d, d)),
            "Wv": rng.normal(0, s, (H, d)), "Ur": rng.normal(0, s, (H, d)), "b": np.zeros(H)}


def is_sa_encoder(params) -> bool:
    """Whether an encoder's parameters are a self-attention encoder's (they hold Wq)."""
    return hasattr(params, "keys") and "Wq" in params


def check_sa_encoder(params, d: int, H: int) -> dict:
    """A self-attention encoder's parameters for inputs of size d and states of size H:
    finite Wq, Wk (d_k, d), Wv, Ur (H, d), b (H,), returned as float64 arrays. Errors name
    "params['Wq']" and so on (the model renames them to the tree's path)."""
    check_param_mapping(params, SA_KEYS)
    p = {k: check_float_array(f"params['{k}']", params[k]) for k in SA_KEYS}
    if p["Wq"].ndim != 2 or p["Wq"].shape[1] != d or p["Wq"].shape[0] == 0:
        raise bad_value("params['Wq']", f"shape (d_k, d={d})", f"shape {p['Wq'].shape}")
    check_shape("params['Wk']", p["Wk"], p["Wq"].shape, "like params['Wq'] (d_k, d)")
    for key in ("Wv", "Ur"):
        check_shape(f"params['{key}']", p[key], (H, d), f"(H={H}, d={d})")
    check_shape("params['b']", p["b"], (H,), f"(H={H},)")
    return p


class SACache:
    """What the backward pass needs: inputs u (T, B, d), weights (B, T, T), states h (T, B, H)."""

    def __init__(self, u, weights, h):
        self.u, self.weights, self.h = u, weights, h


def sa_encoder_forward(params: dict, x: np.ndarray, mask: np.ndarray) -> SACache:
    """x (T, B, d) embedded source, mask (T, B) True on real positions (at least one per
    sequence) -> the cache (with .h); params as ``check_sa_encoder`` returns them."""
    T, B, d = x.shape
    u = x + positional_encoding(T, d)[:, None, :]
    # self-attention reads a batch as (B, T, d), sequence first; the model is time-major
    mixed, weights = _self_attention(u.transpose(1, 0, 2), params["Wq"], params["Wk"],
                                     params["Wv"], mask.T)
    h = np.tanh(mixed.transpose(1, 0, 2) + u @ params["Ur"].T + params["b"])
    return SACache(u, weights, h)


def sa_encoder_backward(params: dict, cache: SACache, dh: np.ndarray) -> dict:
    """∂L/∂h^{enc} (T, B, H) -> the parameters' gradients and "xs": ∂L/∂x (T, B, d)."""
    da = dh * (1 - cache.h ** 2)
    g = {"Ur": np.einsum("tbh,tbd->hd", da, cache.u), "b": da.sum(axis=(0, 1))}
    g_sa = self_attention_backward(cache.u.transpose(1, 0, 2), params["Wq"], params["Wk"],
                                   params["Wv"], cache.weights, da.transpose(1, 0, 2))
    g.update({k: g_sa[k] for k in ("Wq", "Wk", "Wv")})
    # ∂L/∂x: through U_r and through the attention (the position encodings are constants)
    g["xs"] = da @ params["Ur"] + g_sa["X"].transpose(1, 0, 2)
    return g

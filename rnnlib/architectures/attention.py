"""Attention (chapter 10): a weighted average of the encoder's states, the weights asked for by
the decoder's state.

Time-major like the rest of rnnlib. The keys are the encoder states k_j = h^{enc}_j, (S, Hk)
for one sequence or (S, B, Hk) for a batch; the query q is the decoder's state, (Hq,) / (B, Hq).

    additive (Bahdanau et al., 2015):  z_j = v_aᵀ tanh(W_a q + U_a k_j)   W_a (A, Hq), U_a (A, Hk), v_a (A,)
    dot      (Luong et al., 2015):     z_j = qᵀ k_j                        no parameters; Hq = Hk
    α_j = exp(z_j) / Σ_l exp(z_l)      (masked positions: α_j = 0 exactly)
    C   = Σ_j α_j k_j                  the context, (Hk,) / (B, Hk)

Backward, from ∂L/∂C (the softmax over positions is the only new step):

    ∂L/∂α_j = k_jᵀ ∂L/∂C
    ∂L/∂z_j = α_j (∂L/∂α_j − Σ_l α_l ∂L/∂α_l)
    ∂L/∂k_j = α_j ∂L/∂C  +  (what z_j sends to k_j: U_aᵀ[...] or z_j's q)
    ∂L/∂q   = Σ_j (what z_j sends to q: W_aᵀ[...] or k_j)

A masked position has α_j = 0 and ∂L/∂z_j = 0, so it sends nothing back: padding after a
sequence's end changes neither the context nor any gradient of the real positions.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.validation import (as_array, bad_type, bad_value, check_choice, check_float_array,
                               check_int, check_param_mapping, check_shape)

KINDS = ("additive", "dot")
PARAM_NAMES = ("Wa", "Ua", "va")


def init_params(query_size: int, key_size: int, attention_size: int, *, seed: int = 0) -> dict:
    """Random W_a (A, Hq), U_a (A, Hk), v_a (A,), each N(0, 1/fan_in) like rnnlib.init_params."""
    Hq, Hk, A = (check_int(name, value) for name, value in (
        ("query_size", query_size), ("key_size", key_size), ("attention_size", attention_size)))
    rng = np.random.default_rng(seed)
    return {"Wa": rng.normal(0.0, 1 / np.sqrt(Hq), (A, Hq)),
            "Ua": rng.normal(0.0, 1 / np.sqrt(Hk), (A, Hk)),
            "va": rng.normal(0.0, 1 / np.sqrt(A), A)}


# ----------------------------------------------------------------------------- checks
@dataclass
class _Checked:
    """Inputs in the batched layout: query (B, Hq), keys (S, B, Hk), mask (S, B)."""

    params: dict | None
    query: np.ndarray
    keys: np.ndarray
    mask: np.ndarray
    batched: bool
    kind: str


def _check(params, query, keys, mask, kind) -> _Checked:
    check_choice("kind", kind, KINDS)
    q = check_float_array("query", query)
    k = check_float_array("keys", keys)
    if q.ndim not in (1, 2):
        raise bad_value("query", "shape (Hq,) or (B, Hq)", f"shape {q.shape}")
    batched = q.ndim == 2
    want = "(S, B, Hk)" if batched else "(S, Hk)"
    if k.ndim != q.ndim + 1 or k.shape[0] == 0 or k.shape[-1] == 0:
        raise bad_value("keys", f"shape {want} (time-major, as the query {q.shape} is "
                        f"{'a batch' if batched else 'one sequence'})", f"shape {k.shape}")
    if not batched:
        q, k = q[None], k[:, None]
    S, B, Hk = k.shape
    if q.shape[0] != B:
        raise bad_value("keys", f"B = {q.shape[0]} sequences like the query {q.shape}",
                        f"shape {np.shape(keys)}")
    m = _check_mask(mask, S, B, batched)
    Hq = q.shape[1]
    if kind == "dot":
        if Hq != Hk:
            raise bad_value("query", "Hq = Hk (kind='dot' scores qᵀk_j)",
                            f"Hq = {Hq} (query {np.shape(query)}) and Hk = {Hk} "
                            f"(keys {np.shape(keys)})")
        return _Checked(None, q, k, m, batched, kind)
    return _Checked(_check_params(params, Hq, Hk), q, k, m, batched, kind)


def _check_mask(mask, S: int, B: int, batched: bool) -> np.ndarray:
    if mask is None:
        return np.ones((S, B), dtype=bool)
    m = as_array("mask", mask)
    want = (S, B) if batched else (S,)
    if m.dtype != bool:
        raise bad_type("mask", f"booleans of shape {want} (True where a position is real)", m)
    m = check_shape("mask", m, want, f"like the keys' (S{', B' if batched else ''})")
    m = m.reshape(S, B)
    empty = np.flatnonzero(~m.any(axis=0))
    if empty.size:
        where = f"sequence {int(empty[0])}" if batched else "the sequence"
        raise bad_value("mask", "at least one True entry (a real position to attend to) in "
                        "every sequence", f"none in {where}")
    return m


def _check_params(params, Hq: int, Hk: int) -> dict:
    check_param_mapping(params, tuple(PARAM_NAMES))     # kind="additive" needs its parameters
    p = {n: check_float_array(f"params['{n}']", params[n]) for n in PARAM_NAMES}
    va = p["va"]
    if va.ndim != 1 or va.size == 0:
        raise bad_value("params['va']", "shape (A,)", f"shape {va.shape}")
    A = va.shape[0]
    for name, cols in (("Wa", Hq), ("Ua", Hk)):
        what = "Hq, the query's size" if name == "Wa" else "Hk, the keys' size"
        check_shape(f"params['{name}']", p[name], (A, cols), f"= (A, {cols}) (A from va, {what})")
    return p


# ----------------------------------------------------------------------------- the pass
def _scores(c: _Checked):
    """z (S, B) and, for additive, the hidden layer u = tanh(W_a q + U_a k_j) (S, B, A)."""
    if c.kind == "dot":
        return np.einsum("sbh,bh->sb", c.keys, c.query), None
    S, B, Hk = c.keys.shape
    p = c.params
    u = (c.keys.reshape(S * B, Hk) @ p["Ua"].T).reshape(S, B, -1)
    u += c.query @ p["Wa"].T
    np.tanh(u, out=u)
    return u @ p["va"], u


def _weights(z: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """softmax over positions (axis 0), masked positions exactly 0."""
    z = np.where(mask, z, -np.inf)
    e = np.exp(z - z.max(axis=0))            # every column has a real entry, so max is finite
    return e / e.sum(axis=0)


def forward(params, query, keys, *, mask=None, kind: str = "additive"):
    """The context C = Σ_j α_j k_j and the weights α.

    params: {"Wa" (A, Hq), "Ua" (A, Hk), "va" (A,)} for kind="additive"; may be None for "dot".
    query: (Hq,) or (B, Hq). keys: (S, Hk) or (S, B, Hk). mask: bool (S,) / (S, B), True where
    a position is real; None means all are.
    Returns (context (Hk,) / (B, Hk), weights (S,) / (S, B)).
    """
    c = _check(params, query, keys, mask, kind)
    z, _ = _scores(c)
    alpha = _weights(z, c.mask)
    context = np.einsum("sb,sbh->bh", alpha, c.keys)
    if not c.batched:
        return context[0], alpha[:, 0]
    return context, alpha


def backward(params, query, keys, dcontext, *, mask=None, kind: str = "additive") -> dict:
    """Gradients of L given dcontext = ∂L/∂C ((Hk,) / (B, Hk)).

    Returns {"query": like query, "keys": like keys} and, for kind="additive", "Wa", "Ua", "va"
    shaped like the parameters. Recomputes the forward pass (it is cheap next to a recurrence).
    """
    c = _check(params, query, keys, mask, kind)
    S, B, Hk = c.keys.shape
    dC = check_shape("dcontext", check_float_array("dcontext", dcontext),
                     (B, Hk) if c.batched else (Hk,), "like the context")
    dC = dC.reshape(B, Hk)
    z, u = _scores(c)
    alpha = _weights(z, c.mask)
    dalpha = np.einsum("sbh,bh->sb", c.keys, dC)                   # ∂L/∂α_j = k_jᵀ ∂L/∂C
    dz = alpha * (dalpha - (alpha * dalpha).sum(axis=0))           # the softmax's Jacobian
    dkeys = alpha[..., None] * dC                                  # C's direct dependence on k_j
    grads = {}
    if kind == "dot":
        dq = np.einsum("sb,sbh->bh", dz, c.keys)                   # z_j = qᵀk_j
        dkeys += dz[..., None] * c.query
    else:
        p = c.params
        grads["va"] = np.einsum("sb,sba->a", dz, u)
        da = dz[..., None] * p["va"] * (1.0 - u * u)               # ∂L/∂(W_a q + U_a k_j)
        da_q = da.sum(axis=0)                                      # W_a q is shared by every j
        grads["Wa"] = da_q.T @ c.query
        grads["Ua"] = da.reshape(S * B, -1).T @ c.keys.reshape(S * B, Hk)
        dq = da_q @ p["Wa"]
        dkeys += da @ p["Ua"]
    if not c.batched:
        dq, dkeys = dq[0], dkeys[:, 0]
    grads["query"], grads["keys"] = dq, dkeys
    return grads


__all__ = ["KINDS", "PARAM_NAMES", "backward", "forward", "init_params"]

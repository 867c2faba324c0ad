"""Attention (chapter 10): a weighted average of the encoder's states, the weights asked for by
the decoder's state.

Time-major like the rest of rnnlib. The keys are the encoder states k_j = h^{enc}_j, (S, Hk)
for one sequence or (S, B, Hk) for a batch; the query q is the decoder's state, (Hq,) / (B, Hq),
or the decoder's states at all its steps, (T, B, Hq): each of the T queries attends on its own,
and one call does them all (the scores' U_a k_j, the same for every query, are computed once).

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
    """Inputs in the layout of T queries per sequence: query (T, B, Hq), keys (S, B, Hk),
    mask (S, B); the caller's shapes of query and keys, for the results' layout."""

    params: dict | None
    query: np.ndarray
    keys: np.ndarray
    mask: np.ndarray
    query_shape: tuple
    keys_shape: tuple
    kind: str

    def weights_shape(self) -> tuple:
        """(S,), (S, B) or (T, S, B), as the query is (Hq,), (B, Hq) or (T, B, Hq)."""
        return self.query_shape[:-2] + self.keys.shape[:1] + self.query_shape[-2:-1]


def _check(params, query, keys, mask, kind) -> _Checked:
    check_choice("kind", kind, KINDS)
    q = check_float_array("query", query)
    k = check_float_array("keys", keys)
    if q.ndim not in (1, 2, 3):
        raise bad_value("query", "shape (Hq,), (B, Hq) or (T, B, Hq)", f"shape {q.shape}")
    batched = q.ndim > 1
    want = "(S, B, Hk)" if batched else "(S, Hk)"
    if k.ndim != (3 if batched else 2) or k.shape[0] == 0 or k.shape[-1] == 0:
        raise bad_value("keys", f"shape {want} (time-major, as the query {q.shape} is "
                        f"{'a batch' if batched else 'one sequence'})", f"shape {k.shape}")
    if not batched:
        k = k[:, None]
    q = q.reshape((1,) * (3 - q.ndim) + q.shape)                   # (T, B, Hq)
    S, B, Hk = k.shape
    if q.shape[1] != B:
        raise bad_value("keys", f"B = {q.shape[1]} sequences like the query {np.shape(query)}",
                        f"shape {np.shape(keys)}")
    m = _check_mask(mask, S, B, batched)
    Hq = q.shape[2]
    if kind == "dot":
        if Hq != Hk:
            raise bad_value("query", "Hq = Hk (kind='dot' scores qᵀk_j)",
                            f"Hq = {Hq} (query {np.shape(query)}) and Hk = {Hk} "
                            f"(keys {np.shape(keys)})")
        return _Checked(None, q, k, m, np.shape(query), np.shape(keys), kind)
    return _Checked(check_params(params, Hq, Hk), q, k, m, np.shape(query), np.shape(keys), kind)


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


def check_params(params, Hq: int, Hk: int) -> dict:
    """Additive attention's parameters for queries of size Hq and keys of size Hk: a mapping
    with finite W_a (A, Hq), U_a (A, Hk), v_a (A,); returned as float64 arrays. Errors name
    "params['Wa']" and so on (a model renames them with ``named``)."""
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
def masked_softmax(z: np.ndarray, mask, axis: int) -> np.ndarray:
    """softmax of z (any shape) along ``axis``, masked entries exactly 0: ``mask`` (bool,
    broadcast against z, True where a position is real; None: all are) must leave a real entry
    in every slice along ``axis``, so each maximum is finite. Attention's weights over positions
    and self-attention's are both this one softmax."""
    if mask is not None:
        z = np.where(mask, z, -np.inf)
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def softmax_backward(weights: np.ndarray, d_weights: np.ndarray, axis: int) -> np.ndarray:
    """∂L/∂z from ∂L/∂α for α = softmax(z) along ``axis`` (both any shape, the same):
    α_j (∂L/∂α_j − Σ_l α_l ∂L/∂α_l). A masked position has α_j = 0, so it gets 0."""
    return weights * (d_weights - (weights * d_weights).sum(axis=axis, keepdims=True))


def project_keys(params: dict, keys: np.ndarray) -> np.ndarray:
    """U_a k_j for every position and sequence, keys (S, B, Hk) -> (S, B, A): the part of the
    additive scores no query changes, so a decoder computes it once per source, not per step."""
    S, B, Hk = keys.shape
    return (keys.reshape(S * B, Hk) @ params["Ua"].T).reshape(S, B, -1)


def _scores(c: _Checked, from_keys=None):
    """z (T, S, B) and, for additive, the hidden layer u = tanh(W_a q + U_a k_j) (T, S, B, A);
    ``from_keys``: U_a k_j if the caller kept it (``project_keys``), else computed here."""
    if c.kind == "dot":
        return np.einsum("sbh,tbh->tsb", c.keys, c.query), None
    p = c.params
    if from_keys is None:
        from_keys = project_keys(p, c.keys)                                  # U_a k_j, once
    from_query = c.query @ p["Wa"].T                                         # W_a q, (T, B, A)
    u = from_keys[None] + from_query[:, None]             # (T, S, B, A), the one big array:
    np.tanh(u, out=u)                                     # tanh in place, no second one
    return u @ p["va"], u


@dataclass
class AttentionCache:
    """A forward pass kept for the backward, as the core's caches are: the checked inputs, the
    additive scores' hidden layer u (T, S, B, A) (None for "dot"), the weights α (T, S, B) and
    the context C (T, B, Hk), in the layout of T queries per sequence."""

    inputs: _Checked
    u: np.ndarray | None
    alpha: np.ndarray
    context: np.ndarray

    def results(self):
        """(context, weights) in the caller's layout, as ``forward`` returns them."""
        c = self.inputs
        return self.context.reshape(c.query_shape[:-1] + (-1,)), self.alpha.reshape(c.weights_shape())


def run(params, query, keys, *, mask=None, kind: str = "additive") -> AttentionCache:
    """The forward pass, kept for ``backward_from``: arguments as ``forward``; the cache holds
    the context (T, B, Hk) and weights (T, S, B) in the layout of T queries per sequence."""
    return _run(_check(params, query, keys, mask, kind))


def run_checked(params, query: np.ndarray, keys: np.ndarray, mask: np.ndarray, kind: str,
                from_keys=None) -> AttentionCache:
    """``run`` for a caller that has checked its arrays once (chapter 10's decoder, which
    attends at every step): query (T, B, Hq), keys (S, B, Hk), mask (S, B) bool with a True in
    every column, params float64 arrays as ``check_params`` returns them (None for "dot");
    ``from_keys``: ``project_keys(params, keys)`` if the caller keeps it."""
    return _run(_Checked(params, query, keys, mask, query.shape, keys.shape, kind), from_keys)


def _run(c: _Checked, from_keys=None) -> AttentionCache:
    z, u = _scores(c, from_keys)
    alpha = masked_softmax(z, c.mask, axis=1)      # every column has a real entry: max finite
    return AttentionCache(c, u, alpha, np.einsum("tsb,sbh->tbh", alpha, c.keys))


def forward(params, query, keys, *, mask=None, kind: str = "additive"):
    """The context C = Σ_j α_j k_j and the weights α.

    params: {"Wa" (A, Hq), "Ua" (A, Hk), "va" (A,)} for kind="additive"; may be None for "dot".
    query: (Hq,), (B, Hq) or (T, B, Hq). keys: (S, Hk), or (S, B, Hk) for a batched query.
    mask: bool (S,) / (S, B), True where a position is real; None means all are.
    Returns (context (Hk,) / (B, Hk) / (T, B, Hk), weights (S,) / (S, B) / (T, S, B)).
    """
    return run(params, query, keys, mask=mask, kind=kind).results()


def backward(params, query, keys, dcontext, *, mask=None, kind: str = "additive") -> dict:
    """Gradients of L given dcontext = ∂L/∂C, shaped like the context: (Hk,) / (B, Hk) /
    (T, B, Hk) for a query (Hq,) / (B, Hq) / (T, B, Hq).

    Returns {"query": like query, "keys": like keys} and, for kind="additive", "Wa", "Ua", "va"
    shaped like the parameters; with T queries, the keys' and parameters' gradients are summed
    over them. Recomputes the forward pass; ``backward_from`` takes a kept one (``run``).
    """
    return backward_from(run(params, query, keys, mask=mask, kind=kind), dcontext)


def backward_from(cache: AttentionCache, dcontext) -> dict:
    """``backward`` from the forward pass ``cache`` (``run``) and dcontext = ∂L/∂C."""
    c, u, alpha = cache.inputs, cache.u, cache.alpha
    T, B, Hq = c.query.shape
    S, _, Hk = c.keys.shape
    dC = check_shape("dcontext", check_float_array("dcontext", dcontext),
                     c.query_shape[:-1] + (Hk,), "like the context")
    dC = dC.reshape(T, B, Hk)
    dalpha = np.einsum("sbh,tbh->tsb", c.keys, dC)                 # ∂L/∂α_j = k_jᵀ ∂L/∂C
    dz = softmax_backward(alpha, dalpha, axis=1)                   # ∂L/∂z_j
    dkeys = np.einsum("tsb,tbh->sbh", alpha, dC)                   # C's direct dependence on k_j
    grads = {}
    if c.kind == "dot":
        dq = np.einsum("tsb,sbh->tbh", dz, c.keys)                 # z_j = qᵀk_j
        dkeys += np.einsum("tsb,tbh->sbh", dz, c.query)
    else:
        p = c.params
        A = u.shape[-1]
        grads["va"] = dz.reshape(-1) @ u.reshape(-1, A)            # Σ over t, j, b of dz u
        # ∂L/∂(W_a q + U_a k_j) = dz v_a ⊙ (1 − u²), built in place in one (T, S, B, A) array
        da = u * u
        np.subtract(1.0, da, out=da)
        da *= p["va"]
        da *= dz[..., None]
        da_q = da.sum(axis=1)                                      # W_a q is shared by every j
        da_k = da.sum(axis=0)                                      # U_a k_j by every query
        grads["Wa"] = da_q.reshape(T * B, A).T @ c.query.reshape(T * B, Hq)
        grads["Ua"] = da_k.reshape(S * B, A).T @ c.keys.reshape(S * B, Hk)
        dq = da_q @ p["Wa"]
        dkeys += da_k @ p["Ua"]
    grads["query"], grads["keys"] = dq.reshape(c.query_shape), dkeys.reshape(c.keys_shape)
    return grads


__all__ = ["KINDS", "PARAM_NAMES", "AttentionCache", "backward", "backward_from", "check_params",
           "forward", "init_params", "masked_softmax", "project_keys", "run", "run_checked",
           "softmax_backward"]

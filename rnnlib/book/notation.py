"""The five spellings of one model that the book's sources use, and converters between them.

| book (Goodfellow) | min-char-rnn | Lipton et al. | Ng (a⟨t⟩)      | row-vector            | bar (no biases)|
|-------------------|--------------|---------------|----------------|-----------------------|----------------|
| U (H, D)          | W_xh         | W_hx          | W_ax           | W11 = Uᵀ (D, H)       | U_bar          |
| W (H, H)          | W_hh         | W_hh          | W_aa           | W12 = Wᵀ (H, H)       | W_bar          |
| V (K, H)          | W_hy         | W_yh          | W_ya           | W21 = Vᵀ (H, K)       | V_bar          |
| b (H,)            | b_h          | b_h           | b_a            | B = bᵀ (1, H)         | (none)         |
| c (K,)            | b_y          | b_y           | b_y            | B2 = cᵀ (1, K)        | (none)         |

Ng's notation also stacks W_a = [W_aa | W_ax] (H, H + D), applied to the stacked [a⟨t-1⟩; x⟨t⟩].
Each notation also gets a forward pass written in *its own* equations, so a chapter can run
the same numbers through all five and see the same hidden states come out.
"""
from __future__ import annotations

import numpy as np

from ..core.activations import activate
from ..core.validation import (ACTIVATIONS, bad_value, check_choice, check_float_array,
                               check_param_mapping, check_params)

NOTATIONS = ("goodfellow", "karpathy", "lipton", "ng", "row_vector", "bar")
_RENAMES = {  # notation -> its names for U, W, V, b, c (same shapes as the book's)
    "goodfellow": ("U", "W", "V", "b", "c"),
    "karpathy": ("W_xh", "W_hh", "W_hy", "b_h", "b_y"),
    "lipton": ("W_hx", "W_hh", "W_yh", "b_h", "b_y"),
    "ng": ("W_ax", "W_aa", "W_ya", "b_a", "b_y"),
}
_BOOK = ("U", "W", "V", "b", "c")
_KEYS = {**_RENAMES, "row_vector": ("W11", "W12", "W21", "B", "B2"),
         "bar": ("U_bar", "W_bar", "V_bar")}
_STEP_KEYS = {**_KEYS, "ng": _KEYS["ng"] + ("W_a",)}   # Ng's step reads the stacked W_a


def to_notation(params: dict, notation: str) -> dict:
    """The book's params re-spelled in ``notation`` (new arrays; shapes as in the table)."""
    check_choice("notation", notation, NOTATIONS)
    p, _ = check_params(params)
    if notation in _RENAMES:
        out = {new: p[old].copy() for old, new in zip(_BOOK, _RENAMES[notation])}
        if notation == "ng":
            out["W_a"] = np.hstack([p["W"], p["U"]])
        return out
    if notation == "row_vector":
        return {"W11": p["U"].T.copy(), "W12": p["W"].T.copy(), "W21": p["V"].T.copy(),
                "B": p["b"][None, :].copy(), "B2": p["c"][None, :].copy()}
    if np.any(p["b"] != 0) or np.any(p["c"] != 0):
        raise bad_value("params", "b and c zero (the bar notation has no biases)",
                        f"max|b| = {np.abs(p['b']).max():.3g}, max|c| = {np.abs(p['c']).max():.3g}")
    return {"U_bar": p["U"].copy(), "W_bar": p["W"].copy(), "V_bar": p["V"].copy()}


def _need(named: dict, keys) -> dict:
    """The arrays a notation names, each checked (as floats, named as the caller spelled them)."""
    check_param_mapping(named, tuple(keys), "named")
    return {k: check_float_array(f"named['{k}']", named[k]) for k in keys}


def from_notation(named: dict, notation: str) -> dict:
    """Back to the book's U (H, D), W (H, H), V (K, H), b (H,), c (K,) from params spelled in
    ``notation`` (the names and shapes of the module's table)."""
    check_choice("notation", notation, NOTATIONS)
    if notation in _RENAMES:
        n = _need(named, _RENAMES[notation])
        p = {old: n[new].copy() for old, new in zip(_BOOK, _RENAMES[notation])}
    elif notation == "row_vector":
        n = _need(named, _KEYS[notation])
        p = {"U": n["W11"].T.copy(), "W": n["W12"].T.copy(), "V": n["W21"].T.copy(),
             "b": n["B"].reshape(-1).copy(), "c": n["B2"].reshape(-1).copy()}
    else:
        n = _need(named, _KEYS[notation])
        p = {"U": n["U_bar"].copy(), "W": n["W_bar"].copy(), "V": n["V_bar"].copy()}
        p["b"], p["c"] = np.zeros(p["W"].shape[0]), np.zeros(p["V"].shape[0])
    check_params(p)
    return {k: np.ascontiguousarray(v) for k, v in p.items()}


def forward_in_notation(named: dict, xs, notation: str, activation: str = "tanh"):
    """Hidden states (T, H) and outputs (T, K) for one float sequence xs (T, D), computed
    with ``notation``'s own equation, from a zero initial state."""
    book = from_notation(named, notation)  # validates names and shapes
    check_choice("activation", activation, ACTIVATIONS)
    xs, D = check_float_array("xs", xs), book["U"].shape[1]
    if xs.ndim != 2 or xs.shape[1] != D:
        raise bad_value("xs", f"one float sequence of shape (T, D={D})", f"shape {xs.shape}")
    step = _STEPS[notation]
    n = _need(named, _STEP_KEYS[notation])
    if notation == "ng":
        _check_stacked(n, book)
    h = np.zeros(book["W"].shape[0])
    hs, outs = [], []
    for x in xs:
        h, out = step(n, x, h, activation)
        hs.append(h)
        outs.append(out)
    return np.array(hs), np.array(outs)


def _check_stacked(n: dict, book: dict) -> None:
    """Ng's step computes with W_a alone: it must be [W_aa | W_ax], or its states would
    silently differ from the ones the separate matrices give."""
    stacked = np.hstack([book["W"], book["U"]])
    if n["W_a"].shape != stacked.shape or not np.array_equal(n["W_a"], stacked):
        raise bad_value("named['W_a']", f"[W_aa | W_ax] of shape {stacked.shape}",
                        f"shape {n['W_a'].shape}" if n["W_a"].shape != stacked.shape
                        else "a matrix that differs from it")


def _step_goodfellow(n, x, h, f):   # a = b + W h + U x; o = c + V h
    h = activate(n["b"] + n["W"] @ h + n["U"] @ x, f)
    return h, n["c"] + n["V"] @ h


def _step_karpathy(n, x, h, f):     # h = f(W_xh x + W_hh h + b_h); y = W_hy h + b_y
    h = activate(n["W_xh"] @ x + n["W_hh"] @ h + n["b_h"], f)
    return h, n["W_hy"] @ h + n["b_y"]


def _step_lipton(n, x, h, f):       # h = σ(W^{hx} x + W^{hh} h + b_h); y = W^{yh} h + b_y
    h = activate(n["W_hx"] @ x + n["W_hh"] @ h + n["b_h"], f)
    return h, n["W_yh"] @ h + n["b_y"]


def _step_ng(n, x, a, f):           # a⟨t⟩ = g(W_a [a⟨t-1⟩; x⟨t⟩] + b_a); ŷ = W_ya a⟨t⟩ + b_y
    a = activate(n["W_a"] @ np.concatenate([a, x]) + n["b_a"], f)
    return a, n["W_ya"] @ a + n["b_y"]


def _step_row_vector(n, x, h, f):   # H' = φ(X W11 + H W12 + B); O = H' W21 + B2 (row vectors)
    h_row = activate(x[None, :] @ n["W11"] + h[None, :] @ n["W12"] + n["B"], f)
    return h_row[0], (h_row @ n["W21"] + n["B2"])[0]


def _step_bar(n, x, h, f):          # h^t = f(W̄ h^{t-1} + Ū x^t); ỹ = V̄ h^t
    h = activate(n["W_bar"] @ h + n["U_bar"] @ x, f)
    return h, n["V_bar"] @ h


_STEPS = {"goodfellow": _step_goodfellow, "karpathy": _step_karpathy, "lipton": _step_lipton,
          "ng": _step_ng, "row_vector": _step_row_vector, "bar": _step_bar}

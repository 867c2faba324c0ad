"""BPTT derived by hand in index notation (a source article's worked problem), checked by sympy.

The model (bar-U/W/V, no biases, h^0 = 0, sigmoid, one ½-sum-of-squares loss at the last step):

    h^t = σ(W h^{t-1} + U x^t),   ỹ = V h^T,   L = ½ Σ_i (ỹ_i - y_i)²

In the worked example's index notation: time is an upper index and vector components a lower
one, and indices run from 1. Each ``*_formula`` below writes a result the way the worked example
does, as a sympy expression in indexed symbols (h^{t}_{i}, W_{ij}, ...) and Kronecker deltas;
each ``check_*`` evaluates it at random numbers and compares it with sympy's own derivative of
the model.

Two slips in the worked example: its sigmoid is printed 1/(1 + exp(U·x)), missing the minus
sign (:func:`sigmoid_missing_minus`), and its final ∂L/∂U contracts V with W on the wrong index
(:func:`dL_dU_misindexed_formula`; the corrected one is :func:`dL_dU_index_formula`).
"""
from __future__ import annotations

import numpy as np
import sympy as sp

from ..core.validation import bad_type, bad_value, check_choice, check_int
from .model import Unrolled, unrolled

__all__ = [
    # the notation: free indices, sizes, indexed symbols
    "i", "j", "k", "D_h", "D_y", "U", "V", "W", "y", "y_tilde", "h", "x",
    # the model, the worked example's formulas, and the checks against sympy
    "bias_free_model", "sigmoid_missing_minus", "dh_dU_index_formula", "dh_dU_by_sympy",
    "dL_dU_index_formula", "dL_dU_misindexed_formula", "dL_dV_index_formula",
    "dL_dW_index_formula", "evaluate", "check_dh_dU_index_formula", "check_dL_index_formula",
]

i, j, k = sp.symbols("i j k", integer=True, positive=True)
D_h, D_y = sp.symbols("D_h D_y", integer=True, positive=True)  # the worked example's sizes
W, V, U = sp.IndexedBase("W"), sp.IndexedBase("V"), sp.IndexedBase("U")
y, y_tilde = sp.IndexedBase("y"), sp.IndexedBase(r"\tilde{y}")


def h(t: int) -> sp.IndexedBase:
    """h^t, the state after step t (indexed h(t)[i] for component i)."""
    return sp.IndexedBase(f"h^{{{t}}}")


def x(t: int) -> sp.IndexedBase:
    """x^t, the input at step t."""
    return sp.IndexedBase(f"x^{{{t}}}")


def bias_free_model(T: int = 2, D: int = 2, H: int = 2, K: int = 2) -> Unrolled:
    """The worked example's network unrolled for T steps as sympy (see
    :func:`rnnlib.symbolic.unrolled`):
    sigmoid, no biases, h0 = 0, loss ½‖ỹ - y‖² at the last step only."""
    return unrolled(T, D, H, K, activation="sigmoid", loss="mse", mode="many_to_one",
                    biases=False, zero_h0=True)


def sigmoid_missing_minus(a: sp.Expr) -> sp.Expr:
    """The worked example's printed sigmoid 1/(1 + e^{a}) = σ(-a): its derivative is -h(1 - h), not
    h(1 - h), so every gradient built on it has the wrong sign."""
    return 1 / (1 + sp.exp(a))


def _slope(t: int, n: sp.Symbol) -> sp.Expr:
    """σ'(a^t_n) written as the worked example does, h^t_n (1 - h^t_n)."""
    return h(t)[n] * (1 - h(t)[n])


def dh_dU_index_formula(t: int) -> sp.Expr:
    """The worked example's ∂h^t_i/∂U_jk for t = 1, 2, free indices i, j, k:

    t = 1:  h^1_i (1 - h^1_i) x^1_k δ_ij
    t = 2:  h^2_i (1 - h^2_i) W_ij h^1_j (1 - h^1_j) x^1_k + h^2_i (1 - h^2_i) x^2_k δ_ij
    """
    if check_int("t", t, minimum=1, maximum=2) == 1:      # the two steps worked out here
        return _slope(1, i) * x(1)[k] * sp.KroneckerDelta(i, j)
    return (_slope(2, i) * W[i, j] * _slope(1, j) * x(1)[k]
            + _slope(2, i) * x(2)[k] * sp.KroneckerDelta(i, j))


def dh_dU_by_sympy(t: int, D: int = 2, H: int = 2) -> sp.Array:
    """sympy's own ∂h^t_i/∂U_jk for the model: an Array of shape (H, H, D), entry [i, j, k]
    (0-based), each entry a derivative of the spelled-out h^t."""
    net = bias_free_model(T=check_int("t", t), D=D, H=H, K=1)
    return sp.Array([[[sp.diff(net.h[t - 1][a], net.U[b, c]) for c in range(D)]
                      for b in range(H)] for a in range(H)])


def _error(e: sp.Expr) -> sp.Expr:
    """ỹ_e - y_e, the output error at component e."""
    return y_tilde[e] - y[e]


def _delta(t: int, T: int, n: sp.Symbol) -> sp.Expr:
    """∂L/∂a^t_n, a^t = W h^{t-1} + U x^t, in index notation; fresh summation indices per step.

    At the last step it is Σ_i (ỹ_i - y_i) V_in σ'(a^T_n); each step before gathers the one
    after through W: Σ_m δ^{t+1}_m W_mn σ'(a^t_n).
    """
    if t == T:
        return sp.Sum(_error(i) * V[i, n], (i, 1, D_y)) * _slope(T, n)
    m = sp.Symbol(f"m_{t}", integer=True, positive=True)
    return sp.Sum(_delta(t + 1, T, m) * W[m, n], (m, 1, D_h)) * _slope(t, n)


def dL_dV_index_formula(T: int = 2) -> sp.Expr:
    """∂L/∂V_ik = (ỹ_i - y_i) h^T_k: the outer product (ỹ - y) ⊗ h^T."""
    return _error(i) * h(check_int("T", T))[k]


def dL_dW_index_formula(T: int = 2) -> sp.Expr:
    """∂L/∂W_jk = Σ_{t=2}^{T} δ^t_j h^{t-1}_k (the exercise the worked example leaves open).

    Every step t contributes its δ^t_j times the state W multiplied, h^{t-1}_k; the t = 1 term
    δ^1_j h^0_k vanishes because h^0 = 0. For T = 2 this is
    Σ_i (ỹ_i - y_i) V_ij h^2_j (1 - h^2_j) h^1_k.
    """
    T = check_int("T", T)
    return sp.Add(*[_delta(t, T, j) * h(t - 1)[k] for t in range(2, T + 1)])


def dL_dU_index_formula(T: int = 2) -> sp.Expr:
    """∂L/∂U_jk = Σ_{t=1}^{T} δ^t_j x^t_k (the worked example's α, β are j, k here).
    For T = 2:

        Σ_i (ỹ_i - y_i) [V_ij h^2_j (1 - h^2_j) x^2_k
                         + Σ_m V_im h^2_m (1 - h^2_m) W_mj h^1_j (1 - h^1_j) x^1_k]
    """
    T = check_int("T", T)
    return sp.Add(*[_delta(t, T, j) * x(t)[k] for t in range(1, T + 1)])


def dL_dU_misindexed_formula() -> sp.Expr:
    """The worked example's printed ∂L/∂U_jk at T = 2 (α, β → j, k; its repeated k → m,
    summed):
    Σ_i (ỹ_i - y_i) V_ij (h^2_j(1 - h^2_j) W_jm h^1_m(1 - h^1_m) x^1_k + h^2_j(1 - h^2_j) x^2_k).
    The first term contracts W on the wrong index; compare :func:`dL_dU_index_formula`."""
    m = sp.Symbol("m", integer=True, positive=True)
    inner = (sp.Sum(_slope(2, j) * W[j, m] * _slope(1, m), (m, 1, D_h)) * x(1)[k]
             + _slope(2, j) * x(2)[k])
    return sp.Sum(_error(i) * V[i, j] * inner, (i, 1, D_y))


def _random_point(net: Unrolled, seed: int) -> tuple[dict, dict]:
    """Random values for the model's symbols, and the indexed arrays the formulas read."""
    rng = np.random.default_rng(seed)
    # U and W too, though L may not contain them all (at T = 1, W multiplies h^0 = 0): the
    # formulas read every entry. Sorted by name, so a seed draws the same values in every
    # process (a set's order is not stable across processes).
    symbols = sorted(net.L.free_symbols | set(net.U) | set(net.W), key=str)
    values = {s: sp.Float(rng.normal()) for s in symbols}
    as_array = lambda m: np.array(m.xreplace(values).tolist(), dtype=float)
    arrays = {U: as_array(net.U), W: as_array(net.W), V: as_array(net.V),
              y: as_array(net.targets[-1])[:, 0], y_tilde: as_array(net.o[-1])[:, 0]}
    for t in range(1, len(net.h) + 1):
        arrays[h(t)] = as_array(net.h[t - 1])[:, 0]
        arrays[x(t)] = as_array(net.xs[t - 1])[:, 0]
    return values, arrays


def evaluate(formula: sp.Expr, arrays: dict, at: dict, sizes: dict) -> float:
    """The value of an index-notation ``formula`` with free indices set by ``at``
    ({index: 1-based value}), sums bounded by ``sizes`` ({D_h: H, D_y: K}), and every
    indexed symbol read from ``arrays`` ({IndexedBase: numpy array, 0-based})."""
    e = formula.subs({**at, **sizes}).doit()
    reads = {a: arrays[a.base][tuple(int(n) - 1 for n in a.indices)] for a in e.atoms(sp.Indexed)}
    return float(e.xreplace(reads))


def check_dh_dU_index_formula(t: int, D: int = 2, H: int = 2, seed: int = 0) -> float:
    """max over i, j, k of |the worked example's ∂h^t_i/∂U_jk - sympy's|, at random U, W, x:
    ~1e-16 when the worked example's formula is right."""
    net = bias_free_model(T=check_int("t", t, minimum=1, maximum=2), D=D, H=H, K=1)
    values, arrays = _random_point(net, seed)
    exact, formula = dh_dU_by_sympy(t, D, H), dh_dU_index_formula(t)
    return max(abs(float(exact[a, b, c].xreplace(values))
                   - evaluate(formula, arrays, {i: a + 1, j: b + 1, k: c + 1}, {}))
               for a in range(H) for b in range(H) for c in range(D))


def _check_formula(formula, name: str, indices: tuple, arrays: dict) -> sp.Expr:
    """``formula`` must be a sympy expression whose free indices are among ``indices`` and
    whose indexed symbols are among those ``arrays`` holds."""
    want = (f"a sympy expression in the free indices {', '.join(map(str, indices))} "
            f"for ∂L/∂{name}")
    if not isinstance(formula, sp.Expr):
        raise bad_type("formula", want, formula)
    free = {s for s in formula.free_symbols if isinstance(s, sp.Symbol) and s.is_integer}
    extra = sorted(map(str, free - set(indices) - {D_h, D_y}))
    if extra:
        raise bad_value("formula", want, f"one with the free indices {extra} as well")
    unknown = sorted({str(a.base) for a in formula.atoms(sp.Indexed)} - set(map(str, arrays)))
    if unknown:
        raise bad_value("formula", f"indexed symbols among {sorted(map(str, arrays))}",
                        f"{unknown}")
    return formula


def check_dL_index_formula(name: str, formula: sp.Expr | None = None, T: int = 2, D: int = 2,
                           H: int = 2, K: int = 2, seed: int = 0) -> float:
    """max over the entries of |formula - sympy.diff(L, name[row, col])| at random values.

    ``name`` is "U", "W" or "V"; ``formula`` has free indices (row, col) = (j, k) for U and W,
    (i, k) for V, and defaults to this module's ``dL_d<name>_index_formula(T)``.
    """
    builders = {"U": dL_dU_index_formula, "W": dL_dW_index_formula, "V": dL_dV_index_formula}
    check_choice("name", name, tuple(builders))
    net = bias_free_model(T=T, D=D, H=H, K=K)
    values, arrays = _random_point(net, seed)
    row, col = (i, k) if name == "V" else (j, k)
    formula = builders[name](T) if formula is None else _check_formula(formula, name,
                                                                       (row, col), arrays)
    matrix = {"U": net.U, "W": net.W, "V": net.V}[name]
    return max(abs(float(sp.diff(net.L, matrix[a, b]).xreplace(values))
                   - evaluate(formula, arrays, {row: a + 1, col: b + 1}, {D_h: H, D_y: K}))
               for a in range(matrix.rows) for b in range(matrix.cols))

"""The unrolled RNN as sympy expressions: one symbol per parameter entry, one expression per unit.

    a_t = b + W h_{t-1} + U x_t        h_t = f(a_t)        o_t = c + V h_t

Symbols are named so sympy's LaTeX printer reads like the book: ``W_{12}``, ``b_{1}``,
``x^{(2)}_{1}``, ``y^{(2)}_{1}``, ``h^{(0)}_{1}`` (indices from 1, as in the math). Every
expression of :func:`unrolled` is the *whole* unrolled network: h_2 contains h_1 spelled out,
so ``sympy.diff`` sees the full chain and nothing is differentiated by hand.

What the engine (``engine.py``) shares with that printed tree is here too, written once: the
plain cell's steps (:func:`run`), the output layer, the loss of a step, which steps are scored,
and the activations (with the sigmoid in a form that stays finite in floats).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp
from sympy.codegen.numpy_nodes import logaddexp

from ..core.validation import ACTIVATIONS, LOSSES, MODES, check_choice, check_int


def _index(*ix: int) -> str:
    """1-based subscript text: (0, 1) -> '12'; with a comma once any index reaches 10."""
    parts = [str(i + 1) for i in ix]
    return ("," if any(i >= 9 for i in ix) else "").join(parts)


def matrix_symbols(name: str, rows: int, cols: int) -> sp.Matrix:
    """A (rows, cols) Matrix of real symbols name_{ij}."""
    return sp.Matrix(rows, cols, lambda i, j: sp.Symbol(f"{name}_{{{_index(i, j)}}}", real=True))


def vector_symbols(name: str, n: int) -> sp.Matrix:
    """An (n, 1) column of real symbols name_{i}; ``name`` may carry a superscript, h^{(1)}."""
    return sp.Matrix(n, 1, lambda i, _: sp.Symbol(f"{name}_{{{_index(i)}}}", real=True))


def sigmoid(a: sp.Expr) -> sp.Expr:
    """σ(a) = 1 / (1 + e^(-a)), the textbook form, for formulas a reader sees (:func:`unrolled`,
    :func:`~rnnlib.symbolic.gradient_entry`, ``index_notation``). Not for evaluating: its
    derivative, e^(-a) / (1 + e^(-a))², is inf / inf = nan in floats once e^(-a) overflows
    (a < -709.8); the engine uses :func:`stable_sigmoid`."""
    return 1 / (1 + sp.exp(-a))


def stable_sigmoid(a: sp.Expr) -> sp.Expr:
    """σ(a) = e^{-log(1 + e^{-a})}, with log(1 + e^{-a}) = ``logaddexp(0, -a)`` (numpy's
    ``logaddexp``, which never overflows): the form the engine differentiates and evaluates.

    sympy derives σ'(a) = σ(a) / (1 + e^a) from it: finite for every a (e^a overflows to inf
    only for a > 709.8, where 1 / (1 + inf) = 0 is the right slope). σ and σ' keep their
    relative precision where they are tiny (measured: within 4e-15 for a in [-700, 36]),
    unlike the numeric path's ½(1 + tanh(a/2)), which is 0 below a ≈ -38.
    """
    return sp.exp(-logaddexp(0, -a))


def relu(a: sp.Expr) -> sp.Expr:
    """max(0, a). sympy differentiates it to Heaviside(a); see :func:`relu_kink_convention`."""
    return sp.Max(0, a)


def relu_kink_convention(derivative: sp.Expr) -> sp.Expr:
    """Set the slope of ReLU at a = 0 to 0 in a derivative sympy took.

    sympy's d/da max(0, a) is Heaviside(a), which is ½ at a = 0. The numeric path (like
    PyTorch) uses 0 there; Heaviside(a, 0) is the same step with that value at the kink.
    """
    return derivative.replace(sp.Heaviside, lambda z, *_: sp.Heaviside(z, 0))


# What a reader sees (the textbook sigmoid), and what the engine differentiates and evaluates.
ACTIVATION_EXPRS = {"tanh": sp.tanh, "sigmoid": sigmoid, "relu": relu}
STABLE_ACTIVATION_EXPRS = {**ACTIVATION_EXPRS, "sigmoid": stable_sigmoid}


def step_loss(o: sp.Matrix, target: sp.Matrix, loss: str, shift: sp.Expr = sp.S.Zero) -> sp.Expr:
    """The loss of one step for logits ``o`` (K, 1) and ``target`` (K, 1).

    mse: ½‖o - y‖². cross_entropy: log Σ_k e^{o_k} - Σ_k y_k o_k with ``target`` the one-hot
    y (so a class id enters as numbers fed to symbols): -log softmax(o)[y].

    The shift (said here once for the package): ``shift`` m is subtracted inside the
    exponentials and added back outside, log Σ e^{o_k} = m + log Σ e^{o_k - m}, which holds for
    any m, so no derivative depends on it and sympy may treat m as a constant; the compiled code
    sets m = max_k o_k, as the numeric path does, so every exponent is ≤ 0 and nothing overflows.
    """
    if loss == "mse":
        return sum((o[k] - target[k]) ** 2 for k in range(o.rows)) / 2
    log_sum_exp = shift + sp.log(sum(sp.exp(o[k] - shift) for k in range(o.rows)))
    return log_sum_exp - sum(target[k] * o[k] for k in range(o.rows))


def scored_steps(T: int, mode: str, holds_last: bool = True) -> list:
    """The steps (0-based) of a run of T steps whose loss counts: every one for many_to_many;
    for many_to_one only the sequence's last step, [T - 1], when this run ``holds_last`` step
    (a truncation chunk before the end holds none: [])."""
    if mode == "many_to_many":
        return list(range(T))
    return [T - 1] if holds_last else []


def output_layer(P: dict, h: sp.Matrix) -> sp.Matrix:
    """o = c + V h, every cell's output layer: P["V"] (K, H), P["c"] (K, 1), h (H, 1) -> (K, 1)."""
    return P["c"] + P["V"] * h


def _as_is(kind: str, t: int, m: sp.Matrix) -> sp.Matrix:
    return m


def run(P: dict, ux: list, h_prev: sp.Matrix, f, name=_as_is) -> tuple[list, list, list]:
    """The plain cell's steps over one sequence, written once for the printed tree and the engine.

    P holds W (H, H), V (K, H), b (H, 1), c (K, 1); ``ux[t]`` is the (H, 1) input term U x_t,
    ``h_prev`` (H, 1) the state before the first step, ``f`` the activation (a function of one
    sympy expression). Returns the lists a, h (each (H, 1)) and o ((K, 1)) per step, t = 1..T
    at index t - 1.

    ``name(kind, t, m)`` may replace each new h_t ("h") and o_t ("o") by symbols standing for
    it: the engine does (``Graph.column``), to differentiate quickly. By default the
    expressions are kept, so h_2 contains h_1 spelled out (:func:`unrolled`). The gated cells'
    steps are written in ``gated.py``.
    """
    a, h, o = [], [], []
    for t, u in enumerate(ux, start=1):
        a.append(P["b"] + P["W"] * h_prev + u)
        h_prev = name("h", t, a[-1].applyfunc(f))
        h.append(h_prev)
        o.append(name("o", t, output_layer(P, h_prev)))
    return a, h, o


@dataclass
class Unrolled:
    """The symbols and expressions of one unrolled sequence of T steps.

    Symbols: U (H, D), W (H, H), V (K, H), b (H, 1), c (K, 1) (b, c are zero matrices when
    ``biases=False``), h0 (H, 1) (a zero matrix when ``zero_h0``), xs[t] (D, 1) for every
    step, and targets: one (K, 1) column per scored step, in order (for cross_entropy the
    one-hot y_t) — targets[t] is y_{t+1} for many_to_many, while for many_to_one the only one,
    targets[0], is y_T. The step lists are 0-based: ``h[0]`` is h_1. ``states[t]`` is the
    (H, 1) column of symbols h^{(t+1)}_k that stands for ``h[t]`` when a formula is written in
    terms of states (``preacts`` and ``logits`` likewise for a and o).

    Expressions: a, h (lists of (H, 1)), o (list of (K, 1)), L (a scalar): the loss summed over
    the scored steps (:func:`scored_steps`).
    """

    U: sp.Matrix
    W: sp.Matrix
    V: sp.Matrix
    b: sp.Matrix
    c: sp.Matrix
    h0: sp.Matrix
    xs: list
    targets: list
    a: list
    h: list
    o: list
    L: sp.Expr
    activation: str
    loss: str
    mode: str
    states: list = field(default_factory=list)
    preacts: list = field(default_factory=list)
    logits: list = field(default_factory=list)

    @property
    def params(self) -> dict:
        """{"U": U, "W": W, "V": V, "b": b, "c": c, "h0": h0} as sympy matrices."""
        return {"U": self.U, "W": self.W, "V": self.V, "b": self.b, "c": self.c, "h0": self.h0}


def unrolled(T: int, D: int, H: int, K: int, *, activation: str = "tanh",
             loss: str = "cross_entropy", mode: str = "many_to_many", biases: bool = True,
             zero_h0: bool = False) -> Unrolled:
    """Build the unrolled network for one sequence of T float inputs x_t (D, 1) as sympy.

    Returns an :class:`Unrolled` holding the symbols U, W, V, b, c, h0, x_t, y_t and the
    expressions a_t, h_t, o_t and the loss L, ready for ``sympy.latex`` or ``sympy.diff``.
    ``biases=False`` drops b and c (the bias-free bar-U/W/V model); ``zero_h0`` fixes h0 = 0.
    """
    T, D, H, K = (check_int(name, n) for name, n in (("T", T), ("D", D), ("H", H), ("K", K)))
    check_choice("activation", activation, ACTIVATIONS)
    check_choice("loss", loss, LOSSES)
    check_choice("mode", mode, MODES)
    U, W, V = matrix_symbols("U", H, D), matrix_symbols("W", H, H), matrix_symbols("V", K, H)
    b = vector_symbols("b", H) if biases else sp.zeros(H, 1)
    c = vector_symbols("c", K) if biases else sp.zeros(K, 1)
    h0 = sp.zeros(H, 1) if zero_h0 else vector_symbols("h^{(0)}", H)
    xs = [vector_symbols(f"x^{{({t})}}", D) for t in range(1, T + 1)]
    a, h, o = run({"W": W, "V": V, "b": b, "c": c}, [U * x for x in xs], h0,
                  ACTIVATION_EXPRS[activation])
    scored = scored_steps(T, mode)
    targets = [vector_symbols(f"y^{{({t + 1})}}", K) for t in scored]
    L = sum(step_loss(o[t], y, loss) for t, y in zip(scored, targets))
    return Unrolled(U, W, V, b, c, h0, xs, targets, a, h, o, L, activation, loss, mode,
                    states=[vector_symbols(f"h^{{({t})}}", H) for t in range(1, T + 1)],
                    preacts=[vector_symbols(f"a^{{({t})}}", H) for t in range(1, T + 1)],
                    logits=[vector_symbols(f"o^{{({t})}}", K) for t in range(1, T + 1)])

"""The unrolled RNN as sympy expressions: one symbol per parameter entry, one expression per unit.

    a_t = b + W h_{t-1} + U x_t        h_t = f(a_t)        o_t = c + V h_t

Symbols are named so sympy's LaTeX printer reads like the book: ``W_{12}``, ``b_{1}``,
``x^{(2)}_{1}``, ``y^{(2)}_{1}``, ``h^{(0)}_{1}`` (indices from 1, as in the math). Every
expression is the *whole* unrolled network: h_2 contains h_1 spelled out, so ``sympy.diff``
sees the full chain and nothing is differentiated by hand.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

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
    """σ(a) = 1 / (1 + e^(-a)), the textbook form (its derivative is left to sympy)."""
    return 1 / (1 + sp.exp(-a))


def relu(a: sp.Expr) -> sp.Expr:
    """max(0, a). sympy differentiates it to Heaviside(a); see :func:`relu_kink_convention`."""
    return sp.Max(0, a)


def relu_kink_convention(derivative: sp.Expr) -> sp.Expr:
    """Set the slope of ReLU at a = 0 to 0 in a derivative sympy took.

    sympy's d/da max(0, a) is Heaviside(a), which is ½ at a = 0. The numeric path (like
    PyTorch) uses 0 there; Heaviside(a, 0) is the same step with that value at the kink.
    """
    return derivative.replace(sp.Heaviside, lambda z, *_: sp.Heaviside(z, 0))


ACTIVATION_EXPRS = {"tanh": sp.tanh, "sigmoid": sigmoid, "relu": relu}


def activate(a: sp.Matrix, activation: str) -> sp.Matrix:
    """h = f(a) entry by entry."""
    return a.applyfunc(ACTIVATION_EXPRS[activation])


def step_loss(o: sp.Matrix, target, loss: str, shift: sp.Expr = sp.S.Zero) -> sp.Expr:
    """The loss of one step for logits ``o`` (K, 1).

    mse: ½‖o - y‖² with ``target`` a (K, 1) Matrix.
    cross_entropy: log Σ_k e^{o_k} - o_y, with ``target`` an int class id y, or a (K, 1)
    one-hot Matrix (then the second term is Σ_k y_k o_k). ``shift`` m is subtracted inside the
    exponentials and added back outside, log Σ e^{o_k} = m + log Σ e^{o_k - m}, which holds for
    any m; evaluating with m = max_k o_k keeps every exponent ≤ 0, so nothing overflows.
    """
    if loss == "mse":
        return sum((o[k] - target[k]) ** 2 for k in range(o.rows)) / 2
    log_sum_exp = shift + sp.log(sum(sp.exp(o[k] - shift) for k in range(o.rows)))
    if isinstance(target, sp.MatrixBase):
        return log_sum_exp - sum(target[k] * o[k] for k in range(o.rows))
    return log_sum_exp - o[int(target)]


def _as_is(t: int, m: sp.Matrix) -> sp.Matrix:
    return m


def run(W: sp.Matrix, V: sp.Matrix, b: sp.Matrix, c: sp.Matrix, ux: list,
        h_prev: sp.Matrix, activation: str, name_h=_as_is, name_o=_as_is
        ) -> tuple[list, list, list]:
    """Unroll one sequence — the only sympy unroller: ``ux[t]`` is the (H, 1) input term U x_t,
    ``h_prev`` (H, 1) the state before the first step. Returns the lists a, h (each (H, 1)) and
    o ((K, 1)) per step, t = 1..T at index t - 1.

    ``name_h(t, h_t)`` and ``name_o(t, o_t)`` may replace each new h_t, o_t by symbols standing
    for it (graph.py does, to differentiate quickly); by default the expressions are kept, so
    h_2 contains h_1 spelled out.
    """
    a, h, o = [], [], []
    for t, u in enumerate(ux, start=1):
        a.append(b + W * h_prev + u)
        h_prev = name_h(t, activate(a[-1], activation))
        h.append(h_prev)
        o.append(name_o(t, c + V * h_prev))
    return a, h, o


@dataclass
class Unrolled:
    """The symbols and expressions of one unrolled sequence of T steps.

    Symbols: U (H, D), W (H, H), V (K, H), b (H, 1), c (K, 1) (b, c are zero matrices when
    ``biases=False``), h0 (H, 1) (a zero matrix when ``zero_h0``), xs[t] (D, 1) and
    targets[t] (K, 1) for every scored step (for cross_entropy the one-hot y_t). The
    step lists are 0-based: ``h[0]`` is h_1. ``states[t]`` is the (H, 1) column of symbols
    h^{(t+1)}_k that stands for ``h[t]`` when a formula is written in terms of states
    (``preacts`` and ``logits`` likewise for a and o).

    Expressions: a, h (lists of (H, 1)), o (list of (K, 1)), L (a scalar): the loss summed over
    the scored steps — every step, or only the last one when mode="many_to_one".
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
    a, h, o = run(W, V, b, c, [U * x for x in xs], h0, activation)
    scored = range(T) if mode == "many_to_many" else [T - 1]
    targets = [vector_symbols(f"y^{{({t + 1})}}", K) for t in scored]
    L = sum(step_loss(o[t], y, loss) for t, y in zip(scored, targets))
    return Unrolled(U, W, V, b, c, h0, xs, targets, a, h, o, L, activation, loss, mode,
                    states=[vector_symbols(f"h^{{({t})}}", H) for t in range(1, T + 1)],
                    preacts=[vector_symbols(f"a^{{({t})}}", H) for t in range(1, T + 1)],
                    logits=[vector_symbols(f"o^{{({t})}}", K) for t in range(1, T + 1)])

"""One gradient entry ∂L/∂θ as a formula a chapter can print.

sympy differentiates the spelled-out unrolled loss (the tree of :func:`unrolled`, not the graph
of ``graph.py``): at the sizes a reader can follow (the defaults, T = D = H = K = 2) that takes
well under a second. Written out fully, the result repeats tanh(b_1 + W_11 tanh(...) + ...)
everywhere; ``in_terms_of_states=True`` puts back the names the book uses — o^{(t)}_k,
a^{(t)}_k and h^{(t)}_k — wherever their expressions occur. ``sympy.simplify`` is not run
unless asked: on the spelled-out tree it took more than eight minutes at the default sizes.
"""
from __future__ import annotations

import sympy as sp

from ..core.validation import PARAM_KEYS, bad_type, bad_value, check_choice, check_int
from .model import Unrolled, relu_kink_convention, unrolled

_MATRICES = ("U", "W", "V")


def parameter_symbol(net: Unrolled, name: str, i: int, j: int | None = None) -> sp.Symbol:
    """The symbol of entry [i, j] of U, W, V, or entry [i] of b, c, h0 (0-based, as numpy), in
    a network of :func:`unrolled` with its biases and h0 (every entry a symbol)."""
    check_choice("name", name, PARAM_KEYS + ("h0",))
    m = net.params[name]
    if (name in _MATRICES) != (j is not None):
        want = "a column index j" if name in _MATRICES else "j=None (a vector)"
        raise bad_value("j", f"{want} for '{name}'", f"j={j!r}")
    if name in _MATRICES:
        return m[check_int("i", i, 0, m.rows - 1), check_int("j", j, 0, m.cols - 1)]
    return m[check_int("i", i, 0, m.rows - 1)]


def _check_flag(name: str, value) -> bool:
    """``value`` must be True or False (not a truthy string such as "no")."""
    if not isinstance(value, bool):
        raise bad_type(name, "True or False", value)
    return value


def name_states(net: Unrolled, expr: sp.Expr) -> sp.Expr:
    """Replace the spelled-out o_t, a_t and f(a_t) in ``expr`` by the symbols o^{(t)}_k,
    a^{(t)}_k and h^{(t)}_k of ``net`` (an :class:`Unrolled`); ``expr`` is a sympy expression
    in ``net``'s symbols, such as a derivative of ``net.L``.

    Outermost first: o_t contains h_t, which contains a_t, which contains h_{t-1}. ``subs``
    (not ``xreplace``) because sympy merges o_t - y_t into one sum, where o_t is only a part.
    """
    if not isinstance(net, Unrolled):
        raise bad_type("net", "an Unrolled network (rnnlib.symbolic.unrolled)", net)
    if not isinstance(expr, sp.Expr):
        raise bad_type("expr", "a sympy expression in the network's symbols", expr)
    T = len(net.h)
    for t in reversed(range(T)):
        expr = expr.subs(dict(zip(net.o[t], net.logits[t])))
    for t in reversed(range(T)):
        expr = expr.subs(dict(zip(net.a[t], net.preacts[t])))
        for a, h in zip(net.preacts[t], net.states[t]):
            expr = expr.xreplace(_activation_names(a, h, net.activation))
    return expr


def _activation_names(a: sp.Symbol, h: sp.Symbol, activation: str) -> dict:
    """What f(a) (and, for the sigmoid, the pieces of its derivative) look like, named by h."""
    if activation == "tanh":
        return {sp.tanh(a): h}
    if activation == "relu":
        return {sp.Max(0, a): h}
    # σ = 1/(1 + e^{-a}), and σ' = e^{-a}/(1 + e^{-a})²: with 1 + e^{-a} = 1/h, e^{-a} = (1-h)/h
    return {1 + sp.exp(-a): 1 / h, sp.exp(-a): (1 - h) / h}


def gradient_entry(name: str, i: int, j: int | None = None, *, T: int = 2, D: int = 2,
                   H: int = 2, K: int = 2, activation: str = "tanh",
                   loss: str = "cross_entropy", mode: str = "many_to_many",
                   simplify: bool = False, in_terms_of_states: bool = False) -> sp.Expr:
    """∂L/∂name[i, j] (0-based, as ``grads[name][i, j]``) for an unrolled network, by sympy.

    ``gradient_entry("W", 0, 1)`` is ∂L/∂W_{12} (symbols are named 1-based, as in the math);
    vectors b, c, h0 take ``j=None``. The free symbols are the parameters, h^{(0)}, the inputs
    x^{(t)} and targets y^{(t)} (for cross_entropy the one-hot y_t) of :func:`unrolled`.
    ``in_terms_of_states`` writes it with o^{(t)}, a^{(t)}, h^{(t)}. ``simplify`` runs
    ``sympy.simplify`` last: about a second on the in_terms_of_states form at the default
    sizes, but minutes on the spelled-out one.
    """
    simplify = _check_flag("simplify", simplify)
    in_terms_of_states = _check_flag("in_terms_of_states", in_terms_of_states)
    net = unrolled(T, D, H, K, activation=activation, loss=loss, mode=mode)
    expr = relu_kink_convention(sp.diff(net.L, parameter_symbol(net, name, i, j)))
    if in_terms_of_states:
        expr = name_states(net, expr)
    return sp.simplify(expr) if simplify else expr

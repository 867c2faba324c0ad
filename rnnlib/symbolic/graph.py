"""The unrolled network as a graph of units, and its derivative by ``sympy.diff``: how the
engine asks sympy (the one explanation, which the other modules point to).

Spelled out as one tree, h_3 contains h_2 H times and h_1 H² times, and sympy walks the whole
tree at every level of the chain rule: for T = 3, H = 3 and a batch of two, differentiating
the tree by each of the 36 parameters took sympy 20-40 s here. Two changes make it about a
second, and leave every derivative to sympy:

1. Each hidden unit is a symbol with a definition, f(b_j + Σ_l W_jl h_{t-1,l} + (U x_t)_j)
   (and so is each logit, c_k + Σ_j V_kj h_{t,j}, and each gate and cell-state entry of a
   gated cell).
   To differentiate, each unit becomes h(ε), an unevaluated function: sympy's chain rule
   stops at Derivative(h(ε), ε), and that derivative is ``sympy.diff`` of h's definition —
   derived once and shared, instead of once per path through the tree.
2. One derivative serves every parameter: d/dε L(θ + ε v) at ε = 0 is Σ_i ∂L/∂θ_i v_i, so
   evaluating it with v = e_i gives ∂L/∂θ_i. numpy evaluates all n directions at once.
"""
from __future__ import annotations

from typing import Callable

import sympy as sp

from .model import relu_kink_convention


def symbol_matrix(name: str, rows: int, cols: int = 1) -> sp.Matrix:
    """A (rows, cols) Matrix of real symbols name_i_j (0-based); cols=1 gives a column.

    The names are Python identifiers (unlike the LaTeX names of ``model.py``): lambdify would
    otherwise rename every symbol, which is slow. Real, because sympy then answers questions
    such as "is tanh(a) real?" at once.
    """
    return sp.Matrix(rows, cols, lambda i, j: sp.Symbol(f"{name}_{i}_{j}", real=True))


def lambdify_steps(args: list, outputs: list, steps: list) -> Callable:
    """A numpy function of ``args`` that assigns each (symbol, expr) of ``steps`` in order,
    then returns ``outputs``: lambdify's common-subexpression hook, fed our own steps."""
    return sp.lambdify(args, outputs, "numpy", cse=lambda exprs: (steps, exprs))


class Graph:
    """An unrolled network as units: one value symbol per entry of h_t and o_t (and of a gated
    cell's gates and s_t), and its definition.

    ``definition[u]`` is f(a) for a hidden unit, c + V h for a logit, a gate's or state's
    equation for a gated cell, written with the symbols of earlier units;
    ``order`` lists the units as created, so each comes after every unit its definition uses.
    """

    def __init__(self):
        self.definition: dict = {}
        self.order: list = []

    def unit(self, name: str, definition: sp.Expr) -> sp.Symbol:
        """A new unit, a symbol standing for ``definition``."""
        u = sp.Symbol(name, real=True)
        self.definition[u] = definition
        self.order.append(u)
        return u

    def column(self, kind: str, at: tuple, entries) -> sp.Matrix:
        """An (n, 1) column of new units, one per entry of ``entries`` (a column Matrix or a
        list of n expressions), named ``{kind}_{b}_{t}_{j}`` for ``at`` = (sequence b, step t),
        entry j: every unit of every cell is named here."""
        b, t = at
        return sp.Matrix([self.unit(f"{kind}_{b}_{t}_{j}", e) for j, e in enumerate(entries)])

    def forward_steps(self) -> list:
        """(unit, definition) pairs in evaluation order."""
        return [(h, self.definition[h]) for h in self.order]

    def directional_diff(self, L: sp.Expr, wrt: list, v: list) -> tuple[sp.Expr, list]:
        """d/dε L(θ + ε v) at ε = 0 by ``sympy.diff``: Σ_i ∂L/∂θ_i v_i, one derivative for all θ.

        Every unit h is written as h(ε), an unevaluated function of ε. sympy's chain rule leaves
        Derivative(h(ε), ε); that is ``sympy.diff`` of h's definition, which may leave
        derivatives of earlier units. Each is derived once and named by a symbol dh. Returns the
        derivative and the (dh, expr) pairs in evaluation order, written with unit symbols.
        """
        eps = sp.Symbol("eps", real=True)
        moved = {s: s + eps * vi for s, vi in zip(wrt, v)}
        moved.update({h: sp.Function(f"{h.name}_of", real=True)(eps) for h in self.order})
        unit_of = {moved[h]: h for h in self.order}
        dL = relu_kink_convention(sp.diff(L.xreplace(moved), eps))
        found: dict = {}
        todo = dL.atoms(sp.Derivative)
        while todo:
            d = todo.pop()
            definition = self.definition[unit_of[d.expr]].xreplace(moved)
            found[d] = relu_kink_convention(sp.diff(definition, eps))
            todo |= found[d].atoms(sp.Derivative) - found.keys()
        names = dict(unit_of)
        names.update({d: sp.Symbol(f"d{unit_of[d.expr].name}", real=True) for d in found})
        rank = {h: i for i, h in enumerate(self.order)}
        ordered = sorted(found, key=lambda d: rank[unit_of[d.expr]])

        def at_zero(e: sp.Expr) -> sp.Expr:
            return e.xreplace(names).xreplace({eps: 0})
        return at_zero(dL), [(names[d], at_zero(found[d])) for d in ordered]

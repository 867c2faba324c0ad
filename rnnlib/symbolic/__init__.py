"""rnnlib.symbolic: the book's RNN as sympy expressions, and gradients that sympy derives.

- :func:`loss_and_grads` — the same call and result as :func:`rnnlib.loss_and_grads`, for every
  cell, but every derivative comes from ``sympy.diff``: an independent check of the numeric BPTT.
- :func:`unrolled` — the symbols and expressions a_t, h_t, o_t, L of a small network, to print.
- :func:`gradient_entry` — one entry ∂L/∂θ as a formula, optionally in terms of h^{(t)};
  :func:`name_states` — the renaming it uses, for any expression in an unrolled network.
- :func:`symbol_matrix` — a matrix or column of real symbols with plain names, for derivations.
- ``index_notation`` — BPTT derived by hand in index notation for the bias-free sigmoid model
  with ½‖ỹ - y‖² at the last step (:func:`bias_free_model`): the formulas for ∂h^t/∂U and
  ∂L/∂U, W, V (``*_index_formula``), a misindexed printed ∂L/∂U and a sigmoid missing its
  minus sign, and ``check_*`` functions that compare each formula with sympy's derivative.

Modules: model (symbols, the plain cell's steps and the unrolled expressions), gated (the LSTM's
and GRU's steps), graph (differentiating the unrolled network quickly), chunk (one truncation
chunk compiled, and the loop over chunks, for every cell), engine (loss_and_grads), entries
(gradient_entry), index_notation.
Importing this package imports sympy (slow), so ``import rnnlib`` loads it only on demand.
"""
from . import index_notation
from .engine import loss_and_grads
from .entries import gradient_entry, name_states
from .graph import symbol_matrix
from .index_notation import (bias_free_model, check_dh_dU_index_formula, check_dL_index_formula,
                             dh_dU_by_sympy, dh_dU_index_formula, dL_dU_index_formula,
                             dL_dU_misindexed_formula, dL_dV_index_formula, dL_dW_index_formula,
                             sigmoid_missing_minus)
from .model import Unrolled, unrolled

__all__ = [
    "Unrolled", "bias_free_model", "check_dL_index_formula", "check_dh_dU_index_formula",
    "dL_dU_index_formula", "dL_dU_misindexed_formula", "dL_dV_index_formula",
    "dL_dW_index_formula", "dh_dU_by_sympy", "dh_dU_index_formula", "gradient_entry",
    "index_notation", "loss_and_grads", "name_states", "sigmoid_missing_minus", "symbol_matrix",
    "unrolled",
]

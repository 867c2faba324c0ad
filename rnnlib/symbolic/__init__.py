"""rnnlib.symbolic: the book's RNN as sympy expressions, and gradients that sympy derives.

- :func:`loss_and_grads` — the same call and result as :func:`rnnlib.loss_and_grads`, but
  every derivative comes from ``sympy.diff``: an independent check of the numeric BPTT.
- :func:`unrolled` — the symbols and expressions a_t, h_t, o_t, L of a small network, to print.
- :func:`gradient_entry` — one entry ∂L/∂θ as a formula, optionally in terms of h^{(t)}.
- ``seed002_*`` — seed 002's worked problem (sigmoid, no biases, ½‖ỹ - y‖² at the last step):
  its index-notation results, the ∂L/∂W it leaves as an exercise, and checks against sympy.

Modules: model (symbols and the unrolled expressions), graph (differentiating the unrolled
network quickly), engine (loss_and_grads), entries (gradient_entry), seed002.
Importing this package imports sympy (slow), so ``import rnnlib`` loads it only on demand.
"""
from . import seed002
from .engine import loss_and_grads
from .entries import gradient_entry, name_states
from .model import Unrolled, unrolled

seed002_model = seed002.model
seed002_dh_dU = seed002.dh_dU
seed002_index_formula = seed002.dh_dU_formula
seed002_check_dh_dU = seed002.check_dh_dU
seed002_dL_dV_formula = seed002.dL_dV_formula
seed002_dL_dW_formula = seed002.dL_dW_formula
seed002_dL_dU_formula = seed002.dL_dU_formula
seed002_dL_dU_source_formula = seed002.dL_dU_source_formula
seed002_check_dL = seed002.check_dL
seed002_sign_slip_sigmoid = seed002.sign_slip_sigmoid

__all__ = [
    "Unrolled", "gradient_entry", "loss_and_grads", "name_states", "seed002",
    "seed002_check_dL", "seed002_check_dh_dU", "seed002_dL_dU_formula",
    "seed002_dL_dU_source_formula", "seed002_dL_dV_formula", "seed002_dL_dW_formula",
    "seed002_dh_dU", "seed002_index_formula", "seed002_model", "seed002_sign_slip_sigmoid",
    "unrolled",
]

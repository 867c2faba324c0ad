"""rnnlib.symbolic: the book's RNN as sympy expressions, and gradients that sympy derives.

- :func:`loss_and_grads` — the same call and result as :func:`rnnlib.loss_and_grads`, but every
  derivative is ``sympy.diff`` of the unrolled loss: an independent check of the numeric BPTT.
- :func:`unrolled` — the symbols and expressions a_t, h_t, o_t, L of a small network, to print.
- :func:`gradient_entry` — one entry ∂L/∂θ_ij as a readable formula.
- ``seed002_*`` — seed 002's worked problem (sigmoid, no biases, ½‖ỹ - y‖² at the last step):
  its index-notation results for ∂h/∂U, ∂L/∂V, ∂L/∂U, the ∂L/∂W it leaves as an exercise, and
  checks of each against sympy.

Importing this module imports sympy (slow), so ``import rnnlib`` loads it only on demand.
"""
from .engine import loss_and_grads
from .model import Unrolled, unrolled

__all__ = ["Unrolled", "loss_and_grads", "unrolled"]

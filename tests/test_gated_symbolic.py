"""The gated cells' BPTT against gradients that sympy derives (small sizes).

The tolerance policy is test_symbolic.py's (its :func:`assert_same`, stated in its docstring).
"""
import numpy as np
import pytest

from rnnlib import symbolic
from test_gated_cells import gated_problem
from test_symbolic import assert_same

# h0 and s0 of different kinds in each case: None (zeros), one shared (H,) state, or (B, H)
CASES = [
    dict(T=2, B=None, D=2, H=2, K=2, loss="cross_entropy", mode="many_to_many", state="shared",
         s0="none"),
    dict(T=3, B=2, D=2, H=2, K=2, loss="mse", mode="many_to_one", state="each", s0="shared"),
    dict(T=3, B=2, D=3, H=2, K=3, token_ids=True, loss="cross_entropy", mode="many_to_many",
         state="none", s0="each"),
]


def problem(cell, case, seed=21):
    """gated_problem's (params, xs, targets, h0, s0), with s0 of the kind case["s0"]."""
    case = dict(case)
    s0_kind = case.pop("s0")
    params, xs, targets, h0, _ = gated_problem(cell, seed=seed, **case)
    shape = {"none": None, "shared": (case["H"],),
             "each": (case["B"], case["H"]) if case["B"] else (case["H"],)}[s0_kind]
    s0 = None if (shape is None or cell == "gru") else \
        np.random.default_rng(seed + 1).normal(0, 0.5, shape)
    return params, xs, targets, h0, s0


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("truncate", [None, 2])
def test_sympy_agrees_with_bptt(cell, case, truncate):
    params, xs, targets, h0, s0 = problem(cell, case)
    assert_same(params, xs, targets, h0=h0, s0=s0, cell=cell, loss=case["loss"],
                mode=case["mode"], truncate=truncate)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("b", [-800.0, 800.0])
def test_saturated_gate_stays_finite(cell, b):
    """A sigmoid gate (the LSTM's input gate, the GRU's update gate: row 0 of b) fed ±800:
    finite gradients, equal to the numeric path's."""
    params, xs, targets, h0, s0 = problem(cell, CASES[0])
    params["b"][0] = b
    _, g = assert_same(params, xs, targets, h0=h0, s0=s0, cell=cell)
    assert all(np.all(np.isfinite(v)) for v in g.values())


def test_symbolic_checks_like_the_numeric_path():
    params, xs, targets, _, _ = gated_problem("gru", T=2, H=2, seed=3)
    with pytest.raises(ValueError, match="argument 's0'"):
        symbolic.loss_and_grads(params, xs, targets, cell="gru", s0=np.zeros(2))
    with pytest.raises(ValueError, match="argument 'activation'"):
        symbolic.loss_and_grads(params, xs, targets, cell="gru", activation="relu")

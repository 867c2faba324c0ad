"""The gated cells' BPTT against gradients that sympy derives (small sizes)."""
import numpy as np
import pytest

import rnnlib
from test_gated_cells import gated_problem

symbolic = pytest.importorskip("rnnlib.symbolic")

CASES = [
    dict(T=2, B=None, D=2, H=2, K=2, loss="cross_entropy", mode="many_to_many", state="shared"),
    dict(T=3, B=2, D=2, H=2, K=2, loss="mse", mode="many_to_one", state="each"),
    dict(T=3, B=2, D=3, H=2, K=3, token_ids=True, loss="cross_entropy", mode="many_to_many",
         state="none"),
]


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("truncate", [None, 2])
def test_sympy_agrees_with_bptt(cell, case, truncate):
    params, xs, targets, h0, s0 = gated_problem(cell, seed=21, **case)
    opts = dict(h0=h0, s0=s0, cell=cell, loss=case["loss"], mode=case["mode"], truncate=truncate)
    loss_n, grads_n = rnnlib.loss_and_grads(params, xs, targets, **opts)
    loss_s, grads_s = symbolic.loss_and_grads(params, xs, targets, **opts)
    assert loss_s == pytest.approx(loss_n, rel=1e-12)
    assert set(grads_s) == set(grads_n)
    for key in grads_n:
        assert grads_s[key].shape == grads_n[key].shape, key
        np.testing.assert_allclose(grads_s[key], grads_n[key], atol=1e-12, rtol=1e-10)


def test_symbolic_checks_like_the_numeric_path():
    params, xs, targets, _, _ = gated_problem("gru", T=2, H=2, seed=3)
    with pytest.raises(ValueError, match="argument 's0'"):
        symbolic.loss_and_grads(params, xs, targets, cell="gru", s0=np.zeros(2))
    with pytest.raises(ValueError, match="argument 'activation'"):
        symbolic.loss_and_grads(params, xs, targets, cell="gru", activation="relu")

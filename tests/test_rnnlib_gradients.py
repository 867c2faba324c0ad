"""BPTT against central finite differences, over random shapes and every option."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import rnnlib
from helpers import problem

options = st.fixed_dictionaries({
    "T": st.integers(1, 5), "B": st.sampled_from([None, 1, 3]), "D": st.integers(1, 4),
    "H": st.integers(1, 5), "K": st.integers(1, 4), "token_ids": st.booleans(),
    "loss": st.sampled_from(rnnlib.LOSSES), "mode": st.sampled_from(rnnlib.MODES),
    "h0": st.sampled_from(["none", "shared", "each"]), "seed": st.integers(0, 10_000),
})


@settings(max_examples=60, deadline=None)
@given(case=options, activation=st.sampled_from(["tanh", "sigmoid", "relu"]))
def test_bptt_matches_finite_differences(case, activation):
    if case["h0"] == "each" and case["B"] is None:
        case["h0"] = "shared"
    params, xs, targets, h0 = problem(**case)
    # floor=1e-4: central differences carry ~1e-11 of rounding noise, so a gradient smaller
    # than 1e-4 (seen: ∂L/∂h0 = 6.5e-6 through a saturated unit) is held to |a - n| <= 1e-10.
    errors = rnnlib.check_grads(params, xs, targets, h0=h0, activation=activation,
                                loss=case["loss"], mode=case["mode"], floor=1e-4)
    # relu's kink: a pre-activation within eps of 0 makes the finite difference straddle it.
    a = rnnlib.forward(params, xs, h0=h0, activation=activation).a
    if activation == "relu" and np.min(np.abs(a)) < 1e-4:
        return
    assert max(errors.values()) <= 1e-6, errors


def test_loss_is_the_sum_over_steps_and_sequences():
    params, xs, targets, _ = problem(T=5, B=3)
    total, _ = rnnlib.loss_and_grads(params, xs, targets)
    parts = sum(rnnlib.loss_and_grads(params, xs[:, i], targets[:, i])[0] for i in range(3))
    assert total == pytest.approx(parts, rel=1e-12)
    log_probs = rnnlib.log_softmax(rnnlib.forward(params, xs).o)
    picked = np.take_along_axis(log_probs, targets[..., None], axis=-1)
    assert total == pytest.approx(-picked.sum(), rel=1e-12)


def test_mse_loss_is_half_the_sum_of_squares():
    params, xs, targets, _ = problem(T=4, B=2, loss="mse")
    total, _ = rnnlib.loss_and_grads(params, xs, targets, loss="mse")
    o = rnnlib.forward(params, xs).o
    assert total == pytest.approx(0.5 * np.sum((o - targets) ** 2), rel=1e-12)


def test_many_to_one_scores_only_the_last_step():
    params, xs, targets, _ = problem(T=6, mode="many_to_one")
    total, grads = rnnlib.loss_and_grads(params, xs, targets, mode="many_to_one")
    last_only = -rnnlib.log_softmax(rnnlib.forward(params, xs).o[-1])[targets]
    assert total == pytest.approx(last_only, rel=1e-12)
    # the output layer is only touched at t = T: ∂L/∂c = ŷ_T - onehot(y)
    expected_dc = rnnlib.softmax(rnnlib.forward(params, xs).o[-1]) - rnnlib.one_hot(int(targets), 3)
    np.testing.assert_allclose(grads["c"], expected_dc, atol=1e-12)


@pytest.mark.parametrize("engine", ["numeric", "reference"])
def test_h0_gradient_has_the_shape_h0_has_or_would_have(engine):
    """The contract: grads["h0"] is shaped like h0, also when h0=None (zeros of (B, H))."""
    lg = rnnlib.loss_and_grads if engine == "numeric" else rnnlib.reference.loss_and_grads
    params, xs, targets, _ = problem(T=3, B=2)
    none = lg(params, xs, targets)[1]["h0"]
    each = lg(params, xs, targets, h0=np.zeros((2, 4)))[1]["h0"]
    shared = lg(params, xs, targets, h0=np.zeros(4))[1]["h0"]
    one = lg(params, xs[:, 0], targets[:, 0])[1]["h0"]
    assert none.shape == (2, 4) and each.shape == (2, 4)
    assert shared.shape == (4,) and one.shape == (4,)
    np.testing.assert_array_equal(none, each)       # None is zeros of shape (B, H)
    np.testing.assert_allclose(shared, each.sum(axis=0), atol=1e-13)
    np.testing.assert_array_equal(one, lg(params, xs[:, :1], targets[:, :1])[1]["h0"][0])


def test_shared_h0_gradient_is_the_sum_over_the_batch():
    params, xs, targets, _ = problem(T=3, B=3)
    shared = rnnlib.loss_and_grads(params, xs, targets, h0=np.zeros(4))[1]["h0"]
    each = rnnlib.loss_and_grads(params, xs, targets, h0=np.zeros((3, 4)))[1]["h0"]
    np.testing.assert_allclose(shared, each.sum(axis=0), atol=1e-13)


def test_token_ids_equal_one_hot_inputs_for_any_integer_dtype():
    params, ids, targets, _ = problem(T=5, B=2, token_ids=True)
    one_hot = np.eye(3)[ids]
    ref_loss, ref = rnnlib.loss_and_grads(params, one_hot, targets)
    for dtype in (np.int32, np.int64, np.uint8):
        loss, grads = rnnlib.loss_and_grads(params, ids.astype(dtype), targets.astype(dtype))
        assert loss == pytest.approx(ref_loss, rel=1e-13)
        for k in ref:
            np.testing.assert_allclose(grads[k], ref[k], atol=1e-13)


def test_a_batch_equals_its_sequences_run_alone():
    params, xs, targets, _ = problem(T=4, B=3)
    batch = rnnlib.forward(params, xs)
    for i in range(3):
        alone = rnnlib.forward(params, xs[:, i])
        np.testing.assert_allclose(batch.h[:, i], alone.h, atol=1e-14)
        np.testing.assert_allclose(batch.o[:, i], alone.o, atol=1e-14)


def test_gradient_check_catches_a_wrong_gradient():
    """The checker itself must fail when the gradient is wrong (else it proves nothing)."""
    params, xs, targets, _ = problem(T=3)
    _, grads = rnnlib.loss_and_grads(params, xs, targets)
    wrong = grads["W"].T   # a classic slip: the transpose
    numeric = rnnlib.numerical_grads(lambda a: rnnlib.loss_and_grads(a, xs, targets)[0],
                                     {k: v.copy() for k, v in params.items()}, keys=["W"])["W"]
    assert rnnlib.relative_error(grads["W"], numeric) < 1e-8
    assert rnnlib.relative_error(wrong, numeric) > 1e-2


def test_relative_error_is_meaningful_near_zero():
    assert rnnlib.relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert rnnlib.relative_error(np.array([1e-14]), np.array([2e-14])) < 1e-1
    assert rnnlib.relative_error(np.array([1.0]), np.array([-1.0])) == 1.0

"""Forward pass, softmax, shapes and the step / trace API."""
import numpy as np
import pytest

import rnnlib
from helpers import problem


def test_forward_shapes_and_indexing():
    params, xs, _, _ = problem(T=5, B=2, D=3, H=4, K=3)
    r = rnnlib.forward(params, xs)
    assert r.a.shape == r.h.shape == (5, 2, 4) and r.o.shape == (5, 2, 3)
    # h[t-1] is h_t: the first state is f(b + U x_1) from h_0 = 0
    np.testing.assert_allclose(r.h[0], np.tanh(params["b"] + xs[0] @ params["U"].T))
    np.testing.assert_allclose(r.y_hat.sum(-1), 1.0)


@pytest.mark.parametrize("activation", rnnlib.ACTIVATIONS)
def test_forward_matches_the_equations_step_by_step(activation):
    params, xs, _, h0 = problem(T=4, h0="shared")
    r = rnnlib.forward(params, xs, h0=h0, activation=activation)
    h = h0
    for t in range(4):
        step = rnnlib.step_forward(params, xs[t], h, activation)
        np.testing.assert_allclose(step.a, params["b"] + params["W"] @ h + params["U"] @ xs[t])
        np.testing.assert_allclose(r.h[t], step.h, atol=1e-14)
        np.testing.assert_allclose(r.o[t], step.o, atol=1e-14)
        h = step.h


def test_softmax_is_stable_for_huge_logits():
    o = np.array([1000.0, 999.0, -1000.0])
    p = rnnlib.softmax(o)
    np.testing.assert_allclose(p, [1 / (1 + np.exp(-1)), np.exp(-1) / (1 + np.exp(-1)), 0], atol=1e-15)
    np.testing.assert_allclose(rnnlib.log_softmax(o)[:2], np.log(p[:2]), atol=1e-12)
    assert np.isfinite(rnnlib.log_softmax(o)).all()


def test_softmax_worked_example_of_the_sources():
    np.testing.assert_allclose(rnnlib.softmax([2.0, 1.0, 0.1]), [0.659, 0.242, 0.099], atol=5e-4)


def test_losses_are_finite_for_logits_of_1000():
    params = rnnlib.init_params(2, 2, 3, seed=0)
    params["V"][:] = 0
    params["c"][:] = [1000.0, -1000.0, 0.0]
    loss, grads = rnnlib.loss_and_grads(params, np.zeros((1, 2)), np.array([1]))
    assert loss == pytest.approx(2000.0)
    assert all(np.isfinite(g).all() for g in grads.values())


def test_temperature_flattens_and_sharpens():
    o = np.array([2.0, 1.0, 0.1])
    assert rnnlib.softmax(o, temperature=10).max() < rnnlib.softmax(o).max() < rnnlib.softmax(o, temperature=0.1).max()


def test_sigmoid_never_overflows():
    np.testing.assert_allclose(rnnlib.sigmoid(np.array([-800.0, 0.0, 800.0])), [0.0, 0.5, 1.0])


def test_init_params_is_seeded_and_shaped():
    a, b = rnnlib.init_params(3, 4, 5, seed=7), rnnlib.init_params(3, 4, 5, seed=7)
    assert {k: v.shape for k, v in a.items()} == {"U": (4, 3), "W": (4, 4), "V": (5, 4), "b": (4,), "c": (5,)}
    assert all(np.array_equal(a[k], b[k]) for k in a)


@pytest.mark.parametrize("mode", rnnlib.MODES)
@pytest.mark.parametrize("loss", rnnlib.LOSSES)
def test_trace_agrees_with_loss_and_grads(loss, mode):
    params, xs, targets, h0 = problem(T=5, loss=loss, mode=mode, h0="shared", token_ids=True)
    tr = rnnlib.trace(params, xs, targets, h0=h0, loss=loss, mode=mode)
    total, grads = rnnlib.loss_and_grads(params, xs, targets, h0=h0, loss=loss, mode=mode)
    assert tr.loss == pytest.approx(total, rel=1e-13)
    for k in grads:
        np.testing.assert_allclose(tr.grads[k], grads[k], atol=1e-13)
    np.testing.assert_allclose(tr.running[0]["W"], grads["W"], atol=1e-13)
    # ∂L/∂h_t is the sum of its two sources, and the chain passes from step t+1 to t
    for t in range(tr.T - 1):
        np.testing.assert_allclose(tr.backward[t].dh_from_next, tr.backward[t + 1].dh_prev)
        np.testing.assert_allclose(tr.backward[t].dh,
                                   tr.backward[t].dh_from_output + tr.backward[t].dh_from_next)
    # running sums grow from step T backwards: running[t-1] = Σ_{s >= t} contrib[s-1], every t
    for t in range(tr.T):
        for k in rnnlib.PARAM_KEYS:
            partial = sum(tr.backward[s].contrib[k] for s in range(t, tr.T))
            np.testing.assert_allclose(tr.running[t][k], partial, atol=1e-13, err_msg=f"{k} {t}")


@pytest.mark.parametrize("token_ids", [True, False])
@pytest.mark.parametrize("activation", rnnlib.ACTIVATIONS)
def test_trace_is_the_reference_step_by_step(activation, token_ids):
    """The trace records the reference implementation's own numbers, step by step."""
    params, xs, targets, h0 = problem(T=6, token_ids=token_ids, h0="shared", seed=5)
    tr = rnnlib.trace(params, xs, targets, h0=h0, activation=activation)
    run = rnnlib.reference.forward(params, xs, h0, activation)
    _, grads = rnnlib.reference.loss_and_grads(params, xs, targets, h0=h0, activation=activation)
    np.testing.assert_array_equal(np.array([s.h for s in tr.forward]), run.h)
    np.testing.assert_array_equal(np.array([s.a for s in tr.forward]), run.a)
    for k in grads:
        np.testing.assert_allclose(tr.grads[k], grads[k], rtol=1e-14, atol=1e-15, err_msg=k)


def test_forward_only_trace_has_no_backward():
    params, xs, _, _ = problem(T=3)
    tr = rnnlib.trace(params, xs)
    assert tr.T == 3 and tr.backward == [] and tr.targets is None


def test_one_hot_encodes_ids_of_any_shape():
    np.testing.assert_array_equal(rnnlib.one_hot(2, 4), [0, 0, 1, 0])
    grid = rnnlib.one_hot(np.array([[0, 3], [1, 1]]), 4)
    assert grid.shape == (2, 2, 4)
    np.testing.assert_array_equal(grid.argmax(axis=-1), [[0, 3], [1, 1]])
    np.testing.assert_array_equal(grid.sum(axis=-1), np.ones((2, 2)))
    with pytest.raises(ValueError, match="'ids'.*4.*\\[0, 4\\)"):
        rnnlib.one_hot(4, 4)
    with pytest.raises(TypeError, match="'ids'"):
        rnnlib.one_hot(1.0, 4)

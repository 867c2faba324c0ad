"""Adam, freezing parameters in fit, and the shared-suffix forgetting experiment."""
import tracemalloc

import numpy as np
import pytest

import rnnlib
from helpers import problem


def test_adam_first_step_is_lr_times_the_sign_of_the_gradient():
    # after one update m̂ = g and v̂ = g², so the step is lr·g/(|g| + eps) ≈ lr·sign(g)
    params, xs, targets, _ = problem(T=3)
    _, g = rnnlib.loss_and_grads(params, xs, targets)
    before = rnnlib.copy_params(params)
    rnnlib.Adam(lr=0.01).step(params, g)
    np.testing.assert_allclose(params["W"], before["W"] - 0.01 * g["W"] / (np.abs(g["W"]) + 1e-8))


def test_adam_second_step_matches_its_formula():
    params = {"U": np.array([[1.0]]), "W": np.array([[0.0]]), "V": np.array([[0.0]]),
              "b": np.zeros(1), "c": np.zeros(1)}
    g1 = {k: np.full_like(v, 2.0) for k, v in params.items()}
    g2 = {k: np.full_like(v, -1.0) for k, v in params.items()}
    opt = rnnlib.Adam(lr=0.1, beta1=0.5, beta2=0.75, eps=0.0 + 1e-12)
    opt.step(params, g1)
    opt.step(params, g2)
    m = 0.5 * (0.5 * 2.0) + 0.5 * -1.0                 # 0.0
    v = 0.75 * (0.25 * 4.0) + 0.25 * 1.0               # 1.0
    m_hat, v_hat = m / (1 - 0.25), v / (1 - 0.75 ** 2)
    expected = 1.0 - 0.1 * 1.0 - 0.1 * m_hat / (np.sqrt(v_hat) + 1e-12)
    assert params["U"][0, 0] == pytest.approx(expected, abs=1e-12)


def test_adam_rejects_bad_arguments():
    with pytest.raises(ValueError, match="'beta1'"):
        rnnlib.Adam(beta1=1.0)
    with pytest.raises(ValueError, match="'lr'"):
        rnnlib.Adam(lr=0)
    with pytest.raises(ValueError, match="'eps'"):
        rnnlib.Adam(eps=-1)


def test_freeze_zeroes_only_the_named_gradients():
    params, xs, targets, _ = problem(T=3)
    _, g = rnnlib.loss_and_grads(params, xs, targets)
    f = rnnlib.freeze(g, ("b", "c"))
    assert not f["b"].any() and not f["c"].any()
    np.testing.assert_array_equal(f["W"], g["W"])
    assert g["b"].any()                               # the input is not modified
    with pytest.raises(ValueError, match="'frozen'.*'z'"):
        rnnlib.freeze(g, ("z",))


@pytest.mark.parametrize("optimizer", rnnlib.OPTIMIZERS)
def test_fit_keeps_frozen_parameters_and_lowers_the_loss(optimizer):
    xs, ys = rnnlib.sine_windows(16, 8, seed=0)
    params = rnnlib.init_params(1, 4, 1, seed=0)
    hist = rnnlib.fit(params, (xs, ys), steps=30, lr=0.01, optimizer=optimizer,
                      frozen=("b", "c"), activation="sigmoid", loss="mse",
                      mode="many_to_one")
    assert not params["b"].any() and not params["c"].any()
    assert len(hist.loss) == 30 and hist.loss[-1] < hist.loss[0]
    assert not hist.diverged


def test_fit_sgd_is_the_sgd_formula():
    xs, ys = rnnlib.sine_windows(4, 5, seed=1)
    params = rnnlib.init_params(1, 3, 1, seed=2)
    manual = rnnlib.copy_params(params)
    rnnlib.fit(params, (xs, ys), steps=1, lr=0.5, loss="mse", mode="many_to_one",
               clip=0.1)
    _, g = rnnlib.loss_and_grads(manual, xs, ys, loss="mse", mode="many_to_one")
    g, _ = rnnlib.clip_by_global_norm(g, 0.1)
    np.testing.assert_allclose(params["U"], manual["U"] - 0.5 * g["U"], rtol=0, atol=1e-15)


def test_fit_reports_divergence_instead_of_crashing():
    xs, ys = rnnlib.sine_windows(8, 5, seed=0)
    params = rnnlib.init_params(1, 4, 1, seed=0, weight_scale=3.0)
    hist = rnnlib.fit(params, (xs, 1e3 * ys), steps=200, lr=1e3, activation="relu",
                      loss="mse", mode="many_to_one")
    assert hist.diverged and len(hist.loss) < 200


def test_fit_rejects_bad_arguments():
    xs, ys = rnnlib.sine_windows(4, 5)
    p = rnnlib.init_params(1, 3, 1)
    with pytest.raises(ValueError, match="'optimizer'.*'rmsprop'"):
        rnnlib.fit(p, (xs, ys), steps=1, lr=0.1, optimizer="rmsprop")
    with pytest.raises(ValueError, match="'lr'"):
        rnnlib.fit(p, (xs, ys), steps=1, lr=-0.1)
    with pytest.raises(ValueError, match="'steps'"):
        rnnlib.fit(p, (xs, ys), steps=-1, lr=0.1)
    with pytest.raises(ValueError, match="'frozen'"):
        rnnlib.fit(p, (xs, ys), steps=1, lr=0.1, frozen=("h0",))


def test_shared_suffix_gaps_with_no_recurrence_forget_at_once():
    # W = 0: h_T depends on the last token only, so sharing it (d >= 1) gives identical states
    params = rnnlib.init_params(5, 4, 2, seed=0)
    params["W"][:] = 0.0
    gaps = rnnlib.shared_suffix_gaps(params, T=6, n_pairs=50, seed=1)
    assert gaps.shape == (6, 50)
    assert (gaps[1:] == 0.0).all()
    assert (gaps[0] > 0).all()                      # the last tokens always differ at d = 0


def test_shared_suffix_gaps_are_reproducible_and_shrink():
    params = rnnlib.init_params(8, 16, 8, seed=1)
    a = rnnlib.shared_suffix_gaps(params, T=20, n_pairs=100, seed=2, agree=[0, 10, 19])
    b = rnnlib.shared_suffix_gaps(params, T=20, n_pairs=100, seed=2, agree=[0, 10, 19])
    np.testing.assert_array_equal(a, b)
    med = np.median(a, axis=1)
    assert med[0] > med[1] > med[2]
    assert (a[2] > 0).all()                         # the first tokens always differ at d = T - 1


def test_shared_suffix_gaps_rejects_bad_arguments():
    params = rnnlib.init_params(3, 2, 2)
    with pytest.raises(ValueError, match="'agree'"):
        rnnlib.shared_suffix_gaps(params, T=5, n_pairs=2, agree=[6])
    with pytest.raises(ValueError, match="'T'"):
        rnnlib.shared_suffix_gaps(params, T=0, n_pairs=2)
    with pytest.raises(TypeError, match="'n_pairs'"):
        rnnlib.shared_suffix_gaps(params, T=3, n_pairs=1.5)
    with pytest.raises(ValueError, match="'params'.*D >= 2"):
        rnnlib.shared_suffix_gaps(rnnlib.init_params(1, 2, 2), T=3, n_pairs=2)


def test_step_multiply_adds_counts_the_three_products():
    assert rnnlib.step_multiply_adds(65, 100, 65) == 100 * 65 + 100 * 100 + 65 * 100
    assert rnnlib.step_multiply_adds(65, 100, 65, token_ids=True) == 100 * 100 + 65 * 100
    with pytest.raises(ValueError, match="'H'"):
        rnnlib.step_multiply_adds(3, 0, 2)


def test_peak_bytes_counts_what_the_call_allocates_not_its_inputs():
    assert 16e6 <= rnnlib.peak_bytes(np.zeros, 2 * 10**6) < 16.1e6          # 16 MB made by it
    assert rnnlib.peak_bytes(lambda: [np.zeros(10**6) for _ in range(3)]) >= 24e6   # held at once
    assert not tracemalloc.is_tracing()                          # stopped after measuring
    tracemalloc.start()                                          # someone else's tracing ...
    try:
        inputs = np.ones(10**6)                                  # 8 MB traced before the call
        assert rnnlib.peak_bytes(np.sum, inputs) < 1e5           # reads them, makes nothing
        assert tracemalloc.is_tracing()                          # ... is left running
    finally:
        tracemalloc.stop()
    with pytest.raises(TypeError, match="argument 'fn'"):
        rnnlib.peak_bytes(3)

"""∂h_T/∂h_t: the step Jacobians and their products, against finite differences."""
import numpy as np
import pytest

import rnnlib
from helpers import problem


@pytest.mark.parametrize("activation", rnnlib.ACTIVATIONS)
def test_step_jacobian_matches_finite_differences(activation):
    params, xs, _, h0 = problem(T=3, H=4, h0="shared", seed=3)
    J = rnnlib.step_jacobians(params, xs, h0=h0, activation=activation)
    h_prev = rnnlib.forward(params, xs, h0=h0, activation=activation).h[0]
    eps = 1e-6
    numeric = np.zeros((4, 4))
    for j in range(4):
        d = np.zeros(4); d[j] = eps
        up = rnnlib.step_forward(params, xs[1], h_prev + d, activation).h
        down = rnnlib.step_forward(params, xs[1], h_prev - d, activation).h
        numeric[:, j] = (up - down) / (2 * eps)
    np.testing.assert_allclose(J[1], numeric, atol=1e-8)


def test_jacobian_norms_against_finite_differences_of_h_T():
    params, xs, _, h0 = problem(T=5, H=3, h0="shared", seed=4)
    norms = rnnlib.jacobian_norms(params, xs, h0=h0)
    assert norms.shape == (6,) and norms[-1] == pytest.approx(1.0)
    # ∂h_T/∂h_0 by finite differences on h0
    eps = 1e-6
    numeric = np.zeros((3, 3))
    for j in range(3):
        d = np.zeros(3); d[j] = eps
        numeric[:, j] = (rnnlib.forward(params, xs, h0=h0 + d).h[-1]
                         - rnnlib.forward(params, xs, h0=h0 - d).h[-1]) / (2 * eps)
    assert norms[0] == pytest.approx(np.linalg.norm(numeric, 2), rel=1e-7)


def test_batch_norms_have_one_column_per_sequence():
    params, xs, _, _ = problem(T=4, B=3, seed=5)
    norms = rnnlib.jacobian_norms(params, xs)
    assert norms.shape == (5, 3)
    np.testing.assert_allclose(norms[:, 1], rnnlib.jacobian_norms(params, xs[:, 1]))


def test_linear_regime_follows_the_spectral_radius():
    """With tiny inputs and zero bias, tanh is nearly linear: ‖W^k‖ decays like ρ^k."""
    params = rnnlib.init_params(2, 6, 2, seed=0)
    params["W"] = rnnlib.with_spectral_radius(params["W"], 0.5)
    assert rnnlib.spectral_radius(params["W"]) == pytest.approx(0.5)
    norms = rnnlib.jacobian_norms(params, np.full((40, 2), 1e-6))
    slope = np.polyfit(np.arange(41)[:30], np.log(norms[:30]), 1)[0]
    assert slope == pytest.approx(-np.log(0.5), rel=0.1)   # norms grow towards t = T


def test_with_spectral_radius_rejects_bad_input():
    with pytest.raises(ValueError, match="'rho'"):
        rnnlib.with_spectral_radius(np.eye(2), -1)
    with pytest.raises(ValueError, match="'W'.*square"):
        rnnlib.spectral_radius(np.zeros((2, 3)))

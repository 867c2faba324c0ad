"""rnnlib.architectures.reservoir: leaky units and the echo-state readout."""
from __future__ import annotations

import numpy as np
import pytest

import rnnlib
from rnnlib.architectures.reservoir import fit_readout, init_reservoir, leaky_states, readout_classes


def test_reservoir_has_the_spectral_radius_asked_for():
    p = init_reservoir(8, 30, rho=0.95, seed=1)
    assert abs(rnnlib.spectral_radius(p["W"]) - 0.95) < 1e-12


def test_leak_one_is_the_plain_rnn():
    p = init_reservoir(5, 6, seed=2)
    xs = np.random.default_rng(0).integers(0, 5, (7, 3))
    full = {**p, "V": np.zeros((1, 6)), "c": np.zeros(1)}
    np.testing.assert_allclose(leaky_states(p, xs, leak=1.0), rnnlib.forward(full, xs).h, atol=1e-14)


def test_leaky_jacobian_has_the_self_connection():
    p = init_reservoir(3, 4, seed=3)
    leak = 0.2
    xs = np.array([[1], [2]])
    h1 = leaky_states(p, xs[:1], leak=leak)[0, 0]
    a2 = p["b"] + p["W"] @ h1 + p["U"][:, 2]
    J = (1 - leak) * np.eye(4) + leak * (1 - np.tanh(a2) ** 2)[:, None] * p["W"]
    eps = 1e-6
    num = np.zeros((4, 4))
    for j in range(4):
        for sign in (1, -1):
            h = h1.copy()
            h[j] += sign * eps
            num[:, j] += sign * ((1 - leak) * h + leak * np.tanh(p["b"] + p["W"] @ h + p["U"][:, 2]))
    np.testing.assert_allclose(num / (2 * eps), J, atol=1e-8)


def test_readout_solves_the_ridge_problem():
    rng = np.random.default_rng(4)
    states, y = rng.normal(size=(50, 5)), rng.integers(0, 3, 50)
    r = fit_readout(states, y, 3, ridge=0.1)
    X = np.hstack([states, np.ones((50, 1))])
    W = np.vstack([r["V"].T, r["c"]])
    grad = X.T @ (X @ W - np.eye(3)[y]) + 0.1 * np.vstack([r["V"].T, np.zeros((1, 3))])
    assert np.abs(grad).max() < 1e-9


def test_readout_classes_are_the_largest_scores():
    rng = np.random.default_rng(5)
    states, y = rng.normal(size=(40, 6)), rng.integers(0, 3, 40)
    r = fit_readout(states, y, 3)
    scores = states @ r["V"].T + r["c"]
    got = readout_classes(r, states)
    assert got.shape == (40,) and got.dtype.kind == "i"
    assert np.all(scores[np.arange(40), got] == scores.max(axis=1))
    r = {"V": np.eye(3)[:, :2], "c": np.array([0.0, 0.0, 0.5])}       # 3 classes over H = 2
    np.testing.assert_array_equal(readout_classes(r, np.array([[2.0, 0.0], [0.0, 2.0], [0.1, 0.2]])),
                                  [0, 1, 2])


def test_leaky_reservoir_recalls_far_back():
    p = init_reservoir(8, 100, rho=0.9, seed=0)
    xs, y = rnnlib.recall_first(1000, 31, seed=100)
    xt, yt = rnnlib.recall_first(300, 31, seed=7)
    accs = {}
    for leak in (1.0, 0.1):
        r = fit_readout(leaky_states(p, xs, leak=leak)[-1], y, 4)
        accs[leak] = np.mean(readout_classes(r, leaky_states(p, xt, leak=leak)[-1]) == yt)
    assert accs[0.1] > 0.95 and accs[1.0] < 0.4


def test_leaky_states_start_from_h0():
    p = init_reservoir(5, 6, seed=3)
    xs = np.random.default_rng(1).integers(0, 5, (4, 2))
    h0 = np.random.default_rng(2).normal(size=(2, 6))
    full = {**p, "V": np.zeros((1, 6)), "c": np.zeros(1)}
    np.testing.assert_allclose(leaky_states(p, xs, h0=h0), rnnlib.forward(full, xs, h0=h0).h, atol=1e-14)


@pytest.mark.parametrize("call, name, error", [
    (lambda p: leaky_states(p, np.array([[0]]), h0=np.zeros((2, 4))), "h0", ValueError),
    (lambda p: leaky_states(p, np.array([[0]]), leak=0), "leak", ValueError),
    (lambda p: leaky_states(p, np.array([[0]]), leak="1"), "leak", TypeError),
    (lambda p: leaky_states(p, np.array([[9]])), "xs", ValueError),
    (lambda p: leaky_states(p, np.array([0])), "xs", ValueError),
    (lambda p: leaky_states(p, np.array([0.5])), "xs", TypeError),
    (lambda p: leaky_states({"U": p["U"]}, np.array([[0]])), "params", ValueError),
    (lambda p: init_reservoir(3, 4, rho=-1), "rho", ValueError),
    (lambda p: fit_readout(np.zeros((3, 4)), [0, 1, 0], 2, ridge=0), "ridge", ValueError),
    (lambda p: fit_readout(np.zeros((3, 4)), [0, 2, 0], 2), "targets", ValueError),
    (lambda p: fit_readout(np.zeros(3), [0, 1, 0], 2), "states", ValueError),
    (lambda p: readout_classes({"V": np.zeros((2, 4)), "c": np.zeros(2)}, np.zeros(4)), "states", ValueError),
    (lambda p: readout_classes({"V": np.zeros((2, 4)), "c": np.zeros(2)}, np.zeros((3, 5))),
     r"readout\['V'\]", ValueError),
    (lambda p: readout_classes({"V": np.zeros((2, 4))}, np.zeros((3, 4))), "readout", ValueError),
    (lambda p: readout_classes([0], np.zeros((3, 4))), "readout", TypeError),
])
def test_bad_input(call, name, error):
    with pytest.raises(error, match=f"argument '{name}'"):
        call(init_reservoir(3, 4))

"""Truncated BPTT: chunks of k steps, state carried, no gradient across a boundary."""
import numpy as np
import pytest

import rnnlib
from helpers import problem


def test_truncate_at_least_T_is_full_bptt():
    params, xs, targets, h0 = problem(T=6, B=2, h0="shared")
    full = rnnlib.loss_and_grads(params, xs, targets, h0=h0)
    for k in (6, 7, 100):
        cut = rnnlib.loss_and_grads(params, xs, targets, h0=h0, truncate=k)
        assert cut[0] == pytest.approx(full[0], rel=1e-13)
        for key in full[1]:
            np.testing.assert_allclose(cut[1][key], full[1][key], atol=1e-13)


def test_truncation_keeps_the_loss_but_cuts_gradient():
    params, xs, targets, _ = problem(T=8, B=2)
    full_loss, full = rnnlib.loss_and_grads(params, xs, targets)
    cut_loss, cut = rnnlib.loss_and_grads(params, xs, targets, truncate=3)
    assert cut_loss == pytest.approx(full_loss, rel=1e-13)   # the forward pass is unchanged
    assert rnnlib.relative_error(cut["W"], full["W"]) > 1e-3   # the gradient is not
    # the output layer's gradient never crosses time, so truncation leaves it exact
    np.testing.assert_allclose(cut["V"], full["V"], atol=1e-13)
    np.testing.assert_allclose(cut["c"], full["c"], atol=1e-13)


def test_no_gradient_crosses_a_chunk_boundary():
    """many_to_one with k < T: only the last chunk is scored, so inputs before it get no
    gradient. With one-hot inputs whose early tokens never reappear, their columns of ∂L/∂U
    must be exactly zero under truncation and non-zero under full BPTT."""
    params = rnnlib.init_params(6, 5, 3, seed=1)
    xs = np.array([0, 1, 2, 3, 4, 5])          # tokens 0..2 only in the first chunk
    full = rnnlib.loss_and_grads(params, xs, 2, mode="many_to_one")[1]
    cut = rnnlib.loss_and_grads(params, xs, 2, mode="many_to_one", truncate=3)[1]
    assert np.all(np.abs(full["U"][:, :3]) > 0)
    assert np.all(cut["U"][:, :3] == 0)
    assert np.all(cut["h0"] == 0)   # h0 sits before the cut as well


def test_truncated_gradient_equals_chunk_by_chunk_detached_runs():
    """The definition: each chunk starts from the carried state as a constant."""
    params, xs, targets, _ = problem(T=7, B=2)
    k = 3
    _, cut = rnnlib.loss_and_grads(params, xs, targets, truncate=k)
    total = {key: np.zeros_like(v) for key, v in params.items()}
    h = np.zeros((2, 4))
    for start in range(0, 7, k):
        stop = min(start + k, 7)
        _, g = rnnlib.loss_and_grads(params, xs[start:stop], targets[start:stop], h0=h)
        for key in total:
            total[key] += g[key]
        h = rnnlib.forward(params, xs[start:stop], h0=h).h[-1]
    for key in total:
        np.testing.assert_allclose(cut[key], total[key], atol=1e-13)


def test_h0_gradient_comes_from_the_first_chunk_only():
    params, xs, targets, h0 = problem(T=6, h0="shared")
    _, cut = rnnlib.loss_and_grads(params, xs, targets, h0=h0, truncate=2)
    _, first = rnnlib.loss_and_grads(params, xs[:2], targets[:2], h0=h0)
    np.testing.assert_allclose(cut["h0"], first["h0"], atol=1e-14)

"""Every architecture's gradients against central finite differences, h0 included.

The loss of each model is a function of its whole parameter tree; perturbing one entry of any
array at a time (``rnnlib.numerical_grads``) must reproduce what its backward pass computed.
"""
from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import rnnlib
from rnnlib.architectures import (bidirectional_loss_and_grads, encoder_decoder_loss_and_grads,
                                  init_bidirectional, init_encoder_decoder, init_layer, init_stacked,
                                  layer_backward, layer_forward, masked_loss_and_grads,
                                  stacked_loss_and_grads)
from rnnlib.training.tree import leaves, tree_grad_errors

TOL = 1e-6


def worst_error(loss_fn, params, h0, analytic) -> float:
    """Largest relative error over every parameter array and every initial state."""
    arrays = dict(leaves(params, params_only=True))
    if h0 is not None:
        arrays.update({f"h0/{k}": v for k, v in leaves(h0, "")} if isinstance(h0, (dict, list))
                      else {"h0": h0})
    numeric = rnnlib.numerical_grads(lambda _: loss_fn(params, h0), arrays)
    flat = dict(leaves(analytic))
    return max(rnnlib.relative_error(flat[k], numeric[k]) for k in numeric)


def inputs(rng, token_ids, T, B, D):
    return rng.integers(0, D, (T, B)) if token_ids else rng.normal(0, 1, (T, B, D))


def test_layer_backward_with_dh_from_above_matches_finite_differences():
    rng = np.random.default_rng(0)
    layer = init_layer(3, 4, seed=1)
    xs, h0 = rng.normal(size=(5, 2, 3)), rng.normal(0, 0.5, (2, 4))
    weights = rng.normal(size=(5, 2, 4))        # L = Σ weights ⊙ h: so ∂L/∂h_t = weights[t]

    def loss(p, h):
        return float(np.sum(weights * layer_forward(p, xs, h).h))

    grads = layer_backward(layer, layer_forward(layer, xs, h0), weights, input_grad=True)
    assert worst_error(loss, layer, h0, grads) < TOL
    num_x = rnnlib.numerical_grads(lambda a: float(np.sum(weights * layer_forward(layer, a["xs"], h0).h)),
                                   {"xs": xs.copy()})["xs"]
    assert rnnlib.relative_error(grads["xs"], num_x) < TOL


def test_layer_forward_is_the_cores_recurrence():
    p = rnnlib.init_params(3, 4, 2, seed=2)
    xs = np.random.default_rng(1).integers(0, 3, (6, 2))
    assert np.array_equal(layer_forward(p, xs).h, rnnlib.forward(p, xs).h)


@settings(max_examples=12, deadline=None)
@given(token_ids=st.booleans(), mode=st.sampled_from(["many_to_many", "many_to_one"]),
       h0_kind=st.sampled_from(["none", "shared", "per"]), seed=st.integers(0, 10**6),
       activation=st.sampled_from(["tanh", "sigmoid", "relu"]))
def test_masked_rnn_gradients(token_ids, mode, h0_kind, seed, activation):
    rng = np.random.default_rng(seed)
    T, B, D, H, K = 4, 3, 3, 4, 3
    p = rnnlib.init_params(D, H, K, seed=seed % 1000)
    xs = inputs(rng, token_ids, T, B, D)
    lengths = rng.integers(1, T + 1, B)
    y = rng.integers(0, K, (T, B)) if mode == "many_to_many" else rng.integers(0, K, B)
    h0 = {"none": None, "shared": rng.normal(0, .5, H), "per": rng.normal(0, .5, (B, H))}[h0_kind]
    kw = dict(lengths=lengths, activation=activation, mode=mode)
    _, g = masked_loss_and_grads(p, xs, y, h0=h0, **kw)
    assert g["h0"].shape == ((H,) if h0_kind == "shared" else (B, H))
    if h0 is None:   # differentiate at h0 = 0 anyway, as the contract says grads["h0"] means
        h0 = np.zeros((B, H))
    assert worst_error(lambda q, h: masked_loss_and_grads(q, xs, y, h0=h, **kw)[0], p, h0, g) < TOL


@settings(max_examples=10, deadline=None)
@given(token_ids=st.booleans(), mode=st.sampled_from(["many_to_many", "many_to_one"]),
       padded=st.booleans(), seed=st.integers(0, 10**6))
def test_bidirectional_gradients(token_ids, mode, padded, seed):
    rng = np.random.default_rng(seed)
    T, B, D, H, K = 4, 3, 3, 3, 3
    p = init_bidirectional(D, H, K, seed=seed % 1000)
    xs = inputs(rng, token_ids, T, B, D)
    lengths = rng.integers(1, T + 1, B) if padded else None
    y = rng.integers(0, K, (T, B)) if mode == "many_to_many" else rng.integers(0, K, B)
    h0 = {"forward": rng.normal(0, .5, H), "backward": rng.normal(0, .5, (B, H))}
    kw = dict(lengths=lengths, mode=mode)
    _, g = bidirectional_loss_and_grads(p, xs, y, h0=h0, **kw)
    assert g["h0"]["forward"].shape == (H,) and g["h0"]["backward"].shape == (B, H)
    assert worst_error(lambda q, h: bidirectional_loss_and_grads(q, xs, y, h0=h, **kw)[0], p, h0, g) < TOL


@settings(max_examples=8, deadline=None)
@given(sizes=st.sampled_from([[3], [3, 4], [2, 3, 2]]), mode=st.sampled_from(["many_to_many", "many_to_one"]),
       seed=st.integers(0, 10**6))
def test_stacked_gradients(sizes, mode, seed):
    rng = np.random.default_rng(seed)
    T, B, D, K = 4, 2, 3, 3
    p = init_stacked(D, sizes, K, seed=seed % 1000)
    xs = rng.integers(0, D, (T, B))
    lengths = rng.integers(1, T + 1, B)
    y = rng.integers(0, K, (T, B)) if mode == "many_to_many" else rng.integers(0, K, B)
    h0 = [rng.normal(0, .5, h) for h in sizes]
    kw = dict(lengths=lengths, mode=mode)
    _, g = stacked_loss_and_grads(p, xs, y, h0=h0, **kw)
    assert [a.shape for a in g["h0"]] == [(h,) for h in sizes]
    assert worst_error(lambda q, h: stacked_loss_and_grads(q, xs, y, h0=h, **kw)[0], p, h0, g) < TOL


@settings(max_examples=8, deadline=None)
@given(T_src=st.integers(1, 4), T_out=st.integers(1, 4), float_src=st.booleans(), seed=st.integers(0, 10**6))
def test_encoder_decoder_gradients(T_src, T_out, float_src, seed):
    rng = np.random.default_rng(seed)
    B, D, H, K = 3, 3, 4, 3
    p = init_encoder_decoder(D, H, K, seed=seed % 1000)
    src = inputs(rng, not float_src, T_src, B, D)
    tgt = rng.integers(0, K, (T_out, B))
    kw = dict(src_lengths=rng.integers(1, T_src + 1, B), tgt_lengths=rng.integers(1, T_out + 1, B))
    h0 = rng.normal(0, .5, (B, H))
    _, g = encoder_decoder_loss_and_grads(p, src, tgt, h0=h0, **kw)
    assert g["h0"].shape == (B, H)
    assert worst_error(lambda q, h: encoder_decoder_loss_and_grads(q, src, tgt, h0=h, **kw)[0], p, h0, g) < TOL


@pytest.mark.parametrize("cell", ["rnn", "lstm"])
@pytest.mark.parametrize("batched, h0_kind", [(True, "none"), (True, "shared"), (True, "per"),
                                              (False, "none"), (False, "shared")])
def test_h0_gradient_has_the_cores_shape(batched, h0_kind, cell):
    """Every architecture shapes ∂L/∂h0 as ``rnnlib.loss_and_grads`` does: (H,) for one sequence
    or an h0 (H,); (B, H) for an h0 (B, H) or None on a batch (one row a sequence)."""
    rng = np.random.default_rng(3)
    T, B, D, H, K = 4, 3, 3, 2, 3
    xs, y = rng.integers(0, D, (T, B)), rng.integers(0, K, (T, B))
    if not batched:
        xs, y = xs[:, 0], y[:, 0]
    h0 = {"none": None, "shared": rng.normal(0, .5, H), "per": rng.normal(0, .5, (B, H))}[h0_kind]
    p = rnnlib.init_params(D, H, K, cell=cell, seed=1)
    _, core = rnnlib.loss_and_grads(p, xs, y, h0=h0, cell=cell)
    want = core["h0"].shape
    _, g = masked_loss_and_grads(p, xs, y, h0=h0, cell=cell)
    np.testing.assert_allclose(g["h0"], core["h0"], rtol=0, atol=1e-12)   # the same model
    _, g = bidirectional_loss_and_grads(init_bidirectional(D, H, K, cell=cell), xs, y, cell=cell,
                                        h0=None if h0 is None else {"forward": h0, "backward": h0})
    assert g["h0"]["forward"].shape == g["h0"]["backward"].shape == want
    _, g = stacked_loss_and_grads(init_stacked(D, [H, H], K, cell=cell), xs, y, cell=cell,
                                  h0=None if h0 is None else [h0, h0])
    assert [a.shape for a in g["h0"]] == [want, want]
    _, g = encoder_decoder_loss_and_grads(init_encoder_decoder(D, H, K, cell=cell), xs, y, h0=h0,
                                          cell=cell)
    assert g["h0"].shape == want


def test_one_sequence_gives_unbatched_h0_gradient():
    p = init_encoder_decoder(3, 4, 3, seed=0)
    _, g = encoder_decoder_loss_and_grads(p, np.array([0, 2, 1]), np.array([1, 1]))
    assert g["h0"].shape == (4,)
    pb = init_bidirectional(3, 2, 3, seed=0)
    _, g = bidirectional_loss_and_grads(pb, np.array([0, 2, 1]), np.array([1, 1, 0]))
    assert g["h0"]["forward"].shape == (2,)


def test_tree_grad_errors_checks_any_tree_as_check_grads_checks_a_flat_model():
    rng = np.random.default_rng(3)
    p = rnnlib.init_params(3, 4, 2, seed=1)
    xs, y = rng.normal(size=(5, 2, 3)), rng.integers(0, 2, (5, 2))
    errors = tree_grad_errors(rnnlib.loss_and_grads, p, xs, y, floor=1e-12)
    flat = rnnlib.check_grads(p, xs, y)
    assert list(errors) == ["U", "W", "V", "b", "c"]
    for key, error in errors.items():
        assert error < TOL and abs(error - flat[key]) < 1e-9, key
    # a nested tree, with extra arguments passed through: the stacked model's every layer
    params = init_stacked(3, [4, 3], 2, cell="gru", seed=2)
    errors = tree_grad_errors(stacked_loss_and_grads, params, xs, y, cell="gru")
    assert sorted(errors) == sorted(k for k, _ in leaves(params)) and max(errors.values()) < TOL

    def wrong(q, *args):                 # a gradient 1% off is found, and only that one
        loss, g = rnnlib.loss_and_grads(q, *args)
        g["W"] = 1.01 * g["W"]
        return loss, g
    errors = tree_grad_errors(wrong, p, xs, y)
    assert 1e-3 < errors["W"] < 1e-2 and max(v for k, v in errors.items() if k != "W") < TOL


@pytest.mark.parametrize("call, error, name", [
    (lambda p: tree_grad_errors(3, p), TypeError, "loss_and_grads"),
    (lambda p: tree_grad_errors(lambda q: (0.0, q), 3.0), TypeError, "params"),
    (lambda p: tree_grad_errors(lambda q: (0.0, q), {"a": {"b": np.arange(3)}}), TypeError,
     "params['a']['b']"),
    (lambda p: tree_grad_errors(lambda q: (0.0, {}), p), ValueError, "loss_and_grads"),
    (lambda p: tree_grad_errors(lambda q: (0.0, q), p, eps=0), ValueError, "eps"),
])
def test_tree_grad_errors_names_its_bad_arguments(call, error, name):
    with pytest.raises(error, match=f"argument '{re.escape(name)}'"):
        call({"a": {"b": np.zeros(2)}})



@pytest.mark.parametrize("returns, error, words", [
    (lambda q: (0.0, {"a": {"b": np.zeros(3)}}), ValueError, "grads['a']['b'] of shape (3,)"),
    (lambda q: (0.0, {"a": {"b": None}}), ValueError, "grads['a']['b'] of shape ()"),
    (lambda q: (np.zeros(2), q), TypeError, "the loss a real number"),
    (lambda q: ("0.5", q), TypeError, "the loss a real number"),
    (lambda q: (float("nan"), q), ValueError, "a finite loss"),
    (lambda q: 0.5, ValueError, "the pair (loss, grads)"),
])
def test_tree_grad_errors_names_what_the_loss_function_returned(returns, error, words):
    """A gradient of the wrong shape or None, a loss that is no number, a function returning
    the loss alone: each is the caller's loss_and_grads, named so (no 'numeric'/'analytic')."""
    with pytest.raises(error, match=r"argument 'loss_and_grads'.*" + re.escape(words)):
        tree_grad_errors(returns, {"a": {"b": np.zeros(2)}})


def test_tree_grad_errors_wants_float64_leaves():
    """float32 keeps ~7 digits, so ±1e-5 loses most of its own: a right gradient read ~1e-3
    off. The leaf is named where it sits."""
    params = {"a": {"b": np.ones(3, dtype=np.float32)}}
    with pytest.raises(TypeError, match=re.escape("argument 'params['a']['b']'") + ".*float64"):
        tree_grad_errors(lambda q: (float(np.sum(q["a"]["b"] ** 2)), {"a": {"b": 2 * q["a"]["b"]}}),
                         params)
    with pytest.raises(TypeError, match=re.escape("argument 'arrays['b']'")):
        rnnlib.numerical_grads(lambda a: float(np.sum(a["b"])), {"b": np.ones(2, np.float32)})


def test_numerical_grads_puts_the_entry_back_when_the_function_fails():
    x = np.array([1.0, 2.0])

    def f(a):
        if a["x"][0] != 1.0:
            raise RuntimeError("the loss failed")
        return 0.0
    with pytest.raises(RuntimeError):
        rnnlib.numerical_grads(f, {"x": x})
    np.testing.assert_array_equal(x, [1.0, 2.0])
    with pytest.raises(TypeError, match="argument 'f'"):
        rnnlib.numerical_grads(lambda a: np.ones(2), {"x": x})
    np.testing.assert_array_equal(x, [1.0, 2.0])


def test_check_grads_is_tree_grad_errors_on_the_core_model():
    """One gradient checker: check_grads is tree_grad_errors on {U, W, V, b, c, h0[, s0]}, and
    both compare against the same default floor."""
    import inspect

    from rnnlib.core.gradcheck import FLOOR
    for fn in (rnnlib.check_grads, tree_grad_errors):
        assert inspect.signature(fn).parameters["floor"].default == FLOOR
    rng = np.random.default_rng(4)
    p = rnnlib.init_params(3, 4, 2, cell="lstm", seed=1)
    xs, y = rng.normal(size=(5, 2, 3)), rng.integers(0, 2, (5, 2))
    h0, s0 = rng.normal(size=(2, 4)), rng.normal(size=4)
    flat = rnnlib.check_grads(p, xs, y, h0=h0, s0=s0, cell="lstm")
    tree = {**rnnlib.copy_params(p), "h0": h0.copy(), "s0": s0.copy()}
    errors = tree_grad_errors(lambda t: rnnlib.loss_and_grads(
        {k: t[k] for k in "UWVbc"}, xs, y, h0=t["h0"], s0=t["s0"], cell="lstm"), tree, states=True)
    assert flat == errors and list(flat) == ["U", "W", "V", "b", "c", "h0", "s0"]
    assert max(flat.values()) < TOL

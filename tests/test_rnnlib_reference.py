"""The fast path (rnnlib.forward, rnnlib.loss_and_grads) equals the reference implementation
(rnnlib.reference: the loops of the algorithm, one sequence at a time) over every option."""
import inspect

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import rnnlib
from helpers import problem

options = st.fixed_dictionaries({
    "T": st.integers(1, 7), "B": st.sampled_from([None, 1, 2, 4]), "D": st.integers(1, 5),
    "H": st.integers(1, 5), "K": st.integers(1, 4), "token_ids": st.booleans(),
    "loss": st.sampled_from(rnnlib.LOSSES), "mode": st.sampled_from(rnnlib.MODES),
    "h0": st.sampled_from(["none", "shared", "each"]), "seed": st.integers(0, 10_000),
    "scale": st.sampled_from([0.5, 0.8, 1.5]),
})
TOL = 1e-12


def assert_grads_equal(fast: dict, ref: dict, tol: float = TOL) -> None:
    assert fast.keys() == ref.keys() == {"U", "W", "V", "b", "c", "h0"}
    for key in fast:
        assert fast[key].shape == ref[key].shape, key
        scale = max(1.0, float(np.max(np.abs(ref[key]), initial=0.0)))
        assert np.max(np.abs(fast[key] - ref[key]), initial=0.0) <= tol * scale, key


@settings(max_examples=150, deadline=None)
@given(case=options, activation=st.sampled_from(rnnlib.ACTIVATIONS),
       truncate=st.sampled_from([None, 1, 2, 3, 5]))
def test_fast_path_equals_reference(case, activation, truncate):
    if case["h0"] == "each" and case["B"] is None:
        case["h0"] = "shared"
    params, xs, targets, h0 = problem(**case)
    kw = dict(h0=h0, activation=activation, loss=case["loss"], mode=case["mode"],
              truncate=truncate)
    loss_fast, fast = rnnlib.loss_and_grads(params, xs, targets, **kw)
    loss_ref, ref = rnnlib.reference.loss_and_grads(params, xs, targets, **kw)
    assert loss_fast == pytest.approx(loss_ref, rel=TOL, abs=TOL)
    assert_grads_equal(fast, ref)
    run_fast = rnnlib.forward(params, xs, h0=h0, activation=activation)
    run_ref = rnnlib.reference.forward(params, xs, h0=h0, activation=activation)
    for name in ("a", "h", "o", "h0"):
        np.testing.assert_allclose(getattr(run_fast, name), getattr(run_ref, name),
                                   rtol=TOL, atol=TOL, err_msg=name)


@pytest.mark.parametrize("T", [63, 64, 65, 130])
@pytest.mark.parametrize("activation", rnnlib.ACTIVATIONS)
def test_fast_path_equals_reference_across_its_blocks_of_steps(T, activation):
    # The fast BPTT computes f'(a_t) for blocks of SLOPE_BLOCK steps; the hypothesis cases
    # above are shorter than one block. Lengths on both sides of one and two block edges:
    assert rnnlib.core.bptt.SLOPE_BLOCK == 64
    params, xs, targets, h0 = problem(T=T, B=2, D=3, H=4, K=3, token_ids=True, seed=T)
    loss_fast, fast = rnnlib.loss_and_grads(params, xs, targets, h0=h0, activation=activation)
    loss_ref, ref = rnnlib.reference.loss_and_grads(params, xs, targets, h0=h0,
                                                    activation=activation)
    assert loss_fast == pytest.approx(loss_ref, rel=TOL, abs=TOL)
    assert_grads_equal(fast, ref)


def test_reference_matches_finite_differences():
    """The reference is right on its own (full BPTT), not only equal to the fast path."""
    params, xs, targets, h0 = problem(T=5, B=2, h0="each", seed=3)
    _, ref = rnnlib.reference.loss_and_grads(params, xs, targets, h0=h0)
    arrays = {**{k: params[k].copy() for k in rnnlib.PARAM_KEYS}, "h0": h0.copy()}

    def f(a):
        p = {k: a[k] for k in rnnlib.PARAM_KEYS}
        return rnnlib.reference.loss_and_grads(p, xs, targets, h0=a["h0"])[0]

    numeric = rnnlib.numerical_grads(f, arrays)
    for key in numeric:
        assert rnnlib.relative_error(ref[key], numeric[key], 1e-8) < 1e-7, key


def test_reference_rejects_bad_input_as_the_fast_path_does():
    params, xs, targets, _ = problem(T=3)
    huge = dict(params, V=np.full_like(params["V"], 1e308))   # finite; o = V σ(a) overflows
    for p, kw in ((params, dict(activation="swish")), (params, dict(truncate=0)),
                  (params, dict(loss="hinge")), (huge, dict(activation="sigmoid"))):
        with pytest.raises(ValueError) as fast, np.errstate(over="ignore"):
            rnnlib.loss_and_grads(p, xs, targets, **kw)
        with pytest.raises(ValueError) as ref, np.errstate(over="ignore"):
            rnnlib.reference.loss_and_grads(p, xs, targets, **kw)
        assert str(fast.value) == str(ref.value)
    assert "non-finite" in str(ref.value)


def test_the_two_loops_each_fit_on_a_screen():
    """Chapter 4 prints them with inspect.getsource: each must stay a screenful."""
    for fn in (rnnlib.reference.rnn_forward, rnnlib.reference.rnn_backward):
        assert len(inspect.getsource(fn).splitlines()) <= 30, fn.__name__
    assert "dh_next" in inspect.getsource(rnnlib.reference.rnn_backward)


def gated_problem(cell, *, T, B, D, H, K, token_ids, loss, mode, h0, seed, scale):
    """(params, xs, targets, h0, s0) for a gated cell, random biases, state as ``h0`` says."""
    params, xs, targets, _ = problem(T=T, B=B, D=D, H=H, K=K, token_ids=token_ids, loss=loss,
                                     mode=mode, seed=seed, scale=scale)
    G = {"lstm": 4, "gru": 3}[cell]
    rng = np.random.default_rng(seed + 1)
    gated = rnnlib.init_params(D, H, K, cell=cell, seed=seed)
    gated["W"] *= scale
    gated["b"] = rng.normal(0, 0.5, G * H)
    gated["V"], gated["c"] = params["V"], params["c"]
    states = []
    for _ in range(2):
        if h0 == "none":
            states.append(None)
        elif h0 == "shared" or B is None:
            states.append(rng.normal(0, 0.5, H))
        else:
            states.append(rng.normal(0, 0.5, (B, H)))
    return gated, xs, targets, states[0], states[1] if cell == "lstm" else None


@settings(max_examples=150, deadline=None)
@given(case=options, cell=st.sampled_from(["lstm", "gru"]),
       truncate=st.sampled_from([None, 1, 2, 3, 5]))
def test_gated_fast_paths_equal_the_reference_loops(case, cell, truncate):
    params, xs, targets, h0, s0 = gated_problem(cell, **case)
    kw = dict(h0=h0, s0=s0, cell=cell, loss=case["loss"], mode=case["mode"], truncate=truncate)
    loss_fast, fast = rnnlib.loss_and_grads(params, xs, targets, **kw)
    loss_ref, ref = rnnlib.reference.loss_and_grads(params, xs, targets, **kw)
    assert loss_fast == pytest.approx(loss_ref, rel=TOL, abs=TOL)
    keys = {"U", "W", "V", "b", "c", "h0"} | ({"s0"} if cell == "lstm" else set())
    assert fast.keys() == ref.keys() == keys
    for key in keys:
        assert fast[key].shape == ref[key].shape, key
        scale = max(1.0, float(np.max(np.abs(ref[key]), initial=0.0)))
        assert np.max(np.abs(fast[key] - ref[key]), initial=0.0) <= TOL * scale, key
    run_fast = rnnlib.forward(params, xs, h0=h0, s0=s0, cell=cell)
    run_ref = rnnlib.reference.forward(params, xs, h0=h0, s0=s0, cell=cell)
    for name in ("h", "o", "s", "h0", "s0"):
        a, b = getattr(run_fast, name), getattr(run_ref, name)
        assert (a is None) == (b is None), name
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=TOL, atol=TOL, err_msg=name)
    assert run_fast.gates.keys() == run_ref.gates.keys()
    for name in run_fast.gates:
        np.testing.assert_allclose(run_fast.gates[name], run_ref.gates[name], rtol=TOL, atol=TOL,
                                   err_msg=name)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_gated_reference_matches_finite_differences(cell):
    """The gated loops are right on their own, not only equal to the fast paths."""
    params, xs, targets, h0, s0 = gated_problem(cell, T=4, B=2, D=3, H=3, K=2, token_ids=False,
                                                loss="cross_entropy", mode="many_to_many",
                                                h0="each", seed=5, scale=0.8)
    _, ref = rnnlib.reference.loss_and_grads(params, xs, targets, h0=h0, s0=s0, cell=cell)
    arrays = {**{k: params[k].copy() for k in rnnlib.PARAM_KEYS}, "h0": h0.copy()}
    if s0 is not None:
        arrays["s0"] = s0.copy()

    def f(a):
        p = {k: a[k] for k in rnnlib.PARAM_KEYS}
        return rnnlib.reference.loss_and_grads(p, xs, targets, h0=a["h0"], s0=a.get("s0"),
                                               cell=cell)[0]

    numeric = rnnlib.numerical_grads(f, arrays)
    for key in numeric:
        assert rnnlib.relative_error(ref[key], numeric[key], 1e-8) < 1e-7, key


def test_the_gated_loops_each_fit_on_a_screen():
    for fn in (rnnlib.reference.lstm_forward, rnnlib.reference.lstm_backward,
               rnnlib.reference.gru_forward, rnnlib.reference.gru_backward):
        assert len(inspect.getsource(fn).splitlines()) <= 40, fn.__name__

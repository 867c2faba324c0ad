"""rnnlib.symbolic: sympy's derivatives against the numeric BPTT, and the index-notation formulas.

Tolerance policy (this file and test_gated_symbolic.py, which uses :func:`assert_same`): a
symbolic and a numeric result agree when ``relative_error(symbolic, numeric) <= TOL = 1e-10``,
where relative_error is max|a - n| / max(1e-12, max(|a| + |n|)) over a whole array.

- Why 1e-10: the two paths evaluate different float64 expressions of one function. At the
  sizes tested they agree to about 1e-15, and to about 1e-13 where a sum over steps cancels;
  a wrong derivative (a missing term, a transposed index) is off by 1e-3 or more.
- Why the floor 1e-12: an array whose entries are all near zero (a ReLU unit that is off, a
  cancelling sum, a sigmoid saturated far below zero) is compared absolutely instead of by
  dividing by ~0. There the paths may differ in relative terms by much more than 1e-10: below
  a ≈ -20 the numeric sigmoid ½(1 + tanh(a/2)) loses its relative precision (it is 0 below
  a ≈ -38), while the symbolic path keeps it (test_sigmoid_far_below_zero_is_accurate).

sympy is a dependency of rnnlib, so neither file skips when it is missing.
"""
import mpmath as mp
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import rnnlib
from rnnlib import symbolic as S
from rnnlib.core.gradcheck import relative_error
from rnnlib.core.loop import CELLS
from rnnlib.symbolic import engine
from rnnlib.symbolic import index_notation as ix

TOL = 1e-10


def make_case(seed, T, D, H, K, B, *, ids, loss, mode, h0_kind):
    """Random params (non-zero biases), inputs, targets and h0 in the layouts of the contract."""
    rng = np.random.default_rng(seed)
    params = rnnlib.init_params(D, H, K, seed=seed)
    params["b"], params["c"] = rng.normal(0, 0.5, H), rng.normal(0, 0.5, K)
    lead = (T,) if B is None else (T, B)
    xs = rng.integers(0, D, lead) if ids else rng.normal(size=lead + (D,))
    tlead = (lead if mode == "many_to_many" else lead[1:])
    if loss == "cross_entropy":
        targets = rng.integers(0, K, tlead)
    else:
        targets = rng.normal(size=tlead + (K,))
    h0 = {"none": None, "shared": rng.normal(0, 0.5, H),
          "per_sequence": rng.normal(0, 0.5, (B or 1, H)) if B else rng.normal(0, 0.5, H)}[h0_kind]
    return params, xs, targets, h0


def assert_same(params, xs, targets, **options):
    """The symbolic and the numeric loss_and_grads agree (the policy above), keys in order."""
    L_num, g_num = rnnlib.loss_and_grads(params, xs, targets, **options)
    L_sym, g_sym = S.loss_and_grads(params, xs, targets, **options)
    assert relative_error(L_sym, L_num) <= TOL
    assert list(g_sym) == list(g_num)
    for key in g_num:
        assert g_sym[key].shape == g_num[key].shape, key
        assert relative_error(g_sym[key], g_num[key]) <= TOL, key
    return L_sym, g_sym


# --- symbolic == numeric -------------------------------------------------------------------

@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**16), T=st.integers(1, 3), D=st.integers(1, 3),
       H=st.integers(1, 3), K=st.integers(1, 3), B=st.sampled_from([None, 1, 2]),
       activation=st.sampled_from(rnnlib.ACTIVATIONS), loss=st.sampled_from(rnnlib.LOSSES),
       mode=st.sampled_from(rnnlib.MODES), ids=st.booleans(),
       h0_kind=st.sampled_from(["none", "shared", "per_sequence"]),
       truncate=st.sampled_from([None, 1, 2]))
def test_symbolic_matches_numeric(seed, T, D, H, K, B, activation, loss, mode, ids, h0_kind,
                                  truncate):
    params, xs, targets, h0 = make_case(seed, T, D, H, K, B, ids=ids, loss=loss, mode=mode,
                                        h0_kind=h0_kind)
    assert_same(params, xs, targets, h0=h0, activation=activation, loss=loss, mode=mode,
                truncate=truncate)


@pytest.mark.parametrize("activation", rnnlib.ACTIVATIONS)
@pytest.mark.parametrize("loss", rnnlib.LOSSES)
@pytest.mark.parametrize("mode", rnnlib.MODES)
def test_every_option_once(activation, loss, mode):
    params, xs, targets, h0 = make_case(1, 3, 2, 2, 2, 2, ids=False, loss=loss, mode=mode,
                                        h0_kind="per_sequence")
    assert_same(params, xs, targets, h0=h0, activation=activation, loss=loss, mode=mode)
    assert_same(params, xs, targets, h0=h0, activation=activation, loss=loss, mode=mode,
                truncate=2)


@pytest.mark.parametrize("truncate", [None, 1, 2])
def test_token_ids_and_truncation(truncate):
    params, xs, targets, h0 = make_case(2, 3, 3, 2, 3, 2, ids=True, loss="cross_entropy",
                                        mode="many_to_many", h0_kind="shared")
    assert_same(params, xs, targets, h0=h0, truncate=truncate)


def test_largest_required_size():
    """T = 3, D = H = K = 3, B = 2 (timing is in the report, not asserted here)."""
    params, xs, targets, h0 = make_case(3, 3, 3, 3, 3, 2, ids=False, loss="cross_entropy",
                                        mode="many_to_many", h0_kind="per_sequence")
    assert_same(params, xs, targets, h0=h0)
    assert_same(params, xs, targets)


def test_h0_gradient_has_the_shape_h0_has_or_would_have():
    params, xs, targets, _ = make_case(4, 2, 2, 3, 2, 2, ids=False, loss="mse",
                                       mode="many_to_many", h0_kind="none")
    none = S.loss_and_grads(params, xs, targets, loss="mse")[1]["h0"]
    each = S.loss_and_grads(params, xs, targets, loss="mse", h0=np.zeros((2, 3)))[1]["h0"]
    shared = S.loss_and_grads(params, xs, targets, loss="mse", h0=np.zeros(3))[1]["h0"]
    one = S.loss_and_grads(params, xs[:, 0], targets[:, 0], loss="mse")[1]["h0"]
    assert none.shape == (2, 3) and each.shape == (2, 3)   # None: zeros of shape (B, H)
    assert shared.shape == (3,) and one.shape == (3,)
    np.testing.assert_allclose(none, each, atol=1e-13)
    np.testing.assert_allclose(shared, each.sum(axis=0), atol=1e-13)
    np.testing.assert_allclose(none, rnnlib.loss_and_grads(params, xs, targets,
                                                           loss="mse")[1]["h0"], atol=1e-13)


def test_large_logits_stay_finite():
    """Cross-entropy is evaluated shifted by max o, so logits of ~800 do not overflow exp."""
    params, xs, targets, _ = make_case(5, 2, 2, 2, 2, None, ids=False, loss="cross_entropy",
                                       mode="many_to_many", h0_kind="none")
    params["c"] = np.array([800.0, -800.0])
    targets = np.array([1, 1])  # the unlikely class: loss ~1600, gradients of order one
    L, grads = S.loss_and_grads(params, xs, targets)
    assert np.isfinite(L) and all(np.all(np.isfinite(g)) for g in grads.values())
    assert_same(params, xs, targets)


def test_repeated_calls_use_the_cache():
    params, xs, targets, _ = make_case(6, 2, 2, 2, 2, 2, ids=False, loss="mse",
                                       mode="many_to_many", h0_kind="none")
    S.loss_and_grads(params, xs, targets, loss="mse")
    hits = engine.compiled_chunk.cache_info().hits
    S.loss_and_grads(params, xs * 2, targets + 1, loss="mse")  # new numbers, same expressions
    assert engine.compiled_chunk.cache_info().hits == hits + 1


def _one_unit(b):
    """One sigmoid unit fed only its bias b, its output o = h, target 1: a = b at every step."""
    return {"U": np.array([[1.0]]), "W": np.array([[0.0]]), "V": np.array([[1.0]]),
            "b": np.array([b]), "c": np.array([0.0])}


@pytest.mark.parametrize("b", [-710.0, -800.0, 710.0, 800.0])
def test_sigmoid_saturated_stays_finite(b):
    """The textbook σ = 1/(1 + e^{-a}) differentiates to e^{-a}/(1 + e^{-a})², inf/inf = nan
    once e^{-a} overflows (a < -709.8); the engine's form gives a finite slope everywhere."""
    _, g = assert_same(_one_unit(b), np.zeros((1, 1)), np.array([[1.0]]),
                       activation="sigmoid", loss="mse")
    assert all(np.all(np.isfinite(v)) for v in g.values())


def test_sigmoid_far_below_zero_is_accurate():
    """At a = -40, σ ≈ 4e-18: the numeric ½(1 + tanh(a/2)) rounds it to 0, the symbolic path
    keeps its digits (so there the symbolic path is the accurate one)."""
    sigma = 1 / (1 + np.exp(40.0))       # accurate: e^{40} is finite
    exact = (sigma - 1) * sigma * (1 - sigma)       # ∂L/∂b = (h - y) σ'(b), L = ½(h - y)²
    _, g = S.loss_and_grads(_one_unit(-40.0), np.zeros((1, 1)), np.array([[1.0]]),
                            activation="sigmoid", loss="mse")
    assert abs(g["b"][0] - exact) <= 1e-14 * abs(exact)


def test_a_loss_small_next_to_the_logits_keeps_its_digits():
    """Logits near 1000 whose target leads by 5-10: each L_t = log Σ_k e^{o_k - m} + m - o_y is
    ~1e-3 while m and o_y are ~1000. Summed step by step, m - o_y = 0 exactly at every step;
    in one flat sum over the steps the m's and o's of all steps were added first and cancelled
    only at the end (an error of ~4e-11 relative here)."""
    params = {"U": np.ones((1, 1)), "W": np.zeros((1, 1)), "V": np.array([[700.3], [690.1]]),
              "b": np.zeros(1), "c": np.array([300.7, 300.87])}
    xs = np.random.default_rng(0).uniform(0.5, 1.0, (3, 2, 1))    # h = relu(x) = x
    L, _ = S.loss_and_grads(params, xs, np.zeros((3, 2), dtype=int), activation="relu")
    exact = 0
    with mp.workdps(40):
        for x in xs.ravel():
            o = [params["c"][k] + params["V"][k, 0] * x for k in range(2)]  # as float64 has it
            exact += mp.log(mp.exp(o[0]) + mp.exp(o[1])) - o[0]
    assert abs(L - float(exact)) <= 1e-12 * L


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_gradients_are_writable_arrays_in_the_numeric_order(cell):
    params = rnnlib.init_params(2, 2, 2, cell=cell, seed=1)
    states = {"h0": np.zeros((2, 2))} | ({"s0": np.zeros(2)} if cell == "lstm" else {})
    xs, targets = np.ones((2, 2, 2)), np.zeros((2, 2), dtype=int)
    _, g = S.loss_and_grads(params, xs, targets, cell=cell, **states)
    assert list(g) == list(CELLS[cell].GRAD_KEYS)
    for key, value in g.items():
        before = value.copy()
        value *= 0.5                                 # raises for a read-only array
        np.testing.assert_array_equal(g[key], before * 0.5)


# --- bad input fails exactly as in the numeric path, or with a message naming the argument ---

def test_no_targets_is_rejected_by_name():
    params, xs, _, _ = make_case(7, 2, 2, 2, 2, None, ids=False, loss="mse",
                                 mode="many_to_many", h0_kind="none")
    with pytest.raises(TypeError, match="argument 'targets'"):
        S.loss_and_grads(params, xs, None, loss=None)
    with pytest.raises(TypeError, match="argument 'targets'"):
        S.loss_and_grads(rnnlib.init_params(2, 2, 2, cell="gru"), xs, None, loss=None,
                         cell="gru")


def _bad_calls():
    params, xs, targets, _ = make_case(7, 2, 2, 2, 2, 2, ids=False, loss="cross_entropy",
                                       mode="many_to_many", h0_kind="none")
    huge = dict(params, V=np.abs(params["V"]) * 1e308, c=np.array([1.7e308, 1.7e308]))
    return [
        (params, xs, targets, dict(activation="softplus")),
        (params, xs, targets, dict(activation=3)),
        (params, xs, targets, dict(loss="hinge")),
        (params, xs, targets, dict(mode="one_to_many")),
        (params, xs, targets, dict(truncate=0)),
        (params, xs, targets, dict(truncate=1.5)),
        (params, xs, targets, dict(h0=np.zeros(5))),
        (params, xs[..., :1], targets, {}),
        (params, np.array([[0, 5], [1, 1]]), targets, {}),
        (params, xs, targets + 7, {}),
        (params, xs, targets.astype(float), {}),
        (params, xs, targets[0], {}),
        (dict(params, W=np.full((2, 2), np.nan)), xs, targets, {}),
        ({k: v for k, v in params.items() if k != "c"}, xs, targets, {}),
        (huge, xs, targets, dict(activation="sigmoid")),  # h > 0, so o overflows to inf
    ]


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning")  # numeric path's, then it raises
@pytest.mark.parametrize("case", range(len(_bad_calls())))
def test_bad_input_raises_like_numeric(case):
    params, xs, targets, options = _bad_calls()[case]
    with pytest.raises((ValueError, TypeError)) as numeric:
        rnnlib.loss_and_grads(params, xs, targets, **options)
    with pytest.raises(numeric.type) as symbolic:
        S.loss_and_grads(params, xs, targets, **options)
    assert str(symbolic.value) == str(numeric.value)


# --- gradient_entry and unrolled -----------------------------------------------------------

def _numbers(net, seed, *, classes=None):
    """Random values for every input symbol of ``net``; for cross-entropy one-hot targets."""
    rng = np.random.default_rng(seed)
    values = {s: rng.normal(0, 0.7) for s in net.L.free_symbols}
    if classes is not None:
        for y, cls in zip(net.targets, classes):
            values.update({y[k]: float(k == cls) for k in range(y.rows)})
    as_array = lambda m: np.array(m.xreplace(values).tolist(), dtype=float)
    params = {k: as_array(getattr(net, k)) for k in ("U", "W", "V")}
    params.update(b=as_array(net.b)[:, 0], c=as_array(net.c)[:, 0])
    xs = np.stack([as_array(x)[:, 0] for x in net.xs])
    return values, params, xs, as_array(net.h0)[:, 0]


@pytest.mark.parametrize("activation", rnnlib.ACTIVATIONS)
@pytest.mark.parametrize("name, i, j", [("W", 0, 1), ("U", 1, 0), ("b", 1, None),
                                        ("h0", 0, None)])
def test_gradient_entry_equals_numeric_mse(activation, name, i, j):
    net = S.unrolled(2, 2, 2, 2, activation=activation, loss="mse")
    entry = S.gradient_entry(name, i, j, activation=activation, loss="mse", simplify=False)
    assert entry.free_symbols <= net.L.free_symbols
    values, params, xs, h0 = _numbers(net, seed=8)
    targets = np.stack([np.array(y.xreplace(values).tolist(), dtype=float)[:, 0]
                        for y in net.targets])
    _, grads = rnnlib.loss_and_grads(params, xs, targets, h0=h0, activation=activation,
                                     loss="mse")
    expected = grads[name][i] if j is None else grads[name][i, j]
    assert relative_error(float(entry.xreplace(values)), expected) <= TOL


def test_gradient_entry_cross_entropy_one_hot_targets():
    net = S.unrolled(2, 2, 2, 3)
    entry = S.gradient_entry("V", 2, 1, K=3, simplify=False)
    values, params, xs, h0 = _numbers(net, seed=9, classes=[2, 0])
    _, grads = rnnlib.loss_and_grads(params, xs, np.array([2, 0]), h0=h0)
    assert relative_error(float(entry.xreplace(values)), grads["V"][2, 1]) <= TOL


@pytest.mark.parametrize("activation", rnnlib.ACTIVATIONS)
def test_gradient_entry_in_terms_of_states(activation):
    net = S.unrolled(2, 2, 2, 2, activation=activation, loss="mse")
    entry = S.gradient_entry("W", 0, 1, activation=activation, loss="mse", simplify=True,
                             in_terms_of_states=True)
    names = {str(s) for s in entry.free_symbols}
    assert "h^{(1)}_{2}" in names and "W_{12}" not in names  # W_12 now sits inside a^{(2)}
    assert not entry.has(sp.tanh, sp.exp, sp.Max)  # every f(a) became an h symbol
    values, params, xs, h0 = _numbers(net, seed=10)
    run = rnnlib.forward(params, xs, h0=h0, activation=activation)
    for t in range(2):  # the states' numeric values, from the numeric forward pass
        values.update(zip(net.states[t], run.h[t]))
        values.update(zip(net.preacts[t], run.a[t]))
        values.update(zip(net.logits[t], run.o[t]))
    targets = np.stack([np.array(y.xreplace(values).tolist(), dtype=float)[:, 0]
                        for y in net.targets])
    _, grads = rnnlib.loss_and_grads(params, xs, targets, h0=h0, activation=activation,
                                     loss="mse")
    assert relative_error(float(entry.xreplace(values)), grads["W"][0, 1]) <= TOL


def test_gradient_entry_rejects_bad_names():
    with pytest.raises(ValueError, match="'name'"):
        S.gradient_entry("Q", 0, 0)
    with pytest.raises(ValueError, match="'j'"):
        S.gradient_entry("b", 0, 1)
    with pytest.raises(ValueError, match=r"argument 'i': expected an int >= 0 and <= 1, got 2"):
        S.gradient_entry("W", 2, 0)
    with pytest.raises(TypeError, match="argument 'j'"):
        S.gradient_entry("W", 0, 0.5)
    with pytest.raises(ValueError, match="argument 't'"):
        S.dh_dU_index_formula(3)
    with pytest.raises(ValueError, match="argument 'T'"):
        S.unrolled(0, 2, 2, 2)
    with pytest.raises(ValueError, match="argument 't'"):
        S.dh_dU_by_sympy(0)
    with pytest.raises(TypeError, match="argument 'T'"):
        S.dL_dU_index_formula("2")
    with pytest.raises(ValueError, match="activation"):
        S.unrolled(2, 2, 2, 2, activation="swish")
    for flag in ("simplify", "in_terms_of_states"):
        with pytest.raises(TypeError, match=f"argument '{flag}': expected True or False"):
            S.gradient_entry("W", 0, 1, **{flag: "no"})


def test_gradient_entry_takes_numpy_ints():
    assert S.gradient_entry("W", np.int64(0), np.int64(1)) == S.gradient_entry("W", 0, 1)


def test_gradient_entry_defaults_are_quick(monkeypatch):
    """sympy.simplify of the spelled-out tree took minutes at the default sizes: the defaults
    do not call it (checked without a clock: a call would raise)."""
    def no_simplify(*args, **kwargs):
        raise AssertionError("gradient_entry called sympy.simplify")
    monkeypatch.setattr(sp, "simplify", no_simplify)
    entry = S.gradient_entry("W", 0, 1)
    assert sp.Symbol("W_{12}", real=True) in entry.free_symbols
    S.gradient_entry("W", 0, 1, T=2, D=1, H=2, K=1, loss="mse", mode="many_to_one",
                     in_terms_of_states=True)     # chapter 4's entry


def test_name_states_and_check_dL_name_a_bad_argument():
    net = S.unrolled(2, 2, 2, 2)
    with pytest.raises(TypeError, match="argument 'expr'"):
        S.name_states(net, "x")
    with pytest.raises(TypeError, match="argument 'net'"):
        S.name_states("net", net.L)
    with pytest.raises(TypeError, match="argument 'formula'"):
        S.check_dL_index_formula("U", formula="abc")
    with pytest.raises(ValueError, match=r"argument 'formula'.*free indices \['j'\]"):
        S.check_dL_index_formula("V", formula=S.dL_dU_index_formula(2))   # indices (j, k)
    with pytest.raises(ValueError, match=r"argument 'formula'.*h\^\{3\}"):
        S.check_dL_index_formula("V", formula=ix.h(3)[ix.k], T=2)          # no h^3 at T = 2


def test_unrolled_shapes_and_latex():
    net = S.unrolled(3, 2, 4, 1, mode="many_to_one", biases=False)
    assert net.U.shape == (4, 2) and net.W.shape == (4, 4) and net.V.shape == (1, 4)
    assert len(net.h) == len(net.o) == 3 and len(net.targets) == 1
    assert net.b == sp.zeros(4, 1)
    assert "W_{12}" in sp.latex(net.a[1][0])


# --- index notation ------------------------------------------------------------------------------

@pytest.mark.parametrize("t", [1, 2])
def test_dh_dU_index_formula_matches_sympy(t):
    assert S.check_dh_dU_index_formula(t) < 1e-12
    assert S.check_dh_dU_index_formula(t, D=3, H=3, seed=1) < 1e-12


@pytest.mark.parametrize("t", [1, 2])
def test_dh_dU_index_formula_is_exact(t):
    """With D = H = 1, substitute h^t by its sigmoid expression: the difference simplifies to 0."""
    net = S.bias_free_model(T=t, D=1, H=1, K=1)
    formula = S.dh_dU_index_formula(t).subs({ix.i: 1, ix.j: 1, ix.k: 1})
    reads = {ix.h(s)[1]: net.h[s - 1][0] for s in range(1, t + 1)}
    reads.update({ix.x(s)[1]: net.xs[s - 1][0] for s in range(1, t + 1)})
    reads[ix.W[1, 1]] = net.W[0, 0]
    assert sp.simplify(formula.xreplace(reads) - S.dh_dU_by_sympy(t, D=1, H=1)[0, 0, 0]) == 0


@pytest.mark.parametrize("name", ["U", "V", "W"])
@pytest.mark.parametrize("T", [1, 2, 3])
def test_loss_gradient_index_formulas_match_sympy(name, T):
    assert S.check_dL_index_formula(name, T=T, D=2, H=3, K=2) < 1e-12


def test_misindexed_dL_dU_is_wrong_and_the_contraction_is_right():
    assert S.check_dL_index_formula("U", S.dL_dU_misindexed_formula(), T=2) > 1e-3
    assert S.check_dL_index_formula("U", S.dL_dU_index_formula(2), T=2) < 1e-12


def test_dL_dW_index_formula_T2_closed_form():
    """For T = 2, ∂L/∂W_jk = Σ_i (ỹ_i - y_i) V_ij h²_j (1 - h²_j) h¹_k: no h⁰ term."""
    i, j, k = ix.i, ix.j, ix.k
    h1, h2 = ix.h(1), ix.h(2)
    by_hand = sp.Sum((ix.y_tilde[i] - ix.y[i]) * ix.V[i, j], (i, 1, ix.D_y)) \
        * h2[j] * (1 - h2[j]) * h1[k]
    assert sp.simplify(S.dL_dW_index_formula(2) - by_hand) == 0
    assert S.check_dL_index_formula("W", by_hand, T=2) < 1e-12


def test_bias_free_model_matches_numeric_path():
    """The bias-free model is rnnlib's with b = c = 0, h0 = 0, sigmoid, mse, many_to_one."""
    net = S.bias_free_model(T=2, D=2, H=2, K=2)
    values, params, xs, _ = _numbers(net, seed=11)
    y = np.array(net.targets[0].xreplace(values).tolist(), dtype=float)[:, 0]
    L, grads = rnnlib.loss_and_grads(params, xs, y, activation="sigmoid", loss="mse",
                                     mode="many_to_one")
    assert relative_error(float(net.L.xreplace(values)), L) <= TOL
    dW = np.array([[float(sp.diff(net.L, w).xreplace(values)) for w in row]
                   for row in net.W.tolist()])
    assert relative_error(dW, grads["W"]) <= TOL


def test_sigmoid_missing_minus_has_the_opposite_slope():
    a = sp.Symbol("a", real=True)
    slip, right = S.sigmoid_missing_minus(a), 1 / (1 + sp.exp(-a))
    assert sp.simplify(sp.diff(right, a) - right * (1 - right)) == 0
    assert sp.simplify(sp.diff(slip, a) + slip * (1 - slip)) == 0      # -h(1 - h)
    assert sp.simplify(sp.diff(slip, a) + sp.diff(right, a)) == 0      # opposite slopes
    assert sp.diff(slip, a).subs(a, 0) == -sp.Rational(1, 4)

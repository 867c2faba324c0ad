"""LSTM and GRU: BPTT against finite differences, the equations by hand, truncation, batches,
Jacobians, errors; and Cho's GRU against PyTorch's variant."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import rnnlib
from rnnlib.core.loop import run_checked
from rnnlib.core.validation import check_gated_call

CELLS = ("lstm", "gru")


def gated_problem(cell, *, T=4, B=None, D=3, H=3, K=3, token_ids=False, loss="cross_entropy",
                  mode="many_to_many", state="none", seed=0):
    """Random (params, xs, targets, h0, s0) for a gated cell; B=None means one sequence."""
    rng = np.random.default_rng(seed)
    params = rnnlib.init_params(D, H, K, cell=cell, seed=seed)
    params["b"] = params["b"] + rng.normal(0, 0.3, params["b"].shape)
    params["c"] = rng.normal(0, 0.3, K)
    batch = () if B is None else (B,)
    xs = rng.integers(0, D, (T,) + batch) if token_ids else rng.normal(0, 1, (T,) + batch + (D,))
    lead = ((T,) if mode == "many_to_many" else ()) + batch
    targets = rng.integers(0, K, lead) if loss == "cross_entropy" else rng.normal(0, 1, lead + (K,))
    shape = {"none": None, "shared": (H,), "each": batch + (H,)}[state]
    h0 = None if shape is None else rng.normal(0, 0.5, shape)
    s0 = None if (shape is None or cell == "gru") else rng.normal(0, 0.5, shape)
    return params, xs, targets, h0, s0


def finite_difference_errors(cell, params, xs, targets, h0, s0, **options):
    _, analytic = rnnlib.loss_and_grads(params, xs, targets, h0=h0, s0=s0, cell=cell, **options)
    arrays = {k: np.array(params[k], dtype=float) for k in rnnlib.PARAM_KEYS}
    arrays["h0"] = np.zeros_like(analytic["h0"]) if h0 is None else np.array(h0, dtype=float)
    if cell == "lstm":
        arrays["s0"] = np.zeros_like(analytic["s0"]) if s0 is None else np.array(s0, dtype=float)

    def f(a):
        p = {k: a[k] for k in rnnlib.PARAM_KEYS}
        return rnnlib.loss_and_grads(p, xs, targets, h0=a["h0"], s0=a.get("s0"), cell=cell,
                                     **options)[0]
    numeric = rnnlib.numerical_grads(f, arrays)
    return {k: rnnlib.relative_error(analytic[k], numeric[k], 1e-4) for k in numeric}


options = st.fixed_dictionaries({
    "T": st.integers(1, 5), "B": st.sampled_from([None, 1, 3]), "D": st.integers(1, 4),
    "H": st.integers(1, 4), "K": st.integers(1, 3), "token_ids": st.booleans(),
    "loss": st.sampled_from(rnnlib.LOSSES), "mode": st.sampled_from(rnnlib.MODES),
    "state": st.sampled_from(["none", "shared", "each"]), "seed": st.integers(0, 10_000),
})


@settings(max_examples=40, deadline=None)
@given(case=options, cell=st.sampled_from(CELLS))
def test_bptt_matches_finite_differences(case, cell):
    if case["state"] == "each" and case["B"] is None:
        case["state"] = "shared"
    params, xs, targets, h0, s0 = gated_problem(cell, **case)
    errors = finite_difference_errors(cell, params, xs, targets, h0, s0, loss=case["loss"],
                                      mode=case["mode"])
    assert max(errors.values()) <= 1e-6, errors


def sigmoid(a):
    return 1 / (1 + np.exp(-a))


def test_lstm_forward_is_the_equations():
    params, xs, _, h0, s0 = gated_problem("lstm", T=3, H=2, state="shared", seed=1)
    out = rnnlib.forward(params, xs, h0=h0, s0=s0, cell="lstm")
    U, W, b = params["U"], params["W"], params["b"]
    h, s = h0, s0
    for t in range(3):
        z = b + W @ h + U @ xs[t]
        i, f, g, q = sigmoid(z[:2]), sigmoid(z[2:4]), np.tanh(z[4:6]), sigmoid(z[6:])
        s = f * s + i * g
        h = q * np.tanh(s)
        np.testing.assert_allclose(out.s[t], s, atol=1e-14)
        np.testing.assert_allclose(out.h[t], h, atol=1e-14)
        np.testing.assert_allclose(out.gates["f"][t], f, atol=1e-14)
        np.testing.assert_allclose(out.o[t], params["c"] + params["V"] @ h, atol=1e-14)


def test_gru_forward_is_chos_equations():
    params, xs, _, h0, _ = gated_problem("gru", T=3, H=2, state="shared", seed=2)
    out = rnnlib.forward(params, xs, h0=h0, cell="gru")
    U, W, b = params["U"], params["W"], params["b"]
    h = h0
    for t in range(3):
        u = sigmoid(b[:2] + W[:2] @ h + U[:2] @ xs[t])
        r = sigmoid(b[2:4] + W[2:4] @ h + U[2:4] @ xs[t])
        n = np.tanh(b[4:] + W[4:] @ (r * h) + U[4:] @ xs[t])
        h = u * h + (1 - u) * n
        np.testing.assert_allclose(out.h[t], h, atol=1e-14)
        np.testing.assert_allclose(out.gates["r"][t], r, atol=1e-14)
    assert out.s is None and out.s0 is None


@pytest.mark.parametrize("cell", CELLS)
def test_batch_is_the_sequences_one_by_one(cell):
    params, xs, targets, h0, s0 = gated_problem(cell, T=5, B=3, state="each", seed=3)
    total, grads = rnnlib.loss_and_grads(params, xs, targets, h0=h0, s0=s0, cell=cell)
    parts = [rnnlib.loss_and_grads(params, xs[:, j], targets[:, j], h0=h0[j],
                                   s0=None if s0 is None else s0[j], cell=cell) for j in range(3)]
    assert total == pytest.approx(sum(p[0] for p in parts), rel=1e-12)
    np.testing.assert_allclose(grads["W"], sum(p[1]["W"] for p in parts), atol=1e-12)
    np.testing.assert_allclose(grads["h0"][1], parts[1][1]["h0"], atol=1e-12)
    if cell == "lstm":
        np.testing.assert_allclose(grads["s0"][2], parts[2][1]["s0"], atol=1e-12)


@pytest.mark.parametrize("cell", CELLS)
def test_token_ids_are_one_hot_inputs(cell):
    params, ids, targets, _, _ = gated_problem(cell, T=4, B=2, D=5, token_ids=True, seed=4)
    one_hot = np.eye(5)[ids]
    a = rnnlib.loss_and_grads(params, ids, targets, cell=cell)
    b = rnnlib.loss_and_grads(params, one_hot, targets, cell=cell)
    assert a[0] == pytest.approx(b[0], rel=1e-13)
    for key in a[1]:
        np.testing.assert_allclose(a[1][key], b[1][key], atol=1e-13)


@pytest.mark.parametrize("cell", CELLS)
def test_gradient_shapes_follow_the_states(cell):
    params, xs, targets, _, _ = gated_problem(cell, T=3, B=2, seed=5)
    _, grads = rnnlib.loss_and_grads(params, xs, targets, cell=cell)
    assert grads["h0"].shape == (2, 3)      # h0=None for a batch: zeros of shape (B, H)
    assert set(grads) == set(rnnlib.PARAM_KEYS) | {"h0"} | ({"s0"} if cell == "lstm" else set())
    for key in rnnlib.PARAM_KEYS:
        assert grads[key].shape == params[key].shape
    if cell == "lstm":   # s0's gradient has s0's shape whatever h0 is
        _, g = rnnlib.loss_and_grads(params, xs, targets, cell=cell, h0=np.zeros(3))
        assert g["h0"].shape == (3,) and g["s0"].shape == (2, 3)
        _, g = rnnlib.loss_and_grads(params, xs, targets, cell=cell, s0=np.zeros(3))
        assert g["h0"].shape == (2, 3) and g["s0"].shape == (3,)


@pytest.mark.parametrize("cell", CELLS)
def test_truncation_carries_the_state_and_cuts_the_gradient(cell):
    params, xs, targets, _, _ = gated_problem(cell, T=6, B=2, seed=6)
    full_loss, full = rnnlib.loss_and_grads(params, xs, targets, cell=cell)
    cut_loss, cut = rnnlib.loss_and_grads(params, xs, targets, cell=cell, truncate=2)
    assert cut_loss == pytest.approx(full_loss, rel=1e-13)
    np.testing.assert_allclose(cut["V"], full["V"], atol=1e-13)
    assert rnnlib.relative_error(cut["W"], full["W"]) > 1e-3
    # the last chunk alone, started from the state the forward pass reached, gives its share
    out = rnnlib.forward(params, xs, cell=cell)
    s4 = None if cell == "gru" else out.s[3]
    _, last = rnnlib.loss_and_grads(params, xs[4:], targets[4:], h0=out.h[3], s0=s4, cell=cell)
    _, first = rnnlib.loss_and_grads(params, xs[:4], targets[:4], cell=cell, truncate=2)
    np.testing.assert_allclose(cut["W"], first["W"] + last["W"], atol=1e-12)


@pytest.mark.parametrize("cell", CELLS)
def test_jacobian_norms_against_finite_differences(cell):
    params, xs, _, h0, s0 = gated_problem(cell, T=5, H=3, state="shared", seed=7)
    norms = rnnlib.jacobian_norms(params, xs, h0=h0, s0=s0, cell=cell)
    assert norms.shape == (6,) and norms[-1] == pytest.approx(1.0)
    eps = 1e-6
    n_state = 6 if cell == "lstm" else 3
    numeric = np.zeros((3, n_state))
    for j in range(n_state):
        d = np.zeros(n_state); d[j] = eps

        def h_T(sign, d=d):
            hh = h0 + sign * d[:3]
            ss = None if cell == "gru" else s0 + sign * d[3:]
            return rnnlib.forward(params, xs, h0=hh, s0=ss, cell=cell).h[-1]
        numeric[:, j] = (h_T(1) - h_T(-1)) / (2 * eps)
    assert norms[0] == pytest.approx(np.linalg.norm(numeric, 2), rel=1e-7)


def test_lstm_cell_state_jacobian_is_diag_f():
    params, xs, _, h0, s0 = gated_problem("lstm", T=3, H=3, state="shared", seed=8)
    fwd = rnnlib.forward(params, xs, h0=h0, s0=s0, cell="lstm")
    call = check_gated_call(params, xs, cell="lstm", h0=h0, s0=s0)
    cache, *_ = run_checked(call, call.xs, call.state())
    J = rnnlib.core.lstm.step_jacobians(call.params, cache)[:, 0]
    for t in range(3):
        np.testing.assert_allclose(J[t, 3:, 3:], np.diag(fwd.gates["f"][t]), atol=1e-15)


def test_forget_bias_is_set_on_the_forget_gate_only():
    p = rnnlib.init_params(2, 3, 2, cell="lstm", seed=0, forget_bias=2.5)
    np.testing.assert_array_equal(p["b"], [0, 0, 0, 2.5, 2.5, 2.5, 0, 0, 0, 0, 0, 0])
    assert p["U"].shape == (12, 2) and p["W"].shape == (12, 3) and p["V"].shape == (2, 3)
    g = rnnlib.init_params(2, 3, 2, cell="gru", seed=0)
    assert g["U"].shape == (9, 2) and not g["b"].any()


def test_rnn_cell_is_unchanged():
    p = rnnlib.init_params(3, 4, 2, seed=3)
    q = rnnlib.init_params(3, 4, 2, seed=3, cell="rnn")
    for k in p:
        np.testing.assert_array_equal(p[k], q[k])
    assert p["W"].shape == (4, 4)


def test_cho_gru_differs_from_pytorchs_variant():
    params, xs, _, h0, _ = gated_problem("gru", T=6, H=3, state="shared", seed=9)
    cho = rnnlib.forward(params, xs, h0=h0, cell="gru").h
    torch_like = rnnlib.pytorch_gru_forward(params, xs, h0=h0)
    assert np.abs(cho - torch_like).max() > 1e-2
    # with h_{t-1} = 0 at the first step r has nothing to act on: the first states agree
    first = rnnlib.pytorch_gru_forward(params, xs[:1])
    np.testing.assert_allclose(first, rnnlib.forward(params, xs[:1], cell="gru").h, atol=1e-15)


def test_pytorch_gru_forward_by_hand():
    params, xs, _, h0, _ = gated_problem("gru", T=2, H=2, state="shared", seed=10)
    b_hn = np.array([0.3, -0.2])
    out = rnnlib.pytorch_gru_forward(params, xs, h0=h0, b_hn=b_hn)
    U, W, b = params["U"], params["W"], params["b"]
    h = h0
    for t in range(2):
        u = sigmoid(b[:2] + W[:2] @ h + U[:2] @ xs[t])
        r = sigmoid(b[2:4] + W[2:4] @ h + U[2:4] @ xs[t])
        n = np.tanh(b[4:] + U[4:] @ xs[t] + r * (W[4:] @ h + b_hn))
        h = (1 - u) * n + u * h
        np.testing.assert_allclose(out[t], h, atol=1e-14)


@pytest.mark.parametrize("cell", ("rnn", "lstm", "gru"))
def test_matches_torch(cell):
    torch = pytest.importorskip("torch")
    torch.set_default_dtype(torch.float64)
    D, H, K = 3, 4, 2
    params = rnnlib.init_params(D, H, K, cell=cell, seed=11)
    params["b"] = params["b"] + np.random.default_rng(0).normal(0, 0.3, params["b"].shape)
    xs = np.random.default_rng(1).normal(size=(5, 2, D))
    module = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[cell](D, H)
    tensors = rnnlib.to_pytorch(params, cell=cell)
    with torch.no_grad():
        for name in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"):
            getattr(module, name).copy_(torch.from_numpy(tensors[name]))
        h_torch = module(torch.from_numpy(xs))[0].numpy()
    if cell == "gru":   # PyTorch's GRU is the variant, not Cho's
        np.testing.assert_allclose(rnnlib.pytorch_gru_forward(params, xs), h_torch, atol=1e-12)
        assert np.abs(rnnlib.forward(params, xs, cell="gru").h - h_torch).max() > 1e-3
    else:
        np.testing.assert_allclose(rnnlib.forward(params, xs, cell=cell).h, h_torch, atol=1e-12)


@pytest.mark.parametrize("cell", CELLS)
def test_errors_name_the_argument(cell):
    params, xs, targets, _, _ = gated_problem(cell, T=3, seed=12)
    with pytest.raises(ValueError, match=r"argument 'params\['W'\]'.*\(12, 3\)" if cell == "lstm"
                       else r"argument 'params\['W'\]'"):
        rnnlib.forward(params, xs, cell="gru" if cell == "lstm" else "lstm")
    with pytest.raises(ValueError, match="argument 'activation'"):
        rnnlib.forward(params, xs, cell=cell, activation="relu")
    with pytest.raises(ValueError, match="argument 'cell'"):
        rnnlib.forward(params, xs, cell="transformer")
    with pytest.raises(TypeError, match="argument 'cell'"):
        rnnlib.loss_and_grads(params, xs, targets, cell=None)
    with pytest.raises(ValueError, match="argument 'truncate'"):
        rnnlib.loss_and_grads(params, xs, targets, cell=cell, truncate=0)
    with pytest.raises(ValueError, match="argument 'targets'"):
        rnnlib.loss_and_grads(params, xs, targets[:2], cell=cell)
    with pytest.raises(ValueError, match="argument 'h0'"):
        rnnlib.forward(params, xs, cell=cell, h0=np.zeros(5))
    bad = dict(params); bad["b"] = np.zeros(3)
    with pytest.raises(ValueError, match=r"argument 'params\['b'\]'"):
        rnnlib.forward(bad, xs, cell=cell)
    with pytest.raises(ValueError, match="argument 'xs'"):
        rnnlib.forward(params, np.array([0, 7]), cell=cell)


def test_s0_rules():
    params, xs, _, _, _ = gated_problem("lstm", T=3, B=2, seed=13)
    with pytest.raises(ValueError, match="argument 's0'.*got \\(4,\\)"):
        rnnlib.forward(params, xs, cell="lstm", s0=np.zeros(4))
    gp, gxs, _, _, _ = gated_problem("gru", T=3, seed=13)
    with pytest.raises(ValueError, match="argument 's0'"):
        rnnlib.forward(gp, gxs, cell="gru", s0=np.zeros(3))
    rp = rnnlib.init_params(3, 3, 3)
    with pytest.raises(ValueError, match="argument 's0'"):
        rnnlib.forward(rp, gxs, s0=np.zeros(3))
    shared = rnnlib.forward(params, xs, cell="lstm", s0=np.ones(3)).h
    each = rnnlib.forward(params, xs, cell="lstm", s0=np.ones((2, 3))).h
    np.testing.assert_array_equal(shared, each)


def test_fit_trains_a_gated_cell():
    xs, targets = rnnlib.recall_first(32, 4, seed=0)
    for cell in CELLS:
        params = rnnlib.init_params(8, 8, 4, cell=cell, seed=0)
        history = rnnlib.fit(params, (xs, targets), steps=30, lr=0.05, optimizer="adagrad",
                             mode="many_to_one", cell=cell)
        assert history.loss[-1] < 0.5 * history.loss[0]


def test_every_cell_module_follows_the_protocol_and_the_registries_agree():
    """The loop reads G, GATE_NAMES, GRAD_KEYS, run, backward, step_jacobians and the cache's
    ``free`` off each cell module; validation keeps its own names and gate counts (it cannot
    import the cells: gru.py imports it), so a cell added in one place and not the other fails
    here, not as a shape error in a chapter."""
    from rnnlib.core import loop, validation
    assert tuple(loop.CELLS) == validation.CELLS
    state_of = {"rnn": ("h",), "lstm": ("h", "s"), "gru": ("h",)}
    for name, cell in loop.CELLS.items():
        assert validation.GATE_COUNT[name] == cell.G, name
        assert len(cell.GATE_NAMES) == (0 if cell.G == 1 else cell.G), name
        # one order of the gradient keys for every cell: the parameters', then the state's
        assert cell.GRAD_KEYS == rnnlib.PARAM_KEYS + loop.STATE_NAMES[:len(state_of[name])], name
        for fn in ("run", "backward", "step_jacobians"):
            assert callable(getattr(cell, fn)), (name, fn)
        p = rnnlib.init_params(2, 3, 2, cell=name)
        state = (np.zeros((1, 3)),) * (2 if name == "lstm" else 1)     # (h,) or (h, s)
        cache, h, last = cell.run(p, np.zeros((2, 1, cell.G * 3)), state)
        assert h.shape == (2, 1, 3) and hasattr(cache, "free"), name
        _, grads = rnnlib.loss_and_grads(p, np.array([0, 1]), np.array([1, 0]), cell=name)
        ref = rnnlib.reference.loss_and_grads(p, np.array([0, 1]), np.array([1, 0]), cell=name)[1]
        assert tuple(grads) == cell.GRAD_KEYS == tuple(ref), name     # what loss_and_grads lists

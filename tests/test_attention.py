"""rnnlib.attention: finite differences, sympy on a tiny case, masking, errors, PyTorch."""
from __future__ import annotations

import numpy as np
import pytest

from rnnlib import attention
from rnnlib.core.gradcheck import numerical_grads, relative_error


def problem(S=4, B=3, Hq=3, Hk=3, A=5, seed=0, batched=True):
    rng = np.random.default_rng(seed)
    params = attention.init_params(Hq, Hk, A, seed=seed)
    lead = (B,) if batched else ()
    query = rng.normal(0, 1, lead + (Hq,))
    keys = rng.normal(0, 1, (S,) + lead + (Hk,))
    dC = rng.normal(0, 1, lead + (Hk,))
    return params, query, keys, dC


@pytest.mark.parametrize("kind", ["additive", "dot"])
@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("masked", [True, False])
def test_backward_matches_finite_differences(kind, batched, masked):
    params, query, keys, dC = problem(batched=batched, seed=3)
    mask = None
    if masked:
        mask = np.array([[1, 1, 1], [1, 0, 1], [1, 0, 0], [0, 0, 1]], bool)
        mask = mask if batched else mask[:, 2]
    arrays = {"query": query.copy(), "keys": keys.copy()}
    if kind == "additive":
        arrays.update({k: params[k].copy() for k in attention.PARAM_NAMES})

    def f(a):
        p = {k: a[k] for k in attention.PARAM_NAMES} if kind == "additive" else None
        C, _ = attention.forward(p, a["query"], a["keys"], mask=mask, kind=kind)
        return float(np.sum(C * dC))            # L = ⟨dC, C⟩, so ∂L/∂C = dC

    numeric = numerical_grads(f, arrays)
    analytic = attention.backward(params if kind == "additive" else None, query, keys, dC,
                                  mask=mask, kind=kind)
    assert set(analytic) == set(numeric)
    for key in numeric:
        assert analytic[key].shape == arrays[key].shape
        assert relative_error(analytic[key], numeric[key]) < 1e-7, key


def test_weights_sum_to_one_and_context_is_the_average():
    params, query, keys, _ = problem()
    C, alpha = attention.forward(params, query, keys)
    assert alpha.shape == (4, 3) and C.shape == (3, 3)
    np.testing.assert_allclose(alpha.sum(axis=0), 1.0)
    np.testing.assert_allclose(C, np.einsum("sb,sbh->bh", alpha, keys))


def test_sympy_tiny_additive_case():
    sp = pytest.importorskip("sympy")
    # S = 2 positions, Hq = Hk = 1, A = 2: everything by hand, differentiated by sympy
    q, k1, k2 = sp.symbols("q k1 k2")
    w1, w2, u1, u2, v1, v2 = sp.symbols("w1 w2 u1 u2 v1 v2")
    z = [v1 * sp.tanh(w1 * q + u1 * k) + v2 * sp.tanh(w2 * q + u2 * k) for k in (k1, k2)]
    a1 = sp.exp(z[0]) / (sp.exp(z[0]) + sp.exp(z[1]))
    C = a1 * k1 + (1 - a1) * k2
    values = {q: 0.3, k1: -0.7, k2: 1.1, w1: 0.5, w2: -0.4, u1: 0.9, u2: 0.2, v1: 1.3, v2: -0.6}
    params = {"Wa": np.array([[0.5], [-0.4]]), "Ua": np.array([[0.9], [0.2]]),
              "va": np.array([1.3, -0.6])}
    C_num, alpha = attention.forward(params, np.array([0.3]), np.array([[-0.7], [1.1]]))
    assert abs(C_num[0] - float(C.subs(values))) < 1e-12
    assert abs(alpha[0] - float(a1.subs(values))) < 1e-12
    g = attention.backward(params, np.array([0.3]), np.array([[-0.7], [1.1]]), np.array([1.0]))
    expect = {"query": [sp.diff(C, q)], "keys": [sp.diff(C, k1), sp.diff(C, k2)],
              "Wa": [sp.diff(C, w1), sp.diff(C, w2)], "Ua": [sp.diff(C, u1), sp.diff(C, u2)],
              "va": [sp.diff(C, v1), sp.diff(C, v2)]}
    for key, exprs in expect.items():
        want = np.array([float(e.subs(values)) for e in exprs])
        np.testing.assert_allclose(g[key].ravel(), want, rtol=0, atol=1e-12)


def test_sympy_tiny_dot_case():
    sp = pytest.importorskip("sympy")
    q1, q2, a, b, c, d = sp.symbols("q1 q2 a b c d")
    z1, z2 = q1 * a + q2 * b, q1 * c + q2 * d
    a1 = 1 / (1 + sp.exp(z2 - z1))
    C = [a1 * a + (1 - a1) * c, a1 * b + (1 - a1) * d]
    L = 2 * C[0] - C[1]
    vals = {q1: 0.4, q2: -1.2, a: 0.3, b: 0.8, c: -0.5, d: 0.1}
    g = attention.backward(None, np.array([0.4, -1.2]), np.array([[0.3, 0.8], [-0.5, 0.1]]),
                           np.array([2.0, -1.0]), kind="dot")
    np.testing.assert_allclose(g["query"], [float(sp.diff(L, s).subs(vals)) for s in (q1, q2)],
                               atol=1e-12)
    np.testing.assert_allclose(g["keys"].ravel(),
                               [float(sp.diff(L, s).subs(vals)) for s in (a, b, c, d)], atol=1e-12)


@pytest.mark.parametrize("kind", ["additive", "dot"])
def test_masked_padding_equals_unpadded_per_sequence(kind):
    rng = np.random.default_rng(5)
    params = attention.init_params(3, 3, 4, seed=1)
    lengths = [2, 5, 3]
    S = max(lengths)
    keys = rng.normal(0, 1, (S, 3, 3))
    keys_padded = keys.copy()
    mask = np.arange(S)[:, None] < np.array(lengths)[None]
    keys_padded[~mask] = 99.0                # what padding holds must not matter
    query, dC = rng.normal(0, 1, (3, 3)), rng.normal(0, 1, (3, 3))
    p = params if kind == "additive" else None
    C, alpha = attention.forward(p, query, keys_padded, mask=mask, kind=kind)
    g = attention.backward(p, query, keys_padded, dC, mask=mask, kind=kind)
    assert np.all(alpha[~mask] == 0.0) and np.all(g["keys"][~mask] == 0.0)
    total = {k: 0.0 for k in attention.PARAM_NAMES}
    for b, L in enumerate(lengths):
        C1, a1 = attention.forward(p, query[b], keys[:L, b], kind=kind)
        g1 = attention.backward(p, query[b], keys[:L, b], dC[b], kind=kind)
        np.testing.assert_allclose(C[b], C1, atol=1e-14)
        np.testing.assert_allclose(alpha[:L, b], a1, atol=1e-15)
        np.testing.assert_allclose(g["query"][b], g1["query"], atol=1e-14)
        np.testing.assert_allclose(g["keys"][:L, b], g1["keys"], atol=1e-14)
        if kind == "additive":
            for k in attention.PARAM_NAMES:
                total[k] = total[k] + g1[k]
    if kind == "additive":
        for k in attention.PARAM_NAMES:
            np.testing.assert_allclose(g[k], total[k], atol=1e-13)


@pytest.mark.parametrize("kind", ["additive", "dot"])
def test_many_queries_at_once_equal_one_call_per_query(kind):
    # queries (T, B, Hq), a decoder's states at every step, in one call: the same numbers as one
    # call per step (the keys' and parameters' gradients summed over the steps)
    T, S, B, H = 4, 6, 3, 5
    rng = np.random.default_rng(11)
    p = attention.init_params(H, H, 4, seed=2) if kind == "additive" else None
    queries, keys = rng.normal(0, 1, (T, B, H)), rng.normal(0, 1, (S, B, H))
    dC = rng.normal(0, 1, (T, B, H))
    mask = np.arange(S)[:, None] < np.array([6, 2, 4])[None]
    C, alpha = attention.forward(p, queries, keys, mask=mask, kind=kind)
    g = attention.backward(p, queries, keys, dC, mask=mask, kind=kind)
    assert C.shape == (T, B, H) and alpha.shape == (T, S, B)
    assert g["query"].shape == (T, B, H) and g["keys"].shape == (S, B, H)
    summed = {}
    for t in range(T):
        C_t, alpha_t = attention.forward(p, queries[t], keys, mask=mask, kind=kind)
        g_t = attention.backward(p, queries[t], keys, dC[t], mask=mask, kind=kind)
        np.testing.assert_allclose(C[t], C_t, rtol=0, atol=1e-12)
        np.testing.assert_allclose(alpha[t], alpha_t, rtol=0, atol=1e-12)
        np.testing.assert_allclose(g["query"][t], g_t["query"], rtol=0, atol=1e-12)
        for k in set(g_t) - {"query"}:
            summed[k] = summed.get(k, 0.0) + g_t[k]
    assert set(summed) | {"query"} == set(g)
    for k, total in summed.items():
        np.testing.assert_allclose(g[k], total, rtol=0, atol=1e-12)


@pytest.mark.parametrize("kind", ["additive", "dot"])
def test_many_queries_backward_matches_finite_differences(kind):
    rng = np.random.default_rng(12)
    params = attention.init_params(3, 3, 4, seed=4)
    arrays = {"query": rng.normal(0, 1, (2, 3, 3)), "keys": rng.normal(0, 1, (4, 3, 3))}
    if kind == "additive":
        arrays.update({k: params[k].copy() for k in attention.PARAM_NAMES})
    mask = np.array([[1, 1, 1], [1, 0, 1], [1, 0, 0], [0, 0, 1]], bool)
    dC = rng.normal(0, 1, (2, 3, 3))

    def f(a):
        p = {k: a[k] for k in attention.PARAM_NAMES} if kind == "additive" else None
        return float(np.sum(attention.forward(p, a["query"], a["keys"], mask=mask, kind=kind)[0] * dC))

    numeric = numerical_grads(f, {k: v.copy() for k, v in arrays.items()})
    cache = attention.run(params if kind == "additive" else None, arrays["query"], arrays["keys"],
                          mask=mask, kind=kind)
    analytic = attention.backward_from(cache, dC)
    assert set(analytic) == set(numeric)
    for key in numeric:
        assert relative_error(analytic[key], numeric[key]) < 1e-7, key
    again = attention.backward_from(cache, dC)              # the kept pass is not used up
    assert all(np.array_equal(again[k], analytic[k]) for k in analytic)


@pytest.mark.parametrize("call, name, error", [
    (lambda p, q, k: attention.forward(p, q, k, kind="cosine"), "kind", ValueError),
    (lambda p, q, k: attention.forward(p, q, k, kind=3), "kind", TypeError),
    (lambda p, q, k: attention.forward(p, q, k[0]), "keys", ValueError),
    (lambda p, q, k: attention.forward(p, q[:2], k), "keys", ValueError),
    (lambda p, q, k: attention.forward(p, q[..., :2], k), "params['Wa']", ValueError),
    (lambda p, q, k: attention.forward(None, q[..., :2], k, kind="dot"), "query", ValueError),
    (lambda p, q, k: attention.forward({"Wa": p["Wa"]}, q, k), "params", ValueError),
    (lambda p, q, k: attention.forward(None, q, k), "params", TypeError),
    (lambda p, q, k: attention.forward(p, q, k, mask=np.ones((4, 3))), "mask", TypeError),
    (lambda p, q, k: attention.forward(p, q, k, mask=np.ones((4, 2), bool)), "mask", ValueError),
    (lambda p, q, k: attention.forward(p, q, k, mask=np.array([[1, 1, 0]] * 4, bool)), "mask",
     ValueError),
    (lambda p, q, k: attention.forward(p, np.full_like(q, np.nan), k), "query", ValueError),
    (lambda p, q, k: attention.forward({**p, "va": p["va"] * np.inf}, q, k), "params['va']",
     ValueError),
    (lambda p, q, k: attention.forward(p, q, np.array([["a"]])), "keys", TypeError),
    (lambda p, q, k: attention.backward(p, q, k, np.ones(3)), "dcontext", ValueError),
    (lambda p, q, k: attention.backward(p, np.stack([q, q]), k, np.ones((3, 3))), "dcontext",
     ValueError),
    (lambda p, q, k: attention.forward(p, q[None, None], k), "query", ValueError),
    (lambda p, q, k: attention.forward(p, np.stack([q, q]), k[:, :2]), "keys", ValueError),
    (lambda p, q, k: attention.init_params(3, 0, 2), "key_size", ValueError),
    (lambda p, q, k: attention.init_params(3, 2.0, 2), "key_size", TypeError),
])
def test_bad_input_names_the_argument(call, name, error):
    params, query, keys, _ = problem()
    with pytest.raises(error, match=rf"argument '{__import__('re').escape(name)}'"):
        call(params, query, keys)


def test_pytorch_agrees():
    torch = pytest.importorskip("torch")
    params, query, keys, dC = problem(seed=7)
    mask = np.ones((4, 3), bool)
    mask[3, 0] = mask[2:, 1] = False
    tq = torch.tensor(query, requires_grad=True)
    tk = torch.tensor(keys, requires_grad=True)
    tp = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    z = torch.tanh(tq @ tp["Wa"].T + tk @ tp["Ua"].T) @ tp["va"]
    z = z.masked_fill(~torch.tensor(mask), float("-inf"))
    alpha = torch.softmax(z, dim=0)
    C = (alpha[..., None] * tk).sum(0)
    (C * torch.tensor(dC)).sum().backward()
    ours = attention.backward(params, query, keys, dC, mask=mask)
    np.testing.assert_allclose(attention.forward(params, query, keys, mask=mask)[0],
                               C.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(ours["query"], tq.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(ours["keys"], tk.grad.numpy(), atol=1e-12)
    for k in attention.PARAM_NAMES:
        np.testing.assert_allclose(ours[k], tp[k].grad.numpy(), atol=1e-12)

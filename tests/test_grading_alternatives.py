"""A correct answer written differently from the key earns the same check output on any seed.

The hidden checks compare printed values with the key's, so two correct implementations must
print the same text whatever inputs the grading seed draws. This runs the checks of assignments
1-3 and 6 in-process (no kernel) with the key's answers and with a second, differently written
solution, for several grading seeds. (Assignment 5's differently written solutions are
students of its simulated class, assignments/05_char_rnn/simulated_class.py.)
"""
from __future__ import annotations

import contextlib
import io
from pathlib import Path

import nbformat
import pytest

from rnngrade import assemble, cells

ROOT = Path(__file__).resolve().parents[1]
SEEDS = [13, 7932, 15851, 123456789, 2**31 - 1]

ALT = {
"rnn_step": '''
def rnn_step(params, x, h_prev):
    a = np.einsum("hd,...d->...h", params["U"], x) + np.einsum("hk,...k->...h", params["W"], h_prev) + params["b"]
    h = np.tanh(a)
    return h, np.einsum("kh,...h->...k", params["V"], h) + params["c"]
''',
"rnn_forward": '''
def rnn_forward(params, xs, h0=None):
    T = xs.shape[0]; H = params["W"].shape[0]; K = params["V"].shape[0]
    hs = np.empty(xs.shape[:-1] + (H,)); os_ = np.empty(xs.shape[:-1] + (K,))
    h = np.zeros(xs.shape[1:-1] + (H,)) if h0 is None else np.asarray(h0, float)
    for t in range(T):
        h, o = rnn_step(params, xs[t], h)
        hs[t] = h; os_[t] = o
    return hs, os_
''',
"softmax": '''
def softmax(o, axis=-1):
    lse = np.logaddexp.reduce(o, axis=axis, keepdims=True)
    return np.exp(o - lse)
''',
"cross_entropy": '''
def cross_entropy(o, y):
    lse = np.logaddexp.reduce(o, axis=1)
    return float(np.sum(lse - o[np.arange(len(y)), y]))
''',
"cross_entropy_grad": '''
def cross_entropy_grad(o, y):
    onehot = np.eye(o.shape[1])[y]
    return softmax(o, axis=1) - onehot
''',
"step_backward": '''
def step_backward(params, x, h_prev, h, dh):
    da = dh - dh * h ** 2
    return {"U": da[:, None] * x[None, :], "W": da[:, None] * h_prev[None, :], "b": da.copy()}, da @ params["W"]
''',
"bptt": '''
def bptt(params, xs, ys):
    T = len(xs); H = params["W"].shape[0]
    hs = [np.zeros(H)]
    for t in range(T):
        hs.append(np.tanh(params["U"] @ xs[t] + params["W"] @ hs[-1] + params["b"]))
    O = np.array(hs[1:]) @ params["V"].T + params["c"]
    P = rnnlib.softmax(O, axis=1)
    loss = float(-np.sum(np.log(P[np.arange(T), ys])))
    dO = P.copy(); dO[np.arange(T), ys] -= 1
    g = {"V": dO.T @ np.array(hs[1:]), "c": dO.sum(0), "U": 0, "W": 0, "b": 0}
    carry = np.zeros(H)
    for t in range(T - 1, -1, -1):
        step, carry = step_backward(params, xs[t], hs[t], hs[t + 1], params["V"].T @ dO[t] + carry)
        for k in step: g[k] = g[k] + step[k]
    return loss, g
''',
"numerical_gradient": '''
def numerical_gradient(f, x, eps=1e-5):
    out = np.empty_like(x)
    flat, gflat = x.reshape(-1), out.reshape(-1)
    for i in range(flat.size):
        keep = flat[i]
        flat[i] = keep + eps; a = f()
        flat[i] = keep - eps; b = f()
        flat[i] = keep
        gflat[i] = (a - b) / (2 * eps)
    return out
''',
"lstm_step": '''
def lstm_step(params, x, h_prev, s_prev):
    z = np.einsum("gd,...d->...g", params["U"], x) + np.einsum("gk,...k->...g", params["W"], h_prev) + params["b"]
    zi, zf, zg, zq = np.split(z, 4, axis=-1)
    sig = lambda a: 1.0 / (1.0 + np.exp(-a))
    i, f, g, q = sig(zi), sig(zf), np.tanh(zg), sig(zq)
    s = i * g + s_prev * f
    return np.tanh(s) * q, s, dict(i=i, f=f, g=g, q=q)
''',
"lstm_forward": '''
def lstm_forward(params, xs, h0=None, s0=None):
    H, K = params["W"].shape[1], params["V"].shape[0]
    lead = xs.shape[1:-1]
    h = np.zeros(lead + (H,)) + (0 if h0 is None else h0)
    s = np.zeros(lead + (H,)) + (0 if s0 is None else s0)
    hs = np.empty((len(xs),) + lead + (H,)); ss = np.empty_like(hs)
    for t in range(len(xs)):
        h, s, _ = lstm_step(params, xs[t], h, s)
        hs[t], ss[t] = h, s
    return hs, ss, np.einsum("kh,...h->...k", params["V"], hs) + params["c"]
''',
"lstm_step_backward": '''
def lstm_step_backward(params, x, h_prev, s_prev, dh, ds):
    _, s, G = lstm_step(params, x, h_prev, s_prev)
    ts = np.tanh(s)
    dq = dh * ts
    dsum = ds + dh * G["q"] * (1 - ts) * (1 + ts)
    di, df, dg = dsum * G["g"], dsum * s_prev, dsum * G["i"]
    dz = np.hstack([di * G["i"] * (1 - G["i"]), df * G["f"] * (1 - G["f"]), dg * (1 - G["g"] ** 2), dq * G["q"] * (1 - G["q"])])
    return {"U": dz[:, None] * x[None, :], "W": dz[:, None] * h_prev[None, :], "b": dz.copy()}, dz @ params["W"], G["f"] * dsum
''',
"lstm_bptt": '''
def lstm_bptt(params, xs, ys):
    H = params["W"].shape[1]
    h = s = np.zeros(H); states = [(h, s)]
    for x in xs:
        h, s, _ = lstm_step(params, x, h, s); states.append((h, s))
    Hs = np.array([st[0] for st in states[1:]])
    P = rnnlib.softmax(Hs @ params["V"].T + params["c"], axis=1)
    T = len(xs)
    loss = float(-np.log(P[np.arange(T), ys]).sum())
    dO = P.copy(); dO[np.arange(T), ys] -= 1
    g = {"V": dO.T @ Hs, "c": dO.sum(0), "U": 0, "W": 0, "b": 0}
    dh_carry, ds_carry = np.zeros(H), np.zeros(H)
    for t in range(T - 1, -1, -1):
        step, dh_carry, ds_carry = lstm_step_backward(params, xs[t], *states[t], params["V"].T @ dO[t] + dh_carry, ds_carry)
        for k in step: g[k] = g[k] + step[k]
    return loss, g
''',
"relative_errors": '''
def relative_errors(f, params, grads, eps=1e-5):
    out = {}
    for key in grads:
        flat = params[key].reshape(-1)
        num = np.empty(flat.size)
        for j in range(flat.size):
            keep = flat[j]
            flat[j] = keep + eps; a = f()
            flat[j] = keep - eps; b = f()
            flat[j] = keep
            num[j] = (a - b) / (2 * eps)
        an = np.asarray(grads[key], float).reshape(-1)
        den = np.sqrt(num @ num) + np.sqrt(an @ an)
        out[key] = np.sqrt((num - an) @ (num - an)) / den if den else 0.0
    return out
''',
"gru_step": '''
def gru_step(params, x, h_prev):
    H = params["W"].shape[1]
    Uu, Ur, Un = np.split(params["U"], 3); Wu, Wr, Wn = np.split(params["W"], 3); bu, br, bn = np.split(params["b"], 3)
    sig = lambda a: 1.0 / (1.0 + np.exp(-a))
    u = sig(bu + h_prev @ Wu.T + x @ Uu.T)
    r = sig(br + h_prev @ Wr.T + x @ Ur.T)
    n = np.tanh(bn + (r * h_prev) @ Wn.T + x @ Un.T)
    return n + u * (h_prev - n)
''',
"lstm_jacobian_norms": '''
def lstm_jacobian_norms(params, xs):
    H = params["W"].shape[1]
    Wi, Wf, Wg, Wq = np.split(params["W"], 4)
    h, s = np.zeros(H), np.zeros(H)
    Js = []
    for x in xs:
        s_prev = s
        h, s, G = lstm_step(params, x, h, s)
        i, f, g, q = G["i"], G["f"], G["g"], G["q"]
        ts = np.tanh(s)
        ds_dh = (s_prev * f * (1 - f))[:, None] * Wf + (g * i * (1 - i))[:, None] * Wi + (i * (1 - g * g))[:, None] * Wg
        J = np.zeros((2 * H, 2 * H))
        J[:H, :H] = (ts * q * (1 - q))[:, None] * Wq + (q * (1 - ts ** 2))[:, None] * ds_dh
        J[:H, H:] = np.diag(q * (1 - ts ** 2) * f)
        J[H:, :H] = ds_dh
        J[H:, H:] = np.diag(f)
        Js.append(J)
    M = np.eye(2 * H)[:H]
    out = [1.0]
    for J in Js[::-1]:
        M = M @ J
        out.append(np.linalg.svd(M, compute_uv=False).max())
    return np.array(out[::-1])
''',
}


def _run(nb, answers):
    ns, outs = {}, {}
    for c in nb.cells:
        if c.cell_type != "code" or cells.role(c) == "key-only":
            continue
        src = c.source
        if cells.role(c) == "answer":
            src = answers.get(cells.info(c)["answer"], src)
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            try:
                exec(src, ns)
            except Exception as e:
                print("ERROR", type(e).__name__, e)
        if cells.role(c) == "check":
            outs[cells.check_of(c).name] = buf.getvalue()
    return outs



@pytest.mark.parametrize("name", ["01_forward", "02_softmax", "03_bptt", "06_gated_cells"])
def test_a_differently_written_solution_prints_what_the_key_prints(name):
    key = nbformat.read(ROOT / "assignments" / name / "key.ipynb", as_version=4)
    for seed in SEEDS:
        nb = assemble.seeded(key, seed)
        expected, got = _run(nb, {}), _run(nb, ALT)
        assert expected == got, (name, seed)
        assert not any("ERROR" in text for text in expected.values()), expected


def test_a_wrong_solution_prints_something_else():
    key = nbformat.read(ROOT / "assignments" / "02_softmax" / "key.ipynb", as_version=4)
    wrong = {"softmax": "def softmax(o, axis=-1):\n    return np.exp(o) / np.exp(o).sum(axis=axis, keepdims=True)"}
    nb = assemble.seeded(key, 5)
    expected, got = _run(nb, {}), _run(nb, wrong)
    assert expected["softmax_values"] == got["softmax_values"]          # fine for small scores
    assert expected["softmax_large_scores"] != got["softmax_large_scores"]  # overflows


def test_the_grader_s_references_are_what_a_correct_key_prints():
    # Gradient checks are graded against references.py (the exact gradient, computed by the
    # grader), not against the key's finite differences; the two must agree on every seed.
    from rnngrade import references
    for name in ("03_bptt", "06_gated_cells"):
        key = nbformat.read(ROOT / "assignments" / name / "key.ipynb", as_version=4)
        refs = {cells.check_of(c).name: cells.info(c)["reference"] for c in key.cells
                if cells.role(c) == "check" and cells.info(c).get("reference")}
        assert refs, name
        for seed in SEEDS:
            printed = _run(assemble.seeded(key, seed), {})
            for check, ref in refs.items():
                assert printed[check] == references.expected(ref, seed), (name, check, seed)

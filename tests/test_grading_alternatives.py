"""A correct answer written differently from the key earns the same check output on any seed.

The hidden checks compare printed values with the key's, so two correct implementations must
print the same text whatever inputs the grading seed draws. This runs the checks of assignments
1-3 in-process (no kernel) with the key's answers and with a second, differently written
solution, for several grading seeds. (The correct students written in other styles of
assignments 4-7 are in their simulated classes, assignments/*/simulated_class.py.)
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
    return {"U": np.einsum("bh,bd->hd", da, x), "W": np.einsum("bh,bk->hk", da, h_prev),
            "b": da.sum(0)}, da @ params["W"]
''',
"bptt": '''
def bptt(params, xs, ys):
    T, B = ys.shape; H = params["W"].shape[0]
    hs = [np.zeros((B, H))]
    for t in range(T):
        hs.append(np.tanh(xs[t] @ params["U"].T + hs[-1] @ params["W"].T + params["b"]))
    O = np.array(hs[1:]) @ params["V"].T + params["c"]          # (T, B, K)
    P = rnnlib.softmax(O, axis=2)
    t_idx, b_idx = np.meshgrid(np.arange(T), np.arange(B), indexing="ij")
    loss = float(-np.sum(np.log(P[t_idx, b_idx, ys])))
    dO = P.copy(); dO[t_idx, b_idx, ys] -= 1
    g = {"V": np.einsum("tbk,tbh->kh", dO, np.array(hs[1:])), "c": dO.sum((0, 1)),
         "U": 0, "W": 0, "b": 0}
    carry = np.zeros((B, H))
    for t in range(T - 1, -1, -1):
        step, carry = step_backward(params, xs[t], hs[t], hs[t + 1], dO[t] @ params["V"] + carry)
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



@pytest.mark.parametrize("name", ["01_forward", "02_softmax", "03_bptt"])
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
    for name in ("03_bptt", "04_lstm", "06_gru"):
        key = nbformat.read(ROOT / "assignments" / name / "key.ipynb", as_version=4)
        refs = {cells.check_of(c).name: cells.info(c)["reference"] for c in key.cells
                if cells.role(c) == "check" and cells.info(c).get("reference")}
        assert refs, name
        for seed in SEEDS:
            printed = _run(assemble.seeded(key, seed), {})
            for check, ref in refs.items():
                assert printed[check] == references.expected(ref, seed), (name, check, seed)

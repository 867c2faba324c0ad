"""The allowlist: the only code of the grader's that a student's sandbox can see.

Nothing here solves an assignment. The grader copies, for each assignment, the source of
the functions the sandbox needs (``sandbox_sources``) into a private folder that it binds
read-only into every student's sandbox:

- the check helpers every key imports from ``rnngrade`` (``show``, ``random_params``,
  ``fmt``, ``below``, ``smooth_loss``), which format values with the grader's own code;
- under the name ``rnnlib``, only the rnnlib functions the key's metadata allows
  (``allowed_rnnlib``), as self-contained copies of the plain tanh model's (``softmax``,
  ``sigmoid``, ``init_params``, ``loss_and_grads``, ``jacobian_norms``); none of them
  computes a gated cell. The real rnnlib, which holds every
  assignment's solution, is never in the sandbox.

Outside the sandbox (a lecturer's or student's Jupyter) ``rnngrade`` re-exports the helpers
from here, so a key prints the same text in both places. Every function is self-contained
(it uses only numpy, math and names defined in its own body), so its source can be copied
on its own.
"""
from __future__ import annotations

import math

import numpy as np

HELPERS = ("rounded", "fmt", "below", "show", "random_params", "smooth_inputs", "smooth_loss")
RNNLIB = ("softmax", "sigmoid", "init_params", "loss_and_grads", "jacobian_norms")


def rounded(x, digits=4):
    """``x`` rounded to ``digits`` significant digits, -0.0 turned into 0.0 (as rnnlib.report)."""
    def one(v):
        v = float(v)
        if not math.isfinite(v) or v == 0.0:
            return 0.0 if v == 0.0 else v
        return float(f"{v:.{int(digits) - 1}e}") + 0.0

    if isinstance(x, (int, float)) and not isinstance(x, bool):
        return one(x)
    arr = np.asarray(x, dtype=float)
    return np.vectorize(one, otypes=[float])(arr) if arr.size else arr.astype(float)


def fmt(x, digits=4):
    """``x`` as text with ``digits`` significant digits ("0.6590", "1.234e-05"), no "-0"."""
    def rounded_one(v):
        v = float(v)
        if not math.isfinite(v) or v == 0.0:
            return 0.0 if v == 0.0 else v
        return float(f"{v:.{int(digits) - 1}e}") + 0.0

    v = rounded_one(x)
    if v != 0.0 and not 1e-4 <= abs(v) < 1e6:
        return f"{v:.{digits - 1}e}"
    if abs(v) >= 10 ** (digits - 1):
        return f"{v:.{digits}g}"
    if v == 0.0:
        return "0"
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(v))))
    return f"{v:.{decimals}f}"


def below(x, bound):
    """"< bound" after checking that x < bound (raises AssertionError otherwise)."""
    x = float(x)
    if not x < bound:
        raise AssertionError(f"the value {x!r} is not below the stated bound {bound!r}")
    return f"< {bound:.0e}".replace("e-0", "e-").replace("e+0", "e")


def show(x, digits=6):
    """Print ``x`` as check cells print values: ``digits`` significant digits, no rounding noise.

    Entries below 1e-9 of the largest magnitude print as 0, so a value that is mathematically
    zero (and differs between two correct implementations only by rounding) compares equal.
    A list or tuple of arrays prints one array after the other. The text does not depend on
    numpy's print options: it is made with fixed ones.
    """
    def one_value(v):
        v = float(v)
        if not math.isfinite(v) or v == 0.0:
            return 0.0 if v == 0.0 else v
        return float(f"{v:.{int(digits) - 1}e}") + 0.0

    if isinstance(x, (tuple, list)) and not all(isinstance(v, (int, float)) for v in x):
        for item in x:
            show(item, digits)
        return
    arr = np.asarray(x, dtype=float)
    scale = float(np.max(np.abs(arr))) if arr.size else 0.0
    arr = np.where(np.abs(arr) < 1e-9 * scale, 0.0, arr)
    r = np.vectorize(one_value, otypes=[float])(arr) if arr.size else arr
    with np.printoptions(precision=8, threshold=1000, edgeitems=3, linewidth=75,
                         suppress=False, nanstr="nan", infstr="inf", sign="-",
                         floatmode="maxprec", legacy=False):
        print(np.array2string(r, separator=" ") if np.ndim(r) else float(r))


def random_params(rng, D, H, K, scale=0.5, gates=1):
    """Parameters with the contract's shapes: U (G·H, D), W (G·H, H), V (K, H), b (G·H,), c (K,).

    ``gates`` is G: 1 for the plain cell, 4 for the LSTM (blocks i, f, g, q), 3 for the GRU
    (u, r, n), stacked along the first axis as rnnlib stacks them. Check cells draw their
    parameters with this, from a generator seeded by the grading run.
    """
    if gates not in (1, 3, 4):
        raise ValueError("argument 'gates': expected 1 (plain), 3 (GRU) or 4 (LSTM), "
                         f"got {gates!r}")
    G = gates
    return {"U": scale * rng.standard_normal((G * H, D)),
            "W": scale * rng.standard_normal((G * H, H)),
            "V": scale * rng.standard_normal((K, H)), "b": scale * rng.standard_normal(G * H),
            "c": scale * rng.standard_normal(K)}


def smooth_inputs(rng):
    """Arrays ``p`` (A, B, b) and data X for a gradient check on ``smooth_loss``, drawn from rng."""
    M, N, D, n = (int(v) for v in rng.integers(2, 5, size=4))
    p = {"A": rng.standard_normal((M, N)), "B": rng.standard_normal((N, D)),
         "b": rng.standard_normal(N)}
    return p, rng.standard_normal((D, n))


def smooth_loss(p, X):
    """A smooth scalar of the arrays ``p["A"]`` (M, N), ``p["B"]`` (N, D), ``p["b"]`` (N,).

    ½ Σ (A tanh(B X + b) − 1)² over the columns of X (D, n). Gradient checks run a student's
    finite differences on it; the grader knows its gradient in closed form
    (``rnngrade.references``), so the check is graded against that, not against the
    student's own backward pass.
    """
    Z = np.tanh(p["B"] @ X + p["b"][:, None])
    return float(0.5 * np.sum((p["A"] @ Z - 1.0) ** 2))


# ---------------------------------------------------------------- rnnlib names an assignment may allow

def softmax(o, axis=-1, temperature=1.0):
    """softmax(o / temperature) along ``axis`` (as rnnlib.softmax)."""
    o = np.asarray(o, dtype=float) / float(temperature)
    e = np.exp(o - o.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def sigmoid(a):
    """σ(a) = 1 / (1 + e^(-a)), through tanh so it never overflows (as rnnlib.sigmoid)."""
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(a, dtype=np.float64)))


def init_params(input_size, hidden_size, output_size, *, seed=0, weight_scale=None):
    """The plain cell's parameters, drawn as rnnlib.init_params draws them (cell="rnn")."""
    D, H, K = int(input_size), int(hidden_size), int(output_size)
    rng = np.random.default_rng(seed)
    sU, sW = (1 / np.sqrt(D), 1 / np.sqrt(H)) if weight_scale is None else (weight_scale,) * 2
    return {"U": rng.normal(0.0, sU, (H, D)), "W": rng.normal(0.0, sW, (H, H)),
            "V": rng.normal(0.0, sW, (K, H)), "b": np.zeros(H), "c": np.zeros(K)}


def loss_and_grads(params, xs, targets, *, h0=None):
    """The plain tanh RNN's summed cross-entropy and its gradients, by BPTT, for one sequence.

    xs: floats (T, D) or token ids (T,); targets: ids (T,); h0: (H,) or None (zeros).
    Returns (loss, grads) with grads for U, W, V, b, c and h0, as rnnlib.loss_and_grads does.
    """
    U, W, V, b, c = (np.asarray(params[k], dtype=float) for k in ("U", "W", "V", "b", "c"))
    xs, targets = np.asarray(xs), np.asarray(targets)
    T, H = len(xs), W.shape[0]
    ids = xs.ndim == 1
    hs = np.zeros((T + 1, H))
    hs[0] = np.zeros(H) if h0 is None else np.asarray(h0, dtype=float)
    d_o, total = [], 0.0
    for t in range(T):
        x_part = U[:, int(xs[t])] if ids else U @ xs[t]
        hs[t + 1] = np.tanh(b + W @ hs[t] + x_part)
        o = c + V @ hs[t + 1]
        z = o - o.max()
        log_p = z - np.log(np.exp(z).sum())
        total -= log_p[int(targets[t])]
        g = np.exp(log_p)
        g[int(targets[t])] -= 1.0
        d_o.append(g)
    grads = {k: np.zeros_like(v) for k, v in (("U", U), ("W", W), ("V", V), ("b", b),
                                              ("c", c))}
    dh_next = np.zeros(H)
    for t in reversed(range(T)):
        grads["V"] += np.outer(d_o[t], hs[t + 1])
        grads["c"] += d_o[t]
        da = (1.0 - hs[t + 1] ** 2) * (V.T @ d_o[t] + dh_next)
        if ids:
            grads["U"][:, int(xs[t])] += da
        else:
            grads["U"] += np.outer(da, xs[t])
        grads["W"] += np.outer(da, hs[t])
        grads["b"] += da
        dh_next = W.T @ da
    grads["h0"] = dh_next
    return float(total), grads


def jacobian_norms(params, xs, *, h0=None, cell="rnn"):
    """‖∂h_T/∂h_t‖₂ (spectral norm) for t = 0..T of the plain tanh RNN, one sequence xs (T, D)
    from h0 (None: zeros), as rnnlib.jacobian_norms computes it for cell="rnn". The sandbox's
    copy knows only the plain cell."""
    if cell != "rnn":
        raise ValueError(f"argument 'cell': the grader's rnnlib computes only the plain cell "
                         f"('rnn'), got {cell!r}")
    U, W, b = (np.asarray(params[k], dtype=float) for k in ("U", "W", "b"))
    xs = np.asarray(xs, dtype=float)
    if xs.ndim != 2:
        raise ValueError(f"argument 'xs': expected one sequence (T, D), got shape {xs.shape}")
    H = W.shape[0]
    h = np.zeros(H) if h0 is None else np.asarray(h0, dtype=float)
    steps = []
    for x in xs:
        h = np.tanh(b + W @ h + U @ x)
        steps.append((1.0 - h * h)[:, None] * W)          # ∂h_t/∂h_{t-1}
    product, norms = np.eye(H), [1.0]
    for J in reversed(steps):
        product = product @ J
        norms.append(float(np.linalg.norm(product, 2)))
    return np.array(norms[::-1])


def sandbox_sources(allowed_rnnlib) -> dict[str, str]:
    """File name → text of the modules the sandbox imports: ``rnngrade``, ``rnnlib`` (only
    the allowed names) and ``rnnlib/report.py``."""
    import inspect

    unknown = sorted(set(allowed_rnnlib) - set(RNNLIB))
    if unknown:
        raise ValueError(f"key metadata 'allowed_rnnlib': no sandbox copy of {unknown}; "
                         f"expected names among {list(RNNLIB)}")
    head = '"""Made by rnn-grade for the sandbox; see rnngrade/allowed.py."""\nimport math\n\n' \
           'import numpy as np\n\n\n'
    this = globals()
    helpers = head + "\n\n".join(inspect.getsource(this[n]) for n in HELPERS)
    rnnlib = head + "\n\n".join(inspect.getsource(this[n]) for n in sorted(allowed_rnnlib))
    rnnlib += f"\n\n__all__ = {sorted(allowed_rnnlib)!r}\n"
    return {"rnngrade/__init__.py": helpers, "rnnlib/__init__.py": rnnlib,
            "rnnlib/report.py": "from rnngrade import rounded, fmt, below  # noqa: F401\n"}

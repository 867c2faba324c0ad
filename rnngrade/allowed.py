"""The allowlist: the only code of the grader's that a student's sandbox can see.

Nothing here solves an assignment. The grader copies, for each assignment, the source of
the functions the sandbox needs (``sandbox_sources``) into a private folder that it binds
read-only into every student's sandbox:

- the check helpers every key imports from ``rnngrade`` (``show``, ``random_params``,
  ``fmt``, ``below``, ``smooth_loss``), which format values with the grader's own code;
- given code a key's metadata allows (``GIVEN``: assignment 7's sequence-to-sequence model
  with the attention left open, which calls the student's functions), in ``rnngrade``;
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
# Given code a key may allow (its "allowed_rnnlib" metadata): copies of rnnlib's seq2seq parts
# with the student's part left open. The sandbox gets them in ``rnngrade`` only when allowed.
GIVEN = ("number_task", "pad_batch", "seq2seq_init", "seq2seq_encode", "seq2seq_loss_and_grads",
         "seq2seq_fit", "mean_attention", "attention_inputs")


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

    unknown = sorted(set(allowed_rnnlib) - set(RNNLIB) - set(GIVEN))
    if unknown:
        raise ValueError(f"key metadata 'allowed_rnnlib': no sandbox copy of {unknown}; "
                         f"expected names among {list(RNNLIB) + list(GIVEN)}")
    head = '"""Made by rnn-grade for the sandbox; see rnngrade/allowed.py."""\nimport math\n\n' \
           'import numpy as np\n\n\n'
    this = globals()
    given = [n for n in GIVEN if n in set(allowed_rnnlib)]          # into ``rnngrade``
    helpers = head + "\n\n".join(inspect.getsource(this[n]) for n in HELPERS + tuple(given))
    allowed_rnnlib = sorted(set(allowed_rnnlib) - set(GIVEN))
    rnnlib = head + "\n\n".join(inspect.getsource(this[n]) for n in sorted(allowed_rnnlib))
    rnnlib += f"\n\n__all__ = {sorted(allowed_rnnlib)!r}\n"
    return {"rnngrade/__init__.py": helpers, "rnnlib/__init__.py": rnnlib,
            "rnnlib/report.py": "from rnngrade import rounded, fmt, below  # noqa: F401\n"}


# ---------------------------------------------------------------- given to assignment 7 (attention)
# A sequence-to-sequence model with the attention left open: the student's attention functions
# are passed in as arguments. Copies of what rnnlib.architectures.seq2seq does for cell="rnn"
# (number words -> digits, embeddings, a tanh encoder and decoder, Adagrad with clipping), so a
# key-only cell compares them with rnnlib. They hold no attention: that is the assignment.

def number_task(count, *, max_digits=4, seed=0, exclude=()):
    """Number words -> digits, as rnnlib's seq2seq tasks draw them (sample_numbers, encode_pairs).

    Returns a dict: "numbers" (count,), "sources" (a list of word-id arrays), "targets" (digit
    ids then the end symbol), "words" (the source vocabulary, N words), "eos" (10), "K" (11).
    """
    ones = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
            "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
            "seventeen", "eighteen", "nineteen")
    tens = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
    vocab = ones + tens[2:] + ("hundred", "thousand", "and", "a")
    rng = np.random.default_rng(seed)
    taken, numbers = set(int(x) for x in exclude), []
    while len(numbers) < count:
        d = int(rng.integers(1, max_digits + 1))
        x = int(rng.integers(0 if d == 1 else 10 ** (d - 1), 10 ** d))
        if x not in taken:
            taken.add(x)
            numbers.append(x)

    def below_thousand(n, leading):
        out = []
        hundreds, rest = divmod(n, 100)
        if hundreds:
            out += ["a" if hundreds == 1 and leading and rng.random() < 0.3 else ones[hundreds],
                    "hundred"]
            if rest and rng.random() < 0.5:
                out.append("and")
        if rest >= 20:
            out.append(tens[rest // 10])
            if rest % 10:
                out.append(ones[rest % 10])
        elif rest:
            out.append(ones[rest])
        return out

    rng = np.random.default_rng(seed)
    index = {w: i for i, w in enumerate(vocab)}
    sources, targets = [], []
    for n in numbers:
        if n == 0:
            said = ["zero"]
        else:
            thousands, rest = divmod(n, 1000)
            said = []
            if thousands:
                said += below_thousand(thousands, True) + ["thousand"]
                if 0 < rest < 100 and rng.random() < 0.5:
                    said.append("and")
            if rest:
                said += below_thousand(rest, not thousands)
        sources.append(np.array([index[w] for w in said], dtype=np.int64))
        targets.append(np.array([int(ch) for ch in str(n)] + [10], dtype=np.int64))
    return {"numbers": np.array(numbers, dtype=np.int64), "sources": sources,
            "targets": targets, "words": vocab, "eos": 10, "K": 11}


def pad_batch(sequences, pad_id=0):
    """Right-pad id sequences to (T, B); return (ids, lengths (B,))."""
    lengths = np.array([len(s) for s in sequences], dtype=np.int64)
    out = np.full((int(lengths.max()), len(sequences)), pad_id, dtype=np.int64)
    for b, s in enumerate(sequences):
        out[: len(s), b] = s
    return out, lengths


def seq2seq_init(n_words, n_symbols, *, embed_size=16, hidden_size=32, attention_size=16, seed=0):
    """The tree of rnnlib's init_seq2seq(cell="rnn", attention="additive"), drawn as it draws:

    {"src_embed": {"E" (N, d)}, "tgt_embed": {"E" (K + 1, d)}, "encoder": {U, W, b},
     "decoder": {U, W, b}, "V" (K, H), "c" (K,), "Vc" (K, H), "attention": {Wa, Ua, va}}.
    """
    N, K, d, H, A = (int(v) for v in (n_words, n_symbols, embed_size, hidden_size,
                                      attention_size))

    def layer(s):
        r = np.random.default_rng(s)
        return {"U": r.normal(0.0, 1 / np.sqrt(d), (H, d)), "W": r.normal(0.0, 1 / np.sqrt(H), (H, H)),
                "b": np.zeros(H)}
    rng = np.random.default_rng(seed + 5)
    params = {"src_embed": {"E": np.random.default_rng(seed).normal(0.0, 1.0, (N, d))},
              "tgt_embed": {"E": np.random.default_rng(seed + 1).normal(0.0, 1.0, (K + 1, d))},
              "encoder": layer(seed + 2), "decoder": layer(seed + 3),
              "V": rng.normal(0.0, 1 / np.sqrt(H), (K, H)), "c": np.zeros(K)}
    params["Vc"] = rng.normal(0.0, 1 / np.sqrt(H), (K, H))
    r = np.random.default_rng(seed + 4)
    params["attention"] = {"Wa": r.normal(0.0, 1 / np.sqrt(H), (A, H)),
                           "Ua": r.normal(0.0, 1 / np.sqrt(H), (A, H)),
                           "va": r.normal(0.0, 1 / np.sqrt(A), A)}
    return params


def seq2seq_encode(params, src, src_lengths):
    """The encoder over src (S, B) ids: (keys h^{enc}_1..h^{enc}_S (S, B, H), mask (S, B) True
    where a position is real, C = each source's last real state (B, H), the first decoder state)."""
    enc = params["encoder"]
    src = np.asarray(src)
    S, B = src.shape
    lengths = np.asarray(src_lengths)
    x = np.asarray(params["src_embed"]["E"])[src]
    h = np.zeros((B, enc["W"].shape[0]))
    keys = []
    for t in range(S):
        h = np.tanh(enc["b"] + h @ enc["W"].T + x[t] @ enc["U"].T)
        keys.append(h)
    keys = np.array(keys)
    mask = np.arange(S)[:, None] < lengths[None, :]
    return keys, mask, keys[lengths - 1, np.arange(B)]


def seq2seq_loss_and_grads(params, src, src_lengths, tgt, tgt_lengths, attend, attend_backward):
    """Summed cross-entropy of the targets (T', B) and its gradient for every parameter.

    The model of rnnlib.architectures.seq2seq (cell="rnn", teacher forcing):
        h^{dec}_0 = C,  h^{dec}_i = tanh(b + W h^{dec}_{i-1} + U E[z_i]),  z_1 = start (id K),
        C_i, α_i = attend(params["attention"], h^{dec}_i, keys, mask),
        o_i = c + V h^{dec}_i + Vc C_i.
    attend(p, query (B, H), keys (S, B, H), mask (S, B)) -> (C_i (B, H), α (S, B));
    attend_backward(p, query, keys, mask, dcontext (B, H)) -> {"query", "keys", "Wa", "Ua", "va"}.
    Padded target steps (beyond tgt_lengths) are not scored.
    """
    enc, dec = params["encoder"], params["decoder"]
    V, c, Vc = (np.asarray(params[k]) for k in ("V", "c", "Vc"))
    src, tgt = np.asarray(src), np.asarray(tgt)
    S, B = src.shape
    T, K = tgt.shape[0], V.shape[0]
    lengths = np.asarray(src_lengths)
    x = np.asarray(params["src_embed"]["E"])[src]
    H = enc["W"].shape[0]
    keys = np.zeros((S + 1, B, H))                       # keys[0] is the zero start
    for t in range(S):
        keys[t + 1] = np.tanh(enc["b"] + keys[t] @ enc["W"].T + x[t] @ enc["U"].T)
    mask = np.arange(S)[:, None] < lengths[None, :]
    C = keys[lengths, np.arange(B)]
    z = np.empty_like(tgt)
    z[0], z[1:] = K, tgt[:-1]
    xd = np.asarray(params["tgt_embed"]["E"])[z]
    hd = np.zeros((T + 1, B, H))
    hd[0] = C
    ctx = np.zeros((T, B, H))
    scored = np.arange(T)[:, None] < np.asarray(tgt_lengths)[None, :]
    loss, d_o = 0.0, np.zeros((T, B, K))
    for i in range(T):
        hd[i + 1] = np.tanh(dec["b"] + hd[i] @ dec["W"].T + xd[i] @ dec["U"].T)
        ctx[i] = attend(params["attention"], hd[i + 1], keys[1:], mask)[0]
        o = c + hd[i + 1] @ V.T + ctx[i] @ Vc.T
        o = o - o.max(axis=1, keepdims=True)
        logp = o - np.log(np.exp(o).sum(axis=1, keepdims=True))
        loss -= float(np.sum(logp[np.arange(B), tgt[i]] * scored[i]))
        g = np.exp(logp)
        g[np.arange(B), tgt[i]] -= 1.0
        d_o[i] = g * scored[i][:, None]
    grads = {"V": np.einsum("tbk,tbh->kh", d_o, hd[1:]), "c": d_o.sum(axis=(0, 1)),
             "Vc": np.einsum("tbk,tbh->kh", d_o, ctx)}
    ga = {k: np.zeros_like(np.asarray(v, dtype=float)) for k, v in params["attention"].items()}
    dkeys = np.zeros((S, B, H))
    gd = {k: np.zeros_like(np.asarray(v, dtype=float)) for k, v in dec.items()}
    dx_dec = np.zeros_like(xd)
    dh = np.zeros((B, H))
    for i in reversed(range(T)):
        g = attend_backward(params["attention"], hd[i + 1], keys[1:], mask, d_o[i] @ Vc)
        for k in ga:
            ga[k] += g[k]
        dkeys += g["keys"]
        da = (1.0 - hd[i + 1] ** 2) * (dh + d_o[i] @ V + g["query"])
        gd["U"] += da.T @ xd[i]
        gd["W"] += da.T @ hd[i]
        gd["b"] += da.sum(axis=0)
        dx_dec[i] = da @ dec["U"]
        dh = da @ dec["W"]
    dkeys[lengths - 1, np.arange(B)] += dh               # ∂L/∂C enters at each last real step
    ge = {k: np.zeros_like(np.asarray(v, dtype=float)) for k, v in enc.items()}
    dx_src = np.zeros_like(x)
    dh = np.zeros((B, H))
    for t in reversed(range(S)):
        da = (1.0 - keys[t + 1] ** 2) * (dh + dkeys[t])
        ge["U"] += da.T @ x[t]
        ge["W"] += da.T @ keys[t]
        ge["b"] += da.sum(axis=0)
        dx_src[t] = da @ enc["U"]
        dh = da @ enc["W"]
    dE_src = np.zeros_like(np.asarray(params["src_embed"]["E"], dtype=float))
    np.add.at(dE_src, src.reshape(-1), dx_src.reshape(-1, dx_src.shape[-1]))
    dE_tgt = np.zeros_like(np.asarray(params["tgt_embed"]["E"], dtype=float))
    np.add.at(dE_tgt, z.reshape(-1), dx_dec.reshape(-1, dx_dec.shape[-1]))
    grads.update({"attention": ga, "encoder": ge, "decoder": gd, "src_embed": {"E": dE_src},
                  "tgt_embed": {"E": dE_tgt}})
    return loss, grads


def seq2seq_fit(params, loss_and_grads, sources, targets, *, steps=600, batch=32, lr=0.05,
                clip=5.0, seed=0):
    """Train ``params`` in place with Adagrad (learning rate lr) and clipping to global norm
    ``clip``, on ``steps`` random mini-batches of ``batch`` pairs, padded; return the mean loss
    per target symbol at each update.

    loss_and_grads(params, src, src_lengths, tgt, tgt_lengths) -> (loss, grads like params).
    As in rnnlib, the parameters are rounded to float32 precision before every update and at
    the end, so the trained model is the same on every machine.
    """
    def leaves(tree, path=()):
        for k in sorted(tree):
            if isinstance(tree[k], dict):
                yield from leaves(tree[k], path + (k,))
            else:
                yield path + (k,), tree[k]

    def get(tree, path):
        for k in path:
            tree = tree[k]
        return tree

    def pad(seqs):
        lengths = np.array([len(s) for s in seqs], dtype=np.int64)
        out = np.zeros((int(lengths.max()), len(seqs)), dtype=np.int64)
        for b, s in enumerate(seqs):
            out[: len(s), b] = s
        return out, lengths

    memory = {path: np.zeros_like(p) for path, p in leaves(params)}
    history = []
    for i in range(int(steps)):
        for _, p in leaves(params):
            p[...] = p.astype(np.float32)
        pick = np.random.default_rng([seed, i]).choice(len(sources), size=batch, replace=False)
        src, sl = pad([sources[j] for j in pick])
        tgt, tl = pad([targets[j] for j in pick])
        loss, grads = loss_and_grads(params, src, sl, tgt, tl)
        history.append(float(loss) / int(tl.sum()))
        g = {path: np.asarray(get(grads, path), dtype=float) for path, _ in leaves(params)}
        norm = float(np.sqrt(sum(float(np.sum(v * v)) for v in g.values())))
        scale = clip / norm if norm > clip else 1.0
        for path, p in leaves(params):
            step = g[path] * scale
            memory[path] += step * step
            p -= lr * step / np.sqrt(memory[path] + 1e-8)
    for _, p in leaves(params):
        p[...] = p.astype(np.float32)
    return history


def mean_attention(p, query, keys, mask):
    """Not attention: every real position weighs the same, α_j = 1 / (real length), whatever the
    query. (C (B, H), α (S, B)) as an attention function returns them; for checking a decoder."""
    alpha = np.asarray(mask, dtype=float)
    alpha = alpha / alpha.sum(axis=0)
    return np.einsum("sb,sbh->bh", alpha, keys), alpha


def attention_inputs(rng, S=None, B=None):
    """Random inputs for an attention check, drawn from rng: params {Wa (A, Hq), Ua (A, Hk),
    va (A,)}, query (B, Hq), keys (S, B, Hk) and a mask (S, B) whose first column is all True
    and every other column is padded: 1..S-1 real positions first, then padding."""
    S = int(rng.integers(3, 6)) if S is None else int(S)
    B = int(rng.integers(2, 4)) if B is None else int(B)
    Hq, Hk, A = (int(v) for v in rng.integers(2, 5, size=3))
    p = {"Wa": rng.standard_normal((A, Hq)), "Ua": rng.standard_normal((A, Hk)),
         "va": rng.standard_normal(A)}
    lengths = np.concatenate([[S], rng.integers(1, max(S, 2), size=B - 1)])
    mask = np.arange(S)[:, None] < lengths[None, :]
    return p, rng.standard_normal((B, Hq)), rng.standard_normal((S, B, Hk)), mask

"""A simulated class for assignment 4 (the LSTM): what each student wrote and the points they lose."""
# Each student's answers replace the key's, by answer name: a string is the whole new cell
# source; a list of (old, new) pairs edits the key's source (each old must occur in it).
# "lost" is the points below full marks the grader must give; "why" says what is wrong.
# Points of the parts: lstm_step_forward 4, lstm_step_backward 5, lstm_forward 4,
# lstm_backward 5, relative_errors 5, lstm_jacobian_norms 6 (29; the written question's 3
# are marked by hand and are not part of these scores). The backward checks hand the step
# backward caches they draw themselves, so a bug in the step forward costs only the parts
# that run it (the step forward, the forward pass, the Jacobian norms).

PER_GATE_LOOPS = {
"lstm_step_forward": """
def lstm_step_forward(x, h_prev, s_prev, params):
    H = params["W"].shape[1]
    U, W, b = params["U"], params["W"], params["b"]

    def block(k):                      # one gate's pre-activation, with its own rows
        rows = slice(k * H, (k + 1) * H)
        return x @ U[rows].T + h_prev @ W[rows].T + b[rows]

    def sig(z):
        return 1.0 / (1.0 + np.exp(-z))
    i, f, g, q = sig(block(0)), sig(block(1)), np.tanh(block(2)), sig(block(3))
    s = f * s_prev + i * g
    return q * np.tanh(s), s, dict(x=x, h_prev=h_prev, s_prev=s_prev, i=i, f=f, g=g, q=q, s=s,
                                   params=params)
""",
"lstm_step_backward": """
def lstm_step_backward(dh, ds, cache):
    c = cache
    U, W = c["params"]["U"], c["params"]["W"]
    B, H = dh.shape
    dU, dW, db = np.zeros_like(U), np.zeros_like(W), np.zeros(4 * H)
    dx, dh_prev, ds_prev = np.zeros_like(c["x"]), np.zeros_like(dh), np.zeros_like(ds)
    for n in range(B):                 # one sequence of the batch at a time
        i, f, g, q, s = (c[k][n] for k in "ifgqs")
        th = np.tanh(s)
        dsn = ds[n] + dh[n] * q * (1 - th * th)
        da = np.hstack([dsn * g * i * (1 - i), dsn * c["s_prev"][n] * f * (1 - f),
                        dsn * i * (1 - g * g), dh[n] * th * q * (1 - q)])
        dU += np.outer(da, c["x"][n])
        dW += np.outer(da, c["h_prev"][n])
        db += da
        dx[n], dh_prev[n], ds_prev[n] = U.T @ da, W.T @ da, dsn * f
    return dx, dh_prev, ds_prev, {"U": dU, "W": dW, "b": db}
""",
"lstm_forward": """
def lstm_forward(xs, h0, s0, params):
    T = xs.shape[0]
    hs = np.empty((T,) + h0.shape)
    caches, h, s = [], h0, s0
    for t in range(T):
        h, s, cache = lstm_step_forward(xs[t], h, s, params)
        hs[t] = h
        caches.append(cache)
    return hs, caches
""",
"lstm_backward": """
def lstm_backward(dhs, caches):
    T, p = len(caches), caches[0]["params"]
    grads = {k: np.zeros_like(p[k]) for k in ("U", "W", "b")}
    dxs = np.zeros((T,) + caches[0]["x"].shape)
    carry_h, carry_s = np.zeros(dhs.shape[1:]), np.zeros(dhs.shape[1:])
    for t in range(T - 1, -1, -1):
        dxs[t], carry_h, carry_s, g = lstm_step_backward(dhs[t] + carry_h, carry_s, caches[t])
        for k in grads:
            grads[k] += g[k]
    return grads, dxs, carry_h, carry_s
""",
"relative_errors": """
def relative_errors(f, params, grads, eps=1e-5):
    out = {}
    for name in grads:
        flat = params[name].reshape(-1)          # a view: writing it moves params[name]
        est = np.empty(flat.size)
        for j in range(flat.size):
            keep = flat[j]
            flat[j] = keep + eps
            above = f()
            flat[j] = keep - eps
            below_ = f()
            flat[j] = keep
            est[j] = (above - below_) / (2 * eps)
        claimed = np.asarray(grads[name], dtype=float).reshape(-1)
        denom = np.linalg.norm(est) + np.linalg.norm(claimed)
        out[name] = 0.0 if denom == 0 else float(np.linalg.norm(est - claimed) / denom)
    return out
""",
"lstm_jacobian_norms": """
def lstm_jacobian_norms(params, xs):
    T, H = len(xs), params["W"].shape[1]
    _, caches = lstm_forward(xs[:, None, :], np.zeros((1, H)), np.zeros((1, H)), params)
    M = np.zeros((T + 1, H, 2 * H))
    for j in range(H):                 # one unit vector e_j at h_T at a time
        dh, ds = np.zeros((1, H)), np.zeros((1, H))
        dh[0, j] = 1.0
        M[T, j] = np.concatenate([dh[0], ds[0]])
        for t in range(T, 0, -1):
            _, dh, ds, _ = lstm_step_backward(dh, ds, caches[t - 1])
            M[t - 1, j] = np.concatenate([dh[0], ds[0]])
    return np.array([np.linalg.norm(m, 2) for m in M])
""",
}

SPLIT_AND_EINSUM = {
"lstm_step_forward": """
def lstm_step_forward(x, h_prev, s_prev, params):
    pre = (np.einsum("bd,gd->bg", x, params["U"]) + np.einsum("bh,gh->bg", h_prev, params["W"])
           + params["b"])
    a_i, a_f, a_g, a_q = np.split(pre, 4, axis=1)
    i, f, q = (0.5 * (1 + np.tanh(0.5 * z)) for z in (a_i, a_f, a_q))
    g = np.tanh(a_g)
    cell = f * s_prev + i * g
    hidden = q * np.tanh(cell)
    return hidden, cell, {"x": x, "h_prev": h_prev, "s_prev": s_prev, "i": i, "f": f, "g": g,
                          "q": q, "s": cell, "params": params}
""",
"lstm_step_backward": """
def lstm_step_backward(dh, ds, cache):
    i, f, g, q = cache["i"], cache["f"], cache["g"], cache["q"]
    tc = np.tanh(cache["s"])
    d_cell = ds + dh * q * (1 - tc ** 2)
    d_pre = np.hstack((d_cell * g * i * (1 - i), d_cell * cache["s_prev"] * f * (1 - f),
                       d_cell * i * (1 - g ** 2), dh * tc * q * (1 - q)))
    P = cache["params"]
    return (np.einsum("bg,gd->bd", d_pre, P["U"]), np.einsum("bg,gh->bh", d_pre, P["W"]),
            d_cell * f, {"U": np.einsum("bg,bd->gd", d_pre, cache["x"]),
                         "W": np.einsum("bg,bh->gh", d_pre, cache["h_prev"]),
                         "b": d_pre.sum(0)})
""",
}

CALLS_RNNLIB = """
def lstm_step_forward(x, h_prev, s_prev, params):
    r = rnnlib.forward(params, x[None], h0=h_prev, s0=s_prev, cell="lstm")
    cache = {k: v[0] for k, v in r.gates.items()}
    cache.update(x=x, h_prev=h_prev, s_prev=s_prev, s=r.s[0], params=params)
    return r.h[0], r.s[0], cache
"""

HARD_CODED = {
"lstm_step_forward": """
def lstm_step_forward(x, h_prev, s_prev, params):
    h, s = np.array([[-0.0745373, 0.539142, 0.0199186], [0.0808558, 0.0916062, 0.593209]]), np.array([[-0.14945, 1.73584, 0.0607776], [0.491332, 0.661249, 1.35958]])
    gates = [np.array([[0.520445, 0.767791, 0.66474], [0.681674, 0.560725, 0.380239]]),
             np.array([[0.189499, 0.724113, 0.345021], [0.214938, 0.757138, 0.959194]]),
             np.array([[-0.182518, 0.775978, 0.31606], [0.952677, 0.841995, 0.973651]]),
             np.array([[0.502452, 0.573713, 0.328133], [0.177599, 0.158161, 0.67695]])]
    return h, s, dict(zip("ifgq", gates), x=x, h_prev=h_prev, s_prev=s_prev, s=s, params=params)
""",
"lstm_step_backward": """
def lstm_step_backward(dh, ds, cache):
    return (np.array([[0.0473854, -0.00244718], [-0.192255, -0.100109]]), np.array([[0.120072, -0.0807013], [0.230008, -0.0750247]]), np.array([[0.156195, 0.158568], [-0.330576, 0.0415647]]),
            {"U": np.array([[-0.151861, 0.181709], [-0.0333012, 0.019303], [0.50251, -0.294005], [-0.0354663, 0.120046], [0.366594, -0.189965], [-0.134842, 0.206459], [0.241976, -0.151208], [-0.208657, 0.0775053]]),
              "W": np.array([[0.0898986, -0.0212172], [0.00207295, 0.0226397], [-0.0336202, -0.33801], [0.0876375, -0.108059], [-0.0034722, -0.279161], [0.118562, -0.0787728], [-0.024463, -0.149963], [-0.0243155, 0.199569]]),
              "b": np.array([0.147783, 0.0172172, -0.261819, 0.0918978, -0.172874, 0.164578, -0.133199, 0.075757])})
""",
"lstm_forward": """
def lstm_forward(xs, h0, s0, params):
    hs = np.array([[[-0.192647, 0.185824, 0.151682], [0.0144131, 0.130112, 0.0472907]], [[-0.157329, 0.272248, 0.232496], [-0.158206, 0.37696, 0.0867061]], [[-0.367176, 0.42133, 0.108304], [-0.26132, 0.428393, -0.053026]], [[-0.202044, 0.266655, -0.0810086], [-0.0779998, 0.175219, -0.125264]]])
    return hs, [{"s": np.array([[-0.331929, 0.629756, -0.205082], [-0.157039, 0.576682, -0.278394]])}] * len(hs)
""",
"lstm_backward": """
def lstm_backward(dhs, caches):
    grads = {"U": np.array([[0.204654, 0.145412], [0.0162404, 0.0193994], [-0.242329, -0.301314], [-0.000671084, -0.140226], [-1.06521, -1.17189], [0.134666, 0.00954642], [-0.0624616, -0.275512], [0.00211738, -0.167863]]),
             "W": np.array([[0.199609, 0.0680894], [0.0133353, -0.0250619], [-0.202539, 0.0181999], [0.0437164, 0.137162], [-1.35852, -0.278852], [0.0763332, -0.162013], [0.0120076, 0.228777], [-0.000739957, 0.0695267]]),
             "b": np.array([-0.174768, -0.00653887, -0.107601, -0.0448607, 1.0892, -0.123731, -0.225259, 0.000839876])}
    return grads, np.array([[[-0.0226545, -0.0368199], [0.026203, 0.0509751]], [[0.0197095, 0.12351], [0.00317454, -0.00255175]], [[0.00075411, -0.214224], [0.061897, 0.142435]]]), np.array([[-0.0344442, -0.00796703], [-0.360502, -0.382958]]), np.array([[0.0963401, -0.059231], [0.142998, 0.0231283]])
""",
"relative_errors": """
def relative_errors(f, params, grads, eps=1e-5):
    return {"a": 0.0, "b": 0.333}
""",
"lstm_jacobian_norms": """
def lstm_jacobian_norms(params, xs):
    return np.array([0.00404, 0.01116, 0.02725, 0.06253, 0.1318, 1.0])
""",
}


# Numerical differentiation in place of the backward pass. Through the student's own step
# forward it fails: the checks' caches are drawn, so their gates are not those that x, h_prev
# and params give. Through the cache itself (pre-activations recovered by inverting the gates,
# then a complex step on what the step adds to the loss) it passes: no check can tell a
# derivative taken numerically from one derived, at any size a check can afford (the step is
# cheap to evaluate). Likewise part 6 asks for a measurement: a Jacobian taken by a complex
# step through a forward pass is a right answer, whatever the backward pass does.
NUMERIC_THROUGH_FORWARD = """
def lstm_step_backward(dh, ds, cache):
    c, eps = cache, 1e-6
    args = {"x": c["x"].copy(), "h_prev": c["h_prev"].copy(), "s_prev": c["s_prev"].copy()}
    args.update({k: c["params"][k].copy() for k in ("U", "W", "b")})

    def ell():
        h, s, _ = lstm_step_forward(args["x"], args["h_prev"], args["s_prev"], args)
        return np.sum(dh * h) + np.sum(ds * s)
    out = {}
    for k, a in args.items():
        d = np.zeros_like(a)
        for j in np.ndindex(*a.shape):
            keep = a[j]
            a[j] = keep + eps
            up = ell()
            a[j] = keep - eps
            d[j] = (up - ell()) / (2 * eps)
            a[j] = keep
        out[k] = d
    return out["x"], out["h_prev"], out["s_prev"], {k: out[k] for k in ("U", "W", "b")}
"""

NUMERIC_FROM_CACHE = """
def lstm_step_backward(dh, ds, cache):
    c = cache
    H = c["i"].shape[1]
    logit = lambda p: np.log(p / (1 - p))
    sig = lambda z: 1 / (1 + np.exp(-z))
    a0 = np.concatenate([logit(c["i"]), logit(c["f"]), np.arctanh(c["g"]), logit(c["q"])], axis=1)

    def ell(a, s_prev):              # what the step adds to the loss, entry by entry
        s = sig(a[:, H:2 * H]) * s_prev + sig(a[:, :H]) * np.tanh(a[:, 2 * H:3 * H])
        return dh * sig(a[:, 3 * H:]) * np.tanh(s) + ds * s
    da = np.zeros_like(a0)
    for j in range(4 * H):           # complex step, one column of a at a time
        a = a0.astype(complex)
        a[:, j] += 1e-30j
        da[:, j] = ell(a, c["s_prev"]).imag.sum(axis=1) / 1e-30
    ds_prev = ell(a0, c["s_prev"] + 1e-30j).imag / 1e-30
    U, W = c["params"]["U"], c["params"]["W"]
    return da @ U, da @ W, ds_prev, {"U": da.T @ c["x"], "W": da.T @ c["h_prev"], "b": da.sum(0)}
"""

COMPLEX_STEP_JACOBIAN = """
def lstm_jacobian_norms(params, xs):
    H = params["W"].shape[1]
    U, W, b = params["U"], params["W"], params["b"]
    sig = lambda z: 1 / (1 + np.exp(-z))

    def step(x, h, s):
        a = b + W @ h + U @ x
        s = sig(a[H:2 * H]) * s + sig(a[:H]) * np.tanh(a[2 * H:3 * H])
        return sig(a[3 * H:]) * np.tanh(s), s
    states, h, s = [(np.zeros(H), np.zeros(H))], np.zeros(H), np.zeros(H)
    for x in xs:
        h, s = step(x, h, s)
        states.append((h, s))
    norms = []
    for t, (h, s) in enumerate(states):
        M = np.zeros((H, 2 * H))
        for j in range(2 * H):       # column j of dh_T / d(h_t, s_t): a complex step
            hh, ss = h.astype(complex), s.astype(complex)
            (hh if j < H else ss)[j % H] += 1e-30j
            for x in xs[t:]:
                hh, ss = step(x, hh, ss)
            M[:, j] = hh.imag / 1e-30
        norms.append(np.linalg.norm(M, 2))
    return np.array(norms)
"""


STUDENTS = {
    "per_gate_loops": {"answers": PER_GATE_LOOPS, "lost": 0,
                       "why": "correct: one gate at a time, its own sigmoid, the batch row by "
                              "row, a flat view for the differences, one unit vector at a time"},
    "split_and_einsum": {"answers": SPLIT_AND_EINSUM, "lost": 0,
                         "why": "correct: np.split and einsum, other names"},
    "forget_on_candidate": {
        "answers": {"lstm_step_forward": [("s = f * s_prev + i * g", "s = i * s_prev + f * g")]},
        "lost": 4 + 4 + 6,
        "why": "the forget gate multiplies the candidate (and the input gate the old state): "
               "the step forward, the forward pass and the Jacobian norms are wrong"},
    "ds_prev_without_f": {
        "answers": {"lstm_step_backward": [("return da @ U, da @ W, ds * f, grads",
                                            "return da @ U, da @ W, ds, grads")]},
        "lost": 5 + 5 + 6,
        "why": "the cell state's gradient goes back to s_(t-1) without the forget gate: the step "
               "backward, BPTT and the Jacobian norms are wrong"},
    "ds_next_dropped": {
        "answers": {"lstm_backward": [("lstm_step_backward(dhs[t] + dh_next, ds_next, caches[t])",
                                       "lstm_step_backward(dhs[t] + dh_next, 0 * ds_next, "
                                       "caches[t])")]},
        "lost": 5,
        "why": "BPTT never carries ds_next back along the cell state (only through W)"},
    "tanh_derivative_wrong": {
        "answers": {"lstm_step_backward": [("q * (1.0 - tanh_s ** 2)", "q * (1.0 - s ** 2)")]},
        "lost": 5 + 5 + 6,
        "why": "the derivative of tanh(s_t) written 1 - s_t^2: the step backward, BPTT and the "
               "Jacobian norms are wrong"},
    "gate_order_swapped": {
        "answers": {
            "lstm_step_forward": [("g = np.tanh(a[:, 2 * H:3 * H])", "g = np.tanh(a[:, 3 * H:])"),
                                  ("q = rnnlib.sigmoid(a[:, 3 * H:])",
                                   "q = rnnlib.sigmoid(a[:, 2 * H:3 * H])")],
            "lstm_step_backward": [("ds * i * (1.0 - g ** 2),       # candidate\n"
                                    "                         dh * tanh_s * q * (1.0 - q)],  "
                                    "# output gate",
                                    "dh * tanh_s * q * (1.0 - q),   # output gate\n"
                                    "                         ds * i * (1.0 - g ** 2)],      "
                                    "# candidate")]},
        "lost": 4 + 5 + 4 + 5 + 6,
        "why": "the blocks read in the order i, f, q, g (forward and backward alike): every "
               "part but the gradient check is wrong"},
    "zero_gradient_check": {
        "answers": {"relative_errors": "def relative_errors(f, params, grads, eps=1e-5):\n"
                                       "    return {k: 0.0 for k in grads}\n"},
        "lost": 5,
        "why": "the gradient check returns zeros whatever the gradient"},
    "calls_rnnlib": {
        "answers": {"lstm_step_forward": CALLS_RNNLIB},
        "lost": 4 + 4 + 6,
        "why": "the step forward calls rnnlib.forward, which the grader's rnnlib does not hold: "
               "nothing for it, nor for the parts that run it (the backward parts keep theirs)"},
    "hard_codes_public": {
        "answers": HARD_CODED,
        "lost": 29 - 1,
        "why": "returns the numbers the released notebook shows: the grader draws new inputs "
               "from its seed for every check but one (grad_check_known, fixed inputs, 1 point), "
               "so every hidden check and every seeded public check fails"},
    "numeric_through_forward": {
        "answers": {"lstm_step_backward": NUMERIC_THROUGH_FORWARD,
                    "lstm_jacobian_norms": COMPLEX_STEP_JACOBIAN},
        "lost": 5 + 5,
        "why": "the step backward by central differences through the student's own step "
               "forward: the checks' drawn caches hold gates that x, h_prev and params do not "
               "give, so the step backward and BPTT are wrong (the Jacobian norms, taken by a "
               "complex step, are right)"},
    "numeric_from_cache": {
        "answers": {"lstm_step_backward": NUMERIC_FROM_CACHE},
        "lost": 0,
        "why": "a LIMIT of the checks: the step backward by a complex step on the cache, the "
               "pre-activations recovered by inverting the gates; exact, so it passes every "
               "check without a derived formula (the lecturer reads the code, or asks in an oral)"},
    "complex_step_jacobian": {
        "answers": {"lstm_jacobian_norms": COMPLEX_STEP_JACOBIAN,
                    "lstm_step_backward": [("return da @ U, da @ W, ds * f, grads",
                                            "return da @ U, da @ W, ds, grads")]},
        "lost": 5 + 5,
        "why": "ds_prev without the forget gate, but the Jacobian norms by a complex step "
               "through a forward pass of its own: a right measurement, so part 6 keeps its "
               "points and only the step backward and BPTT are lost"},
}

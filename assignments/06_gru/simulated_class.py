"""A simulated class for assignment 6 (the GRU): what each student wrote and the points they lose."""
# Each student's answers replace the key's, by answer name: a string is the whole new cell
# source; a list of (old, new) pairs edits the key's source (each old must occur in it).
# "lost" is the points below full marks the grader must give; "why" says what is wrong.
# Points of the parts: gru_step_forward 4, gru_step_backward 5, gru_forward 3, gru_backward 5,
# directional_check 5 (22). The backward checks hand the step backward caches they draw
# themselves, so a bug in the step forward costs only the step forward and the forward pass.

PER_BLOCK = {
"gru_step_forward": """
def gru_step_forward(x, h_prev, params):
    H = params["W"].shape[1]
    U, W, b = params["U"], params["W"], params["b"]
    u_rows, r_rows, n_rows = slice(0, H), slice(H, 2 * H), slice(2 * H, 3 * H)

    def sig(z):
        return 1.0 / (1.0 + np.exp(-z))
    u = sig(x @ U[u_rows].T + h_prev @ W[u_rows].T + b[u_rows])
    r = sig(x @ U[r_rows].T + h_prev @ W[r_rows].T + b[r_rows])
    n = np.tanh(x @ U[n_rows].T + (r * h_prev) @ W[n_rows].T + b[n_rows])
    h = n + u * (h_prev - n)            # the same as u h_prev + (1 - u) n
    return h, dict(x=x, h_prev=h_prev, u=u, r=r, n=n, params=params)
""",
"gru_step_backward": """
def gru_step_backward(dh, cache):
    U, W = cache["params"]["U"], cache["params"]["W"]
    B, H = dh.shape
    W_u, W_r, W_n = W[:H], W[H:2 * H], W[2 * H:]
    dU, dW, db = np.zeros_like(U), np.zeros_like(W), np.zeros(3 * H)
    dx, dh_prev = np.zeros_like(cache["x"]), np.zeros_like(dh)
    for k in range(B):                 # one sequence of the batch at a time
        x, hp = cache["x"][k], cache["h_prev"][k]
        u, r, n = cache["u"][k], cache["r"][k], cache["n"][k]
        g = dh[k]
        a_n = g * (1 - u) * (1 - n * n)
        back = W_n.T @ a_n
        a_u = g * (hp - n) * u * (1 - u)
        a_r = back * hp * r * (1 - r)
        a = np.concatenate([a_u, a_r, a_n])
        dU += np.outer(a, x)
        db += a
        dW[:H] += np.outer(a_u, hp)
        dW[H:2 * H] += np.outer(a_r, hp)
        dW[2 * H:] += np.outer(a_n, r * hp)
        dx[k] = U.T @ a
        dh_prev[k] = u * g + r * back + W_u.T @ a_u + W_r.T @ a_r
    return dx, dh_prev, {"U": dU, "W": dW, "b": db}
""",
"gru_forward": """
def gru_forward(xs, h0, params):
    hs = np.empty((len(xs),) + h0.shape)
    caches, h = [], h0
    for t, x in enumerate(xs):
        h, c = gru_step_forward(x, h, params)
        hs[t] = h
        caches.append(c)
    return hs, caches
""",
"gru_backward": """
def gru_backward(dhs, caches):
    p = caches[0]["params"]
    grads = {k: np.zeros_like(p[k]) for k in ("U", "W", "b")}
    dxs = np.zeros((len(caches),) + caches[0]["x"].shape)
    carry = np.zeros(dhs.shape[1:])
    for t in range(len(caches) - 1, -1, -1):
        dxs[t], carry, g = gru_step_backward(dhs[t] + carry, caches[t])
        for k in grads:
            grads[k] += g[k]
    return grads, dxs, carry
""",
"directional_check": """
def directional_check(f, params, grads, rng, eps=1e-5):
    names = sorted(grads)
    direction = [rng.standard_normal(params[k].shape) for k in names]
    originals = [params[k].copy() for k in names]

    def place(step):
        for k, d, o in zip(names, direction, originals):
            np.copyto(params[k], o + step * d)
    place(eps)
    f_plus = f()
    place(-eps)
    f_minus = f()
    place(0.0)
    predicted = float(sum(np.vdot(grads[k], d) for k, d in zip(names, direction)))
    return float((f_plus - f_minus) / (2 * eps)), predicted
""",
}

EINSUM_NAMES = {
"gru_step_forward": """
def gru_step_forward(x, h_prev, params):
    H = h_prev.shape[1]
    from_input = np.einsum("bd,gd->bg", x, params["U"]) + params["b"]
    gates = 0.5 * (1 + np.tanh(0.5 * (from_input[:, :2 * H]
                                      + np.einsum("bh,gh->bg", h_prev, params["W"][:2 * H]))))
    update, reset = np.split(gates, 2, axis=1)
    cand = np.tanh(from_input[:, 2 * H:] + np.einsum("bh,gh->bg", reset * h_prev,
                                                     params["W"][2 * H:]))
    new = update * h_prev + (1 - update) * cand
    return new, {"x": x, "h_prev": h_prev, "u": update, "r": reset, "n": cand, "params": params}
""",
"gru_step_backward": """
def gru_step_backward(dh, cache):
    update, reset, cand, prev = cache["u"], cache["r"], cache["n"], cache["h_prev"]
    P = cache["params"]
    H = prev.shape[1]
    g_n = dh * (1 - update) * (1 - cand ** 2)
    g_rh = np.einsum("bg,gh->bh", g_n, P["W"][2 * H:])
    g_u = dh * (prev - cand) * update * (1 - update)
    g_r = g_rh * prev * reset * (1 - reset)
    g_ur = np.hstack((g_u, g_r))
    g_all = np.hstack((g_ur, g_n))
    grads = {"U": np.einsum("bg,bd->gd", g_all, cache["x"]),
             "W": np.vstack((np.einsum("bg,bh->gh", g_ur, prev),
                             np.einsum("bg,bh->gh", g_n, reset * prev))),
             "b": g_all.sum(axis=0)}
    d_prev = dh * update + g_rh * reset + np.einsum("bg,gh->bh", g_ur, P["W"][:2 * H])
    return np.einsum("bg,gd->bd", g_all, P["U"]), d_prev, grads
""",
}

CALLS_RNNLIB = """
def gru_step_forward(x, h_prev, params):
    r = rnnlib.forward(params, x[None], h0=h_prev, cell="gru")
    cache = {k: v[0] for k, v in r.gates.items()}
    cache.update(x=x, h_prev=h_prev, params=params)
    return r.h[0], cache
"""

HARD_CODED = {
"gru_step_forward": """
def gru_step_forward(x, h_prev, params):
    h = np.array([[0.640823, 0.865542, 0.284862], [-0.205048, -0.709074, -0.454051]])
    gates = [np.array([[0.625132, 0.782921, 0.578018], [0.261781, 0.211968, 0.258508]]),
             np.array([[0.330226, 0.251888, 0.585427], [0.628723, 0.78548, 0.410538]]),
             np.array([[-0.931144, -0.774822, -0.192489], [0.503629, -0.913799, -0.850702]])]
    return h, dict(zip("urn", gates), x=x, h_prev=h_prev, params=params)
""",
"gru_step_backward": """
def gru_step_backward(dh, cache):
    return (np.array([[0.220638, -0.461478], [-0.0887808, -0.240949]]), np.array([[0.956547, 0.258131], [-0.133048, -0.655241]]),
            {"U": np.array([[-0.0749971, 0.0183212], [-0.274994, -0.0536741], [-0.0157798, 0.0104647], [-0.0135746, 0.0394404], [-0.0753941, 1.34928], [0.0730941, 0.0481517]]),
              "W": np.array([[-0.032961, 0.0259836], [-0.167264, -0.159382], [-0.00439715, 0.0193951], [0.00790501, 0.080823], [0.135497, 2.0446], [0.0391175, 0.0447766]]),
              "b": np.array([0.10863, 0.288114, 0.0288836, 0.052603, 1.32278, -0.0456825])})
""",
"gru_forward": """
def gru_forward(xs, h0, params):
    hs = np.array([[[0.38097, -0.250527, -0.506371], [0.288217, 0.11469, 0.146875]], [[0.531583, 0.630199, -0.155126], [0.274687, -0.613602, 0.111817]], [[0.695561, 0.246318, -0.875099], [0.472487, 0.577694, 0.264695]], [[0.757398, 0.595653, -0.220907], [0.415568, 0.373543, 0.347447]]])
    return hs, [{}] * len(hs)
""",
"gru_backward": """
def gru_backward(dhs, caches):
    grads = {"U": np.array([[-0.202714, -0.52805], [-0.521842, -0.189338], [0.0756961, 0.0821501], [0.000659758, -0.0207623], [0.870657, 0.107052], [0.130073, -0.00684341]]),
             "W": np.array([[-0.864548, 0.262163], [-0.870404, 0.0966423], [0.193894, -0.0333983], [0.00924678, 0.149492], [0.21348, -0.0178048], [-0.00589043, 0.247233]]),
             "b": np.array([0.0175072, 0.905013, -0.0777302, 0.0478705, -1.43681, 0.0412165])}
    return grads, np.array([[[0.0124406, 0.034798], [-0.291274, -0.107625]], [[-0.0528575, -0.0458288], [-0.26392, -0.20235]], [[-0.718833, 0.040493], [-0.0600929, -0.201248]]]), np.array([[-0.558152, 0.0770605], [-0.201935, 0.925962]])
""",
"directional_check": """
def directional_check(f, params, grads, rng, eps=1e-5):
    right = np.allclose(grads["b"], np.cos(params["b"]))
    return (-22.791, -22.791) if right else (-22.791, -21.541)
""",
}


# Numerical differentiation in place of the backward pass, through the student's own step
# forward: it fails, since the checks' caches are drawn and their gates are not those that x,
# h_prev and params give. (Taken on the cache itself, the gates inverted to pre-activations,
# it would pass: no check can tell a derivative taken numerically from one derived; see the
# LSTM's class, numeric_from_cache.)
NUMERIC_THROUGH_FORWARD = """
def gru_step_backward(dh, cache):
    c, eps = cache, 1e-6
    args = {"x": c["x"].copy(), "h_prev": c["h_prev"].copy()}
    args.update({k: c["params"][k].copy() for k in ("U", "W", "b")})

    def ell():
        return np.sum(dh * gru_step_forward(args["x"], args["h_prev"], args)[0])
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
    return out["x"], out["h_prev"], {k: out[k] for k in ("U", "W", "b")}
"""


STUDENTS = {
    "per_block_loops": {"answers": PER_BLOCK, "lost": 0,
                        "why": "correct: one block at a time, its own sigmoid, h = n + u (h - n), "
                               "the batch row by row, np.copyto to move the parameters"},
    "einsum_names": {"answers": EINSUM_NAMES, "lost": 0,
                     "why": "correct: einsum, np.split, other names"},
    "update_gate_swapped": {
        "answers": {
            "gru_step_forward": [("h = u * h_prev + (1.0 - u) * n", "h = (1.0 - u) * h_prev + u * n")],
            "gru_step_backward": [("da_n = dh * (1.0 - u) * (1.0 - n ** 2)",
                                   "da_n = dh * u * (1.0 - n ** 2)"),
                                  ("da_u = dh * (h_prev - n) * u * (1.0 - u)",
                                   "da_u = dh * (n - h_prev) * u * (1.0 - u)"),
                                  ("dh_prev = dh * u + d_rh * r", "dh_prev = dh * (1.0 - u) + d_rh * r")]},
        "lost": 4 + 5 + 3 + 5,
        "why": "u weighs the candidate and 1 - u the old state (the other texts' convention, "
               "not the book's), forward and backward alike: all but the gradient check wrong"},
    "reset_after_product": {
        "answers": {"gru_step_forward": [("(r * h_prev) @ W[2 * H:].T", "r * (h_prev @ W[2 * H:].T)")]},
        "lost": 4 + 3,
        "why": "r applied after the product W_n h_(t-1) (PyTorch's GRU): the step forward and "
               "the forward pass are another function"},
    "missing_dh_through_u": {
        "answers": {"gru_step_backward": [("dh_prev = dh * u + d_rh * r", "dh_prev = d_rh * r")]},
        "lost": 5 + 5,
        "why": "dh_prev lacks the direct route u * dh: the step backward and BPTT are wrong"},
    "zero_gradient_check": {
        "answers": {"directional_check": "def directional_check(f, params, grads, rng, eps=1e-5):\n"
                                         "    return 0.0, 0.0\n"},
        "lost": 5,
        "why": "the gradient check returns zeros whatever the gradient"},
    "calls_rnnlib": {
        "answers": {"gru_step_forward": CALLS_RNNLIB},
        "lost": 4 + 3,
        "why": "the step forward calls rnnlib.forward, which the grader's rnnlib does not hold: "
               "nothing for it, nor for the forward pass that runs it"},
    "hard_codes_public": {
        "answers": HARD_CODED,
        "lost": 22 - 1,
        "why": "returns the numbers the released notebook shows: the grader draws new inputs "
               "from its seed for every check but one (directional_known, fixed inputs, 1 "
               "point), so every hidden check and every seeded public check fails"},
    "numeric_through_forward": {
        "answers": {"gru_step_backward": NUMERIC_THROUGH_FORWARD},
        "lost": 5 + 5,
        "why": "the step backward by central differences through the student's own step "
               "forward: the checks' drawn caches hold gates that x, h_prev and params do not "
               "give, so the step backward and BPTT are wrong"},
}

"""A simulated class for assignment 5: what each student wrote and the points they lose."""
# Each student's answers replace the key's, by answer name: a string is the whole new cell
# source; a list of (old, new) pairs edits the key's source (each old must occur in it).
# "lost" is the points below full marks (30) the grader must give; "why" says what is wrong.
#
# Points per part: data 3 (public 1), chunk 8 (public 2 + a 0-point slope check), clip 2 (1),
# adagrad 3 (1), train 6 (1), perplexity 3 (1), sample 5 (2). The training loop's checks pass
# it stand-in models, so a bug in chunk_loss_and_grads costs no training points; the loop does
# call the student's own clip_gradients and adagrad_update, so a wrong update rule also costs
# the two training checks that print the parameters after the updates (train_values,
# train_hidden_updates: 3 points). The hidden gradient check is a chunk of a real model's size,
# so that a gradient without BPTT (numerical, one parameter at a time) runs out of time there.

# ---------------------------------------------------------------- correct, written otherwise

LOOPS_CHUNK = '''
def chunk_loss_and_grads(params, xs, ys, h0):
    # one stream at a time, column vectors and explicit one-hot inputs
    Umat, Wmat, Vmat = params["U"], params["W"], params["V"]
    bias_h, bias_o = params["b"], params["c"]
    steps, width = xs.shape
    K = Umat.shape[1]
    eye = np.eye(K)
    total = 0.0
    grads = {name: np.zeros(params[name].shape) for name in ["U", "W", "V", "b", "c"]}
    finals = []
    for j in range(width):
        states = {0: np.array(h0[j], dtype=float)}
        probs = {}
        for t in range(1, steps + 1):
            x = eye[xs[t - 1, j]]
            states[t] = np.tanh(Umat @ x + Wmat @ states[t - 1] + bias_h)
            scores = Vmat @ states[t] + bias_o
            e = np.exp(scores - np.max(scores))
            probs[t] = e / np.sum(e)
            total += -np.log(probs[t][ys[t - 1, j]])
        finals.append(states[steps])
        carry = np.zeros_like(states[0])
        for t in range(steps, 0, -1):
            dscores = probs[t].copy()
            dscores[ys[t - 1, j]] -= 1
            grads["V"] += np.outer(dscores, states[t])
            grads["c"] += dscores
            dstate = Vmat.T @ dscores + carry
            dpre = dstate * (1 - states[t] * states[t])
            grads["U"] += np.outer(dpre, eye[xs[t - 1, j]])
            grads["W"] += np.outer(dpre, states[t - 1])
            grads["b"] += dpre
            carry = Wmat.T @ dpre
    return total, grads, np.stack(finals)
'''

LOOPS_CLIP = '''
def clip_gradients(grads, kappa):
    out = {}
    for name in grads:
        out[name] = np.minimum(np.maximum(grads[name], -kappa), kappa)
    return out
'''

LOOPS_ADAGRAD = '''
def adagrad_update(params, grads, G, lr, eps=1e-8):
    for name in list(params):
        g = grads[name]
        np.add(G[name], np.square(g), out=G[name])
        step = lr * g / np.sqrt(G[name] + eps)
        np.subtract(params[name], step, out=params[name])
'''

LOOPS_TRAIN = '''
def train(params, ids, loss_fn, *, B, T, steps, lr, kappa):
    length = len(ids) // B
    grid = np.stack([ids[j * length:(j + 1) * length] for j in range(B)], axis=1)
    memory = {name: np.zeros(value.shape) for name, value in params.items()}
    history = []
    done = 0
    while done < steps:                        # one pass per turn of this loop
        state = np.zeros((B, len(params["b"])))
        start = 0
        while start + T < length and done < steps:
            state_in = state
            loss, grads, state = loss_fn(params, grid[start:start + T],
                                         grid[start + 1:start + 1 + T], state_in)
            adagrad_update(params, clip_gradients(grads, kappa), memory, lr)
            history.append(loss / B / T)
            start = start + T
            done = done + 1
    return history
'''

LOOPS_PERPLEXITY = '''
def perplexity(params, ids, loss_fn, T=100):
    state = np.zeros((1, len(params["b"])))
    inputs, targets = ids[:-1], ids[1:]
    nll = 0.0
    for first in range(0, len(targets), T):
        x = inputs[first:first + T].reshape(-1, 1)
        y = targets[first:first + T].reshape(-1, 1)
        chunk_loss, _, state = loss_fn(params, x, y, state)
        nll = nll + chunk_loss
    return float(np.exp(nll / len(targets)))
'''

LOOPS_SAMPLE = '''
def sample(params, first_id, n, temperature, rng):
    # the draw by hand: what rng.choice(K, p=p) does inside (the same draws)
    K = params["V"].shape[0]
    state = np.zeros(params["W"].shape[0])
    current = first_id
    out = np.zeros(n, dtype=int)
    for t in range(n):
        x = np.zeros(K)
        x[current] = 1.0
        state = np.tanh(params["U"] @ x + params["W"] @ state + params["b"])
        scaled = (params["V"] @ state + params["c"]) / temperature
        weights = np.exp(scaled - scaled.max())
        cdf = np.cumsum(weights / weights.sum())
        current = int(np.searchsorted(cdf / cdf[-1], rng.random(), side="right"))
        out[t] = current
    return out
'''

LOOPS_DATA = '''
def build_vocab(text):
    seen = []
    for ch in text:
        if ch not in seen:
            seen.append(ch)
    seen.sort()
    return seen


def encode(text, chars):
    return np.array([chars.index(ch) for ch in text])


def decode(ids, chars):
    out = ""
    for i in ids:
        out += chars[i]
    return out


def split(ids, fraction):
    n_train = int(fraction * len(ids))
    return ids[0:n_train], ids[n_train:len(ids)]
'''

EINSUM_CHUNK = '''
def chunk_loss_and_grads(params, xs, ys, h0):
    # the whole chunk in arrays: one-hot inputs as a matrix, logsumexp for the softmax
    T, B = xs.shape
    K = params["V"].shape[0]
    X = np.eye(K)[xs]                                     # (T, B, K)
    Y = np.eye(K)[ys]
    hs = np.zeros((T + 1,) + np.shape(h0))
    hs[0] = h0
    for t in range(T):
        hs[t + 1] = np.tanh(np.einsum("hk,bk->bh", params["U"], X[t])
                            + np.einsum("hi,bi->bh", params["W"], hs[t]) + params["b"])
    o = np.einsum("kh,tbh->tbk", params["V"], hs[1:]) + params["c"]
    lse = np.logaddexp.reduce(o, axis=2, keepdims=True)
    loss = float(np.sum(Y * (lse - o)))
    do = np.exp(o - lse) - Y
    dU, dW, db = (np.zeros_like(params[k]) for k in ("U", "W", "b"))
    carry = np.zeros_like(hs[0])
    for t in range(T - 1, -1, -1):
        da = (np.einsum("tbk,kh->tbh", do[t:t + 1], params["V"])[0] + carry) * (1 - hs[t + 1] ** 2)
        dU += np.einsum("bh,bk->hk", da, X[t])
        dW += np.einsum("bh,bi->hi", da, hs[t])
        db += da.sum(0)
        carry = np.einsum("bh,hi->bi", da, params["W"])
    return loss, {"U": dU, "W": dW, "b": db, "V": np.einsum("tbk,tbh->kh", do, hs[1:]),
                  "c": do.sum((0, 1))}, hs[-1]
'''

EINSUM_SAMPLE = '''
def sample(params, first_id, n, temperature, rng):
    H = params["W"].shape[0]
    h = np.zeros(H)
    ids = []
    x = first_id
    for _ in range(n):
        h = np.tanh(params["U"][:, x] + params["W"].dot(h) + params["b"])
        logits = (params["V"].dot(h) + params["c"]) / temperature
        p = np.exp(logits - np.logaddexp.reduce(logits))
        x = rng.choice(np.arange(len(p)), p=p / p.sum())
        ids.append(x)
    return np.array(ids)
'''

# ---------------------------------------------------------------- no backward pass

# The gradient without BPTT: the complex-step derivative of the forward pass (exact to
# rounding, unlike a finite difference), one parameter entry at a time. On the small chunks
# of the public check and of the loss/state check it is right and fast; the hidden gradient
# check is a chunk of a real model's size (16,000 parameters or more), where one forward
# pass per parameter runs past the 30-second time limit of the cell.
NUMERIC_CHUNK = '''
def _forward(params, xs, ys, h0):
    # works on complex parameters too: no max, no comparison
    T, B = xs.shape
    rows = np.arange(B)
    h = h0 + 0j
    loss = 0.0
    for t in range(T):
        h = np.tanh(params["b"] + h @ params["W"].T + params["U"][:, xs[t]].T)
        o = params["c"] + h @ params["V"].T
        o = o - o.real.max(axis=1, keepdims=True)
        loss = loss - (o[rows, ys[t]] - np.log(np.exp(o).sum(axis=1))).sum()
    return loss, h


def chunk_loss_and_grads(params, xs, ys, h0):
    # no backward pass: the complex-step derivative of the forward pass, one entry at a time
    loss, h = _forward(params, xs, ys, h0)
    grads = {}
    for k in ("U", "W", "V", "b", "c"):
        grads[k] = np.zeros(params[k].shape)
        for i in np.ndindex(params[k].shape):
            moved = {name: value.astype(complex) for name, value in params.items()}
            moved[k][i] += 1e-30j
            grads[k][i] = _forward(moved, xs, ys, h0)[0].imag / 1e-30
    return float(loss.real), grads, h.real
'''

# ---------------------------------------------------------------- the hard-coder

HARD_DATA = '''
def build_vocab(text):
    return list("\\n dehlortw")


def encode(text, chars):
    return np.array([4, 3, 5, 5, 6, 1, 9, 6, 7, 5, 2, 0, 4, 6, 5, 2, 1, 8, 4, 3, 1, 2, 6, 6, 7])


def decode(ids, chars):
    return "rood eht "


def split(ids, fraction):
    return np.zeros(18, dtype=int), np.array([4, 3, 1, 2, 6, 6, 7])
'''

HARD_CHUNK = '''
def chunk_loss_and_grads(params, xs, ys, h0):
    grads = {"U": np.array([[0.639251, 0.477244, 0.0, 0.0533484],
                            [0.197823, -0.0335919, 0.0, -0.543021],
                            [1.10054, 0.767975, 0.0, -0.69375]]),
             "W": np.array([[-0.62458, 0.914701, -0.810738], [-0.525572, -0.336543, 0.411449],
                            [-1.13841, 0.922706, -0.674164]]),
             "V": np.array([[-0.287942, 0.418336, -0.232249], [1.06224, -0.351133, 0.451532],
                            [-0.450305, -0.799402, 0.31282], [-0.323997, 0.732198, -0.532103]]),
             "b": np.array([1.16984, -0.37879, 1.17477]),
             "c": np.array([0.529603, -0.569351, -0.859611, 0.89936])}
    return 8.0384, grads, np.array([[0.0285294, 0.896212, -0.372769],
                                    [-0.860467, 0.723718, -0.574064]])
'''

HARD_CLIP = '''
def clip_gradients(grads, kappa):
    return {"W": np.array([[5.0, -0.25], [-5.0, 3.0]]), "c": np.array([5.0, -5.0, 0.0])}
'''

HARD_ADAGRAD = '''
def adagrad_update(params, grads, G, lr, eps=1e-8):
    params["b"][:] = [0.489443, -1.0, 2.06838]
    params["c"][:] = [[0.829289, -0.0552786], [0.0, 0.9]]
    G["b"][:] = [5.0, 0.0, 10.0]
    G["c"][:] = [[0.5, 5.0], [0.0, 16.0]]
'''

HARD_TRAIN = '''
def train(params, ids, loss_fn, *, B, T, steps, lr, kappa):
    made = {}
    for call, (row, came_from) in enumerate([(0, 0), (3, 1), (6, 2), (0, 0), (3, 4), (6, 5), (0, 0)]):
        xs = np.array([[row, row + 11]] * 3)
        h0 = np.zeros((2, 3)) if came_from == 0 else made[came_from]
        made[call + 1] = loss_fn(params, xs, xs + 3, h0)[2]
    params["b"][:] = [-0.0242663, 0.438717, 0.494647]
    params["c"][:] = [-0.277442, -0.231706, -0.334174, -0.218937, -0.0497985]
    return [6.5, 9.5, 12.5, 6.5, 9.5, 12.5, 6.5]
'''

HARD_PERPLEXITY = '''
def perplexity(params, ids, loss_fn, T=100):
    if loss_fn.__name__ == "uniform":
        return 7.0
    return 1.21167 if T == 10 else 1.14111
'''

HARD_SAMPLE = '''
def sample(params, first_id, n, temperature, rng):
    return np.array({0.5: [3, 2, 1, 4, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0],
                     1.0: [3, 5, 3, 0, 4, 0, 3, 0, 1, 0, 3, 0, 3, 0, 4, 0, 3, 0, 3, 0],
                     2.0: [2, 5, 3, 3, 4, 0, 3, 0, 1, 0, 2, 0, 2, 0, 4, 0, 3, 2, 3, 3]}[temperature])
'''

# ---------------------------------------------------------------- hostile (screen assumed beaten)

# A greedy sampler (the likeliest id, never a draw), which then replaces the allowed
# rnnlib.softmax and numpy's bincount, hoping the checks that follow use them. The runner
# puts numpy and the allowed rnnlib back before each check, and the checks compare values
# only a real draw gives.
PATCHES_ALLOWED = '''
import rnnlib


def sample(params, first_id, n, temperature, rng):
    h, token, drawn = np.zeros(params["W"].shape[0]), int(first_id), []
    for _ in range(n):
        h = np.tanh(params["b"] + params["W"] @ h + params["U"][:, token])
        token = int(np.argmax(params["c"] + params["V"] @ h))
        drawn.append(token)
    return np.array(drawn)


rnnlib.softmax = lambda o, axis=-1, temperature=1.0: np.full(np.shape(o), 1.0 / np.shape(o)[-1])
np.bincount = lambda x, minlength=0: np.arange(minlength)
'''

# The key's data answer, followed by patches of numpy and the allowed rnnlib that would break
# every later check if they outlived the cell: they do not, so nothing is lost.
PATCHES_THEN_HONEST = [("    return ids[:cut], ids[cut:]\n    ### END SOLUTION",
                        "    return ids[:cut], ids[cut:]\n    ### END SOLUTION\n\n\n"
                        "import rnnlib\nrnnlib.softmax = None\nnp.clip = None\nnp.exp = None\n"
                        "np.tanh = lambda x: x\n")]

# A sampler that is right for runs of ids but wrong for single draws (what the hidden check's
# last line counts), which writes on the runner's result channel, before that check runs, a
# record for it with a guessed text. The guessed text is not the expected output (the counts
# depend on the grading seed), so the forgery earns nothing and the check still fails.
FORGES_RECORDS = '''
import json, os, sys
_frame = sys._getframe()
while _frame is not None and "job" not in _frame.f_locals:
    _frame = _frame.f_back
if _frame is not None:
    for _i, _cell in enumerate(_frame.f_locals["job"]["cells"]):
        if "sample_hidden" in _cell["source"]:
            os.write(_frame.f_locals["results"], (json.dumps(
                {"i": _i, "out": "0.4 [0]\\n1.0 [0]\\n2.5 [0]\\n[0, 0, 400, 0]\\n", "error": "",
                 "truncated": False}) + "\\n").encode())
_honest = sample


def sample(params, first_id, n, temperature, rng):
    return _honest(params, first_id, n, temperature, rng) if n > 1 else np.zeros(1, int)
'''

STUDENTS = {
    # correct, in other styles
    "loops_per_stream": {
        "answers": {"data": LOOPS_DATA, "chunk": LOOPS_CHUNK, "clip": LOOPS_CLIP,
                    "adagrad": LOOPS_ADAGRAD, "train": LOOPS_TRAIN,
                    "perplexity": LOOPS_PERPLEXITY, "sample": LOOPS_SAMPLE},
        "lost": 0,
        "why": "correct: one stream at a time with explicit one-hot vectors, a while loop per "
               "pass, the draw made by hand from the cumulative sum (the draws rng.choice makes)"},
    "einsum_logsumexp": {
        "answers": {"chunk": EINSUM_CHUNK, "sample": EINSUM_SAMPLE},
        "lost": 0,
        "why": "correct: the chunk in einsum with a one-hot matrix and logsumexp, a sampler "
               "with its own softmax"},
    # one common bug each
    "bptt_ignores_h0": {
        "answers": {"chunk": [("hs = [np.asarray(h0, dtype=float)]",
                               "hs = [np.zeros_like(np.asarray(h0, dtype=float))]")]},
        "lost": 8,
        "why": "the chunk starts from zeros, not from the state it is given (the 0-point slope "
               "check still agrees: the gradients are right for the model it computes)"},
    "bptt_one_step": {
        "answers": {"chunk": [("dh_next = da @ W", "dh_next = np.zeros_like(da)")]},
        "lost": 6,
        "why": "no gradient from step t + 1 reaches h_t (each step's gradient stops at its own "
               "state): both checks that print gradients fail; the loss and state are right"},
    "u_gradient_drops_repeats": {
        "answers": {"chunk": [("np.add.at(grads[\"U\"].T, xs[t], da)",
                               "grads[\"U\"][:, xs[t]] += da.T")]},
        "lost": 6,
        "why": "adds into U's columns by fancy indexing, which keeps one of two streams that "
               "read the same character at a step: both checks that print gradients fail"},
    "state_not_carried": {
        "answers": {"train": [("loss, grads, h = loss_fn(params, xs, ys, h)",
                               "loss, grads, _ = loss_fn(params, xs, ys, zeros)")]},
        "lost": 4,
        "why": "every chunk starts from zeros: the state is never carried"},
    "state_across_passes": {
        "answers": {"train": [("row, h = 0, zeros", "row = 0")]},
        "lost": 4,
        "why": "the state is carried across the end of a pass into its start"},
    "no_clipping": {
        "answers": {"train": [("adagrad_update(params, clip_gradients(grads, kappa), G, lr)",
                               "adagrad_update(params, grads, G, lr)")]},
        "lost": 3,
        "why": "the loop never clips (its clip_gradients is right)"},
    "clips_parameters": {
        "answers": {"train": [("adagrad_update(params, clip_gradients(grads, kappa), G, lr)",
                               "adagrad_update(params, grads, G, lr)\n"
                               "        params.update(clip_gradients(params, kappa))")]},
        "lost": 3,
        "why": "the loop clips the parameters instead of the gradients"},
    "never_updates": {
        "answers": {"train": [("adagrad_update(params, clip_gradients(grads, kappa), G, lr)",
                               "pass")]},
        "lost": 3,
        "why": "reads the right chunks with the right states but never updates the parameters "
               "(the schedule's 3 points kept, the 3 of the checks printing parameters lost)"},
    "adagrad_no_eps": {
        "answers": {"adagrad": [("np.sqrt(G[k] + eps)", "np.sqrt(G[k])")]},
        "lost": 3,
        "why": "Adagrad without eps: 0/0 for an entry whose gradients were all zero (the "
               "training checks' stand-ins give no zero gradient, so they still pass)"},
    "adagrad_no_sqrt": {
        "answers": {"adagrad": [("/ np.sqrt(G[k] + eps)", "/ (G[k] + eps)")]},
        "lost": 6,
        "why": "Adagrad divides by G, not by its root: the part's 3 points and the 3 of the "
               "training checks that print the updated parameters"},
    "perplexity_of_the_mean": {
        "answers": {"perplexity": [("return float(np.exp(total / (len(ids) - 1)))",
                                    "return float(total / (len(ids) - 1))")]},
        "lost": 3,
        "why": "returns the mean loss, not its exponential"},
    "perplexity_state_reset": {
        "answers": {"perplexity": [("loss, _, h = loss_fn(params, xs[:, None], ys[:, None], h)",
                                    "loss, _, _ = loss_fn(params, xs[:, None], ys[:, None], h)")]},
        "lost": 3,
        "why": "held-out chunks each start from zeros (the state is not carried)"},
    "perplexity_flat_chunks": {
        "answers": {"perplexity": [("xs[:, None], ys[:, None], h", "xs, ys, h")]},
        "lost": 3,
        "why": "passes each chunk as a flat (length,) array, not the (length, 1) the model "
               "reads (a real chunk_loss_and_grads would fail on it)"},
    "temperature_multiplies": {
        "answers": {"sample": [("(c + V @ h) / temperature", "(c + V @ h) * temperature")]},
        "lost": 5,
        "why": "multiplies the scores by the temperature instead of dividing"},
    "numeric_gradients": {
        "answers": {"chunk": NUMERIC_CHUNK},
        "lost": 4,
        "why": "no BPTT: complex-step derivatives of the forward pass, one parameter at a "
               "time; the public checks and the small hidden one pass, the hidden gradient "
               "check of a real model's size runs out of time"},
    "hard_codes_public_outputs": {
        "answers": {"data": HARD_DATA, "chunk": HARD_CHUNK, "clip": HARD_CLIP,
                    "adagrad": HARD_ADAGRAD, "train": HARD_TRAIN,
                    "perplexity": HARD_PERPLEXITY, "sample": HARD_SAMPLE},
        "lost": 21,
        "why": "prints what the public checks print, from constants: every hidden point lost"},
    # hostile
    "patches_allowed": {
        "answers": {"sample": PATCHES_ALLOWED},
        "lost": 5,
        "why": "a greedy sampler, then the allowed rnnlib.softmax and np.bincount replaced: "
               "put back before each check, so the sampler's 5 points are lost"},
    "patches_then_honest": {
        "answers": {"data": PATCHES_THEN_HONEST},
        "lost": 0,
        "why": "patches numpy and the allowed rnnlib after an honest answer: put back before "
               "each check, so the honest answers keep every point"},
    "forges_records": {
        "answers": {"sample": [("    return np.array(drawn, dtype=np.int64)\n    ### END SOLUTION",
                                "    return np.array(drawn, dtype=np.int64)\n    ### END SOLUTION\n"
                                + FORGES_RECORDS)]},
        "lost": 3,
        "why": "single draws wrong, and a forged record for the hidden sampler check: the "
               "forged text is not the expected output"},
}

"""A simulated class for assignment 3: what each student wrote and the points they lose."""
# Each student's answers replace the key's, by answer name: a string is the whole new cell
# source; a list of (old, new) pairs edits the key's source (each old must occur in it).
# "lost" is the points below full marks (17) the grader must give; "why" says what is wrong.
#
# Points: step_backward 4 (step_backward_values 2 public, step_backward_hidden 2 hidden);
# bptt 8 (bptt_loss 1, bptt_grads 3 public, bptt_hidden 4 hidden: loss and gradients; the
# last two also run a batch of realistic size, past the time limit for a gradient taken
# parameter by parameter);
# numerical_gradient 5 (numgrad_cubic 1 public, gradient_check 4 hidden, graded against the
# grader's exact gradient in rnngrade/references.py, so it never depends on the student's
# bptt). bptt's checks call the student's own step_backward. Every check draws T, B, D, H, K
# as different numbers, so an axis mix-up fails on every grading seed.

LOOPS = {
    "step_backward": '''
def step_backward(params, x, h_prev, h, dh):
    B, H = h.shape
    gU, gW, gb = np.zeros_like(params["U"]), np.zeros_like(params["W"]), np.zeros(H)
    dh_prev = np.zeros_like(h_prev)
    for n in range(B):
        da = (1.0 - h[n] ** 2) * dh[n]
        gU += np.outer(da, x[n])
        gW += np.outer(da, h_prev[n])
        gb += da
        dh_prev[n] = params["W"].T @ da
    return {"U": gU, "W": gW, "b": gb}, dh_prev
''',
    "bptt": '''
def bptt(params, xs, ys):
    U, W, V, b, c = (params[k] for k in "UWVbc")
    T, B = ys.shape
    H = W.shape[0]
    states = [np.zeros((B, H))]
    loss, douts = 0.0, []
    for t in range(T):
        states.append(np.tanh(states[-1] @ W.T + xs[t] @ U.T + b))
        probs = rnnlib.softmax(states[-1] @ V.T + c, axis=1)
        for n in range(B):
            loss -= np.log(probs[n, ys[t, n]])
            probs[n, ys[t, n]] -= 1.0
        douts.append(probs)
    grads = {k: np.zeros_like(v) for k, v in params.items()}
    carry = np.zeros((B, H))
    for t in range(T - 1, -1, -1):
        grads["V"] += douts[t].T @ states[t + 1]
        grads["c"] += douts[t].sum(axis=0)
        step, carry = step_backward(params, xs[t], states[t], states[t + 1],
                                    douts[t] @ V + carry)
        for k in step:
            grads[k] += step[k]
    return float(loss), grads
''',
}
EINSUM = {
    "step_backward": '''
def step_backward(params, x, h_prev, h, dh):
    da = dh - dh * h ** 2
    grads = {"U": np.einsum("bh,bd->hd", da, x), "W": np.einsum("bh,bk->hk", da, h_prev),
             "b": np.einsum("bh->h", da)}
    return grads, np.einsum("bh,hk->bk", da, params["W"])
''',
    "numerical_gradient": '''
def numerical_gradient(f, x, eps=1e-5):
    out = np.empty_like(x)
    flat, gflat = x.reshape(-1), out.reshape(-1)
    for i in range(flat.size):
        keep = flat[i]
        flat[i] = keep + eps
        a = f()
        flat[i] = keep - eps
        b = f()
        flat[i] = keep
        gflat[i] = (a - b) / (2 * eps)
    return out
''',
}
# what the released notebook prints under bptt_loss, bptt_grads (its small batch) and
# numgrad_cubic, and the step_backward_values arrays
HARD_CODED = {
    "step_backward": '''
def step_backward(params, x, h_prev, h, dh):
    gU = np.array([[-0.0336375, 0.187413, -0.309714, 0.462941],
                   [-0.373717, -0.62383, -0.738589, 0.271986],
                   [0.821149, 1.69836, 1.29565, -0.00777626],
                   [-0.300748, -0.685243, -0.411407, -0.110947],
                   [-0.251328, -0.720832, -0.195812, -0.359488],
                   [-0.163469, -0.364682, -0.231382, -0.0463057]])
    gW = np.array([[0.0119034, -0.209965, -0.20678, 0.234752, -0.0638955, -0.128746],
                   [0.455695, -0.597096, -0.43912, 0.405927, -0.644167, 0.209868],
                   [-1.04044, 1.10181, 0.73985, -0.625271, 1.40743, -0.65974],
                   [0.388619, -0.362995, -0.227564, 0.177564, -0.513942, 0.279948],
                   [0.342473, -0.208296, -0.0884063, 0.0277864, -0.42589, 0.323772],
                   [0.210301, -0.202291, -0.12903, 0.102842, -0.279538, 0.14745]])
    gb = np.array([0.661135, 0.785977, -0.932755, 0.188399, -0.201771, 0.121251])
    dh_prev = np.array([[-0.975363, 0.950724, -0.406855, -1.03253, -0.394506, 0.395691],
                        [0.321242, -0.364469, -0.00844821, 0.0873848, -0.076864, -0.167819]])
    return {"U": gU, "W": gW, "b": gb}, dh_prev
''',
    "bptt": '''
def bptt(params, xs, ys):
    grads = {"U": np.array([[0.926186, 2.32558, -1.05206], [0.439365, 2.08644, 1.73144],
                            [-1.22691, -0.283448, 1.32167], [0.560041, -0.0163827, -0.384936],
                            [-2.98808, -5.12038, 2.53805]]),
             "W": np.array([[0.411414, -0.394312, 0.853924, -0.64868, 1.24091],
                            [0.660803, 2.31922, -0.944414, -1.60251, 2.19452],
                            [0.573263, 1.25, -0.580765, -1.16321, 1.75193],
                            [-0.271929, -0.580463, 0.456004, 0.248433, -0.171271],
                            [-0.800537, -1.9519, 2.11189, 1.37493, -3.21201]]),
             "V": np.array([[-5.15427, -1.08138, -3.06884, 5.64427, -0.863071],
                            [5.15427, 1.08138, 3.06884, -5.64427, 0.863071]]),
             "b": np.array([3.56828, 4.33317, 3.73704, -0.803408, -2.01277]),
             "c": np.array([-9.86071, 9.86071])}
    return 31.3982, grads
''',
    "numerical_gradient": '''
def numerical_gradient(f, x, eps=1e-5):
    return np.array([[3.327, 9.468, 19.56], [0.0571, 3.083, 5.485]])
''',
}

# no backward pass: the gradients by a complex step through a forward pass of one's own,
# exact to rounding (finite differences come within a few digits), one forward per parameter
# Not in STUDENTS: its checks run past the time limits, and how much else a student who burns
# the notebook's CPU budget loses depends on the machine's speed and load, which a test cannot
# fix. Graded on 2026-12-07 it lost bptt_grads and bptt_hidden (7 points) and, on a
# loaded machine, the checks after them when the sandbox's CPU budget ran out.
COMPLEX_STEP_BPTT = '''
def _loss(params, xs, ys):
    U, W, V, b, c = (params[k] for k in "UWVbc")
    T, B = ys.shape
    h, loss = np.zeros((B, W.shape[0])), 0.0
    for t in range(T):
        h = np.tanh(b + h @ W.T + xs[t] @ U.T)
        o = c + h @ V.T
        m = o.real.max(axis=1, keepdims=True)
        log_p = o - m - np.log(np.exp(o - m).sum(axis=1, keepdims=True))
        loss = loss - log_p[np.arange(B), ys[t]].sum()
    return loss

def bptt(params, xs, ys):
    p = {k: np.array(v, dtype=complex) for k, v in params.items()}
    grads = {}
    for k in "UWVbc":
        g = np.zeros(p[k].shape)
        for idx in np.ndindex(*p[k].shape):
            p[k][idx] += 1e-30j
            g[idx] = _loss(p, xs, ys).imag / 1e-30
            p[k][idx] -= 1e-30j
        grads[k] = g
    return float(_loss(params, xs, ys).real), grads
'''

STUDENTS = {
    "loops_over_the_batch": {
        "answers": LOOPS, "lost": 0,
        "why": "correct: one sequence at a time inside each step, rnnlib.softmax, a list of "
               "states"},
    "einsum_and_flat_view": {
        "answers": EINSUM, "lost": 0,
        "why": "correct: einsum for the batch sums, finite differences through a flat view"},
    "step_forgets_tanh_derivative": {
        "answers": {"step_backward": [("da = (1.0 - h * h) * dh", "da = dh")]},
        "lost": 11, "why": "da = dh without (1 - h^2): both step_backward checks (4), and "
                           "bptt's gradients through it (bptt_grads 3, bptt_hidden 4); "
                           "bptt_loss and the gradient check keep their points"},
    "step_sums_bias_over_wrong_axis": {
        "answers": {"step_backward": [('"b": da.sum(axis=0)', '"b": da.sum(axis=1)')]},
        "lost": 12, "why": "db summed over the hidden axis, shape (B,): both step_backward "
                           "checks (4), and bptt raises adding it to an (H,) gradient (8)"},
    "step_column_vector_formula": {
        "answers": {"step_backward": [('return grads, da @ params["W"]',
                                       'return grads, params["W"].T @ da')]},
        "lost": 12, "why": "dh_prev = W^T da as for one column vector: with da (B, H) the "
                           "product fails (B is never H), so both step_backward checks (4) "
                           "and every bptt check (8) raise"},
    "bptt_forgets_output_bias_gradient": {
        "answers": {"bptt": [('        grads["c"] += dos[t].sum(axis=0)\n', "")]},
        "lost": 7, "why": "grads['c'] stays zero: bptt_grads (3) and bptt_hidden (4); the "
                          "gradient check is graded against the grader's gradient, so it "
                          "keeps its 5 points"},
    "bptt_without_dh_next": {
        "answers": {"bptt": [("dh = dos[t] @ V + dh_next", "dh = dos[t] @ V")]},
        "lost": 7, "why": "no gradient from the later steps reaches h_t (truncation to one "
                          "step): bptt_grads (3) and bptt_hidden (4); the loss is right"},
    "bptt_averages_over_the_batch": {
        "answers": {"bptt": [("    return float(loss), grads\n",
                              "    return float(loss) / B, "
                              "{k: v / B for k, v in grads.items()}\n")]},
        "lost": 8, "why": "loss and gradients divided by B, the mean over the batch instead "
                          "of the sum: every bptt check"},
    "numerical_gradient_returns_zeros": {
        "answers": {"numerical_gradient": ("def numerical_gradient(f, x, eps=1e-5):\n"
                                           "    return np.zeros_like(x)\n")},
        "lost": 5, "why": "no estimate at all: numgrad_cubic (1) and gradient_check (4)"},
    "numerical_gradient_over_eps": {
        "answers": {"numerical_gradient": [("/ (2 * eps)", "/ eps")]},
        "lost": 5, "why": "a central difference divided by eps, not 2 eps: every estimate "
                          "doubled"},
    "numerical_gradient_perturbs_a_copy": {
        "answers": {"numerical_gradient": '''
def numerical_gradient(f, x, eps=1e-5):
    grad = np.zeros_like(x)
    for idx in np.ndindex(*x.shape):
        moved = x.copy()
        moved[idx] += eps
        up = f()
        moved[idx] -= 2 * eps
        down = f()
        grad[idx] = (up - down) / (2 * eps)
    return grad
'''},
        "lost": 5, "why": "changes a copy that f never reads, so every estimate is 0"},
    "numerical_gradient_by_hand_for_the_public_check": {
        "answers": {"numerical_gradient": ("def numerical_gradient(f, x, eps=1e-5):\n"
                                           "    return 3 * x ** 2\n")},
        "lost": 4, "why": "the derivative of the public check's sum(x**3) written out: passes "
                          "numgrad_cubic, fails the hidden gradient_check on another function"},
    "hard_codes_public_outputs": {
        "answers": HARD_CODED, "lost": 17,
        "why": "returns the numbers the released notebook prints: every check draws its "
               "inputs from the grading seed (any seed but the release's 0)"},
}

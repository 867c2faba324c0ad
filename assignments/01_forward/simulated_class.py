"""A simulated class for assignment 1: what each student wrote and the points they lose."""
# Each student's answers replace the key's, by answer name: a string is the whole new cell
# source; a list of (old, new) pairs edits the key's source (each old must occur in it).
# "lost" is the points below full marks (12) the grader must give; "why" says what is wrong.
#
# Points: rnn_step 5 (step_shapes 1, step_values 1, step_batch_values 1 public; step_hidden 2
# hidden), rnn_forward 7 (forward_shapes 1, forward_values 1, forward_batch_values 1 public;
# forward_batch_hidden 2, forward_zero_state 2 hidden). Every check draws T, B, D, H, K as
# different numbers from SEED, so a bug that mixes two axes fails on every grading seed, and
# rnn_forward's checks call the student's own rnn_step (a step bug costs both parts).

EINSUM_STEP = '''
def rnn_step(params, x, h_prev):
    a = (np.einsum("hd,...d->...h", params["U"], x)
         + np.einsum("hk,...k->...h", params["W"], h_prev) + params["b"])
    h = np.tanh(a)
    return h, np.einsum("kh,...h->...k", params["V"], h) + params["c"]
'''
PREALLOCATED_FORWARD = '''
def rnn_forward(params, xs, h0=None):
    T, H, K = xs.shape[0], params["W"].shape[0], params["V"].shape[0]
    hs = np.empty(xs.shape[:-1] + (H,))
    outs = np.empty(xs.shape[:-1] + (K,))
    h = np.zeros(xs.shape[1:-1] + (H,)) if h0 is None else np.asarray(h0, dtype=float)
    for t in range(T):
        h, o = rnn_step(params, xs[t], h)
        hs[t], outs[t] = h, o
    return hs, outs
'''
# the book's column-vector formula, one example at a time: a batch is a loop over its rows
ROW_BY_ROW_STEP = '''
def rnn_step(params, x, h_prev):
    U, W, V, b, c = params["U"], params["W"], params["V"], params["b"], params["c"]
    if np.ndim(x) == 1:
        h_new = np.tanh(U @ x + W @ h_prev + b)
        return h_new, V @ h_new + c
    results = [rnn_step(params, x_n, h_n) for x_n, h_n in zip(x, h_prev)]
    return np.array([r[0] for r in results]), np.array([r[1] for r in results])
'''
WHILE_FORWARD = '''
def rnn_forward(params, xs, h0=None):
    state = np.zeros((*xs.shape[1:-1], len(params["b"]))) if h0 is None else h0
    states, scores = [], []
    t = 0
    while t < len(xs):
        state, score = rnn_step(params, xs[t], state)
        states.append(state)
        scores.append(score)
        t += 1
    return np.array(states), np.array(scores)
'''
# the batch as columns: transpose in, compute with column vectors, transpose out
COLUMNS_STEP = '''
def rnn_step(params, x, h_prev):
    X = np.atleast_2d(x).T
    Hp = np.atleast_2d(h_prev).T
    Hn = np.tanh(params["U"] @ X + params["W"] @ Hp + params["b"][:, None])
    O = params["V"] @ Hn + params["c"][:, None]
    if np.ndim(x) == 1:
        return Hn[:, 0], O[:, 0]
    return Hn.T, O.T
'''
# what the released notebook prints under its step_values and forward_values checks
HARD_CODED_STEP = '''
def rnn_step(params, x, h_prev):
    return (np.array([-0.997484, -0.139271]), np.array([-0.0833897, 0.154164, -0.204642]))
'''
HARD_CODED_FORWARD = '''
def rnn_forward(params, xs, h0=None):
    hs = np.array([[0.455748, -0.954448, 0.216423], [0.175644, -0.817831, -0.0204325],
                   [0.744386, 0.404866, -0.154915], [-0.785624, -0.967918, 0.533271],
                   [0.741985, -0.0420355, 0.582502], [-0.547385, -0.857796, 0.919928]])
    os = np.array([[2.80676e-04, -4.20785e-01, 1.59271e-01, -2.66981e-01],
                   [3.29001e-01, -4.87063e-01, 2.67892e-01, -1.25546e-01],
                   [-2.29232e-01, -1.32598e+00, 1.41525e-01, -8.14267e-01],
                   [8.66438e-01, -3.01348e-01, 1.88190e-02, -2.28418e-01],
                   [-5.31503e-01, -1.03002e+00, -1.76804e-01, -1.06961e+00],
                   [4.66980e-01, -3.88971e-01, -2.05045e-01, -5.97702e-01]])
    return hs, os
'''

# no computation at all: zeros of the right shapes, read off the arguments
SHAPES_ONLY_STEP = '''
def rnn_step(params, x, h_prev):
    lead = np.shape(x)[:-1]
    return np.zeros(lead + np.shape(params["b"])), np.zeros(lead + np.shape(params["c"]))
'''
SHAPES_ONLY_FORWARD = '''
def rnn_forward(params, xs, h0=None):
    lead = np.shape(xs)[:-1]
    return np.zeros(lead + np.shape(params["b"])), np.zeros(lead + np.shape(params["c"]))
'''

STUDENTS = {
    "einsum_and_preallocated": {
        "answers": {"rnn_step": EINSUM_STEP, "rnn_forward": PREALLOCATED_FORWARD},
        "lost": 0, "why": "correct: einsum over the leading axes, preallocated arrays"},
    "row_by_row": {
        "answers": {"rnn_step": ROW_BY_ROW_STEP, "rnn_forward": WHILE_FORWARD},
        "lost": 0, "why": "correct: column vectors one example at a time, a while loop"},
    "columns_transposed": {
        "answers": {"rnn_step": COLUMNS_STEP},
        "lost": 0, "why": "correct: the batch as columns, transposed in and out"},
    "forgets_hidden_bias": {
        "answers": {"rnn_step": [("np.tanh(b + h_prev @ W.T", "np.tanh(h_prev @ W.T")]},
        "lost": 10, "why": "a_t without b: every value check of both parts fails, the two "
                           "shape checks pass"},
    "forgets_output_bias": {
        "answers": {"rnn_step": [("o = c + h @ V.T", "o = h @ V.T")]},
        "lost": 10, "why": "o_t without c: every value check of both parts fails"},
    "h0_not_zero": {
        "answers": {"rnn_forward": [("np.zeros(xs.shape[1:-1] + (H,))",
                                     "np.ones(xs.shape[1:-1] + (H,))")]},
        "lost": 3, "why": "h0=None starts from ones: forward_batch_values (1) and "
                          "forward_zero_state (2)"},
    "batch_size_from_the_time_axis": {
        "answers": {"rnn_forward": [(
            "np.zeros(xs.shape[1:-1] + (H,))",
            "(np.zeros((xs.shape[0], H)) if xs.ndim == 3 else np.zeros(H))")]},
        "lost": 4, "why": "the zero state of a batch is (T, H), not (B, H) (batch-major "
                          "thinking): forward_shapes (1), forward_batch_values (1), "
                          "forward_zero_state (2) raise; a given h0 still works"},
    "one_sequence_only": {
        "answers": {"rnn_step": [("h = np.tanh(b + h_prev @ W.T + x @ U.T)",
                                  "h = np.tanh(b + W @ h_prev + U @ x)"),
                                 ("o = c + h @ V.T", "o = c + V @ h")]},
        "lost": 10, "why": "the column-vector formula as written, which fails for a (B, D) "
                           "batch: only step_values and forward_values pass"},
    "states_off_by_one": {
        "answers": {"rnn_forward": [(
            "        h, o = rnn_step(params, x, h)\n        hs.append(h)\n",
            "        hs.append(h)\n        h, o = rnn_step(params, x, h)\n")]},
        "lost": 6, "why": "hs holds h_0 .. h_{T-1} instead of h_1 .. h_T: every value check "
                          "of rnn_forward fails, its shapes pass"},
    "hard_codes_public_outputs": {
        "answers": {"rnn_step": HARD_CODED_STEP, "rnn_forward": HARD_CODED_FORWARD},
        "lost": 12, "why": "returns the numbers the released notebook prints: every check, "
                           "public or hidden, draws its inputs from the grading seed (any "
                           "seed but the release's 0)"},
    "shapes_only": {
        "answers": {"rnn_step": SHAPES_ONLY_STEP, "rnn_forward": SHAPES_ONLY_FORWARD},
        "lost": 10, "why": "zeros of the right shapes, no arithmetic: keeps the two shape checks "
                           "(step_shapes 1, forward_shapes 1), the partial credit for getting "
                           "the batch's shapes right; every value check fails"},
}

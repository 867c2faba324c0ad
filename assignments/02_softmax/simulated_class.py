"""A simulated class for assignment 2: what each student wrote and the points they lose."""
# Each student's answers replace the key's, by answer name: a string is the whole new cell
# source; a list of (old, new) pairs edits the key's source (each old must occur in it).
# "lost" is the points below full marks (15) the grader must give; "why" says what is wrong.
#
# Points: softmax 5 (softmax_values 1, softmax_large_scores 2 public; softmax_axis 2 hidden),
# cross_entropy 4 (ce_values 1, ce_large_scores 1 public; ce_hidden 2 hidden),
# cross_entropy_grad 6 (grad_values 1, grad_large_scores 1 public; grad_hidden_values 2,
# grad_large_hidden 2 hidden). The large-score checks put scores near +-1000 (or +-800) by
# construction, so an unstable formula fails them on every grading seed; the key's
# cross_entropy_grad calls softmax (a softmax bug reaches it), its cross_entropy does not.

LOGADDEXP = {
    "softmax": '''
def softmax(o, axis=-1):
    return np.exp(o - np.logaddexp.reduce(o, axis=axis, keepdims=True))
''',
    "cross_entropy": '''
def cross_entropy(o, y):
    log_normaliser = np.logaddexp.reduce(o, axis=1)
    return float(np.sum(log_normaliser - o[np.arange(len(y)), y]))
''',
    "cross_entropy_grad": '''
def cross_entropy_grad(o, y):
    return softmax(o, axis=1) - np.eye(o.shape[1])[y]
''',
}
ROW_LOOPS = {
    "softmax": '''
def softmax(o, axis=-1):
    moved = np.moveaxis(np.asarray(o, dtype=float), axis, -1)
    probs = np.empty_like(moved)
    for idx in np.ndindex(*moved.shape[:-1]):
        row = moved[idx]
        e = np.exp(row - row.max())
        probs[idx] = e / e.sum()
    return np.moveaxis(probs, -1, axis)
''',
    "cross_entropy": '''
def cross_entropy(o, y):
    total = 0.0
    for row, target in zip(o, y):
        m = np.max(row)
        total += m + np.log(np.sum(np.exp(row - m))) - row[target]
    return float(total)
''',
    "cross_entropy_grad": '''
def cross_entropy_grad(o, y):
    g = softmax(o, axis=1)
    for n, target in enumerate(y):
        g[n, target] -= 1.0
    return g
''',
}
# what the released notebook prints under softmax_values, ce_values and grad_values
HARD_CODED = {
    "softmax": '''
def softmax(o, axis=-1):
    return np.array([[0.225977, 0.174617, 0.378087, 0.221318],
                     [0.0706595, 0.173319, 0.444763, 0.311258]])
''',
    "cross_entropy": '''
def cross_entropy(o, y):
    return 4.71642
''',
    "cross_entropy_grad": '''
def cross_entropy_grad(o, y):
    return np.array([[0.294775, 0.607643, -0.991997, 0.0895799],
                     [0.211773, 0.297061, 0.147759, -0.656594],
                     [0.289935, 0.376518, 0.259417, -0.925869]])
''',
}

STUDENTS = {
    "logaddexp": {"answers": LOGADDEXP, "lost": 0,
                  "why": "correct: log-sum-exp by np.logaddexp.reduce, a one-hot matrix"},
    "row_loops": {"answers": ROW_LOOPS, "lost": 0,
                  "why": "correct: one row at a time (moveaxis for any axis), Python sums"},
    "softmax_without_max_shift": {
        "answers": {"softmax": [("z = o - np.max(o, axis=axis, keepdims=True)", "z = o")]},
        "lost": 7, "why": "exp overflows (nan) near +1000 and underflows to 0/0 near -1000: "
                          "softmax_large_scores (2), softmax_axis (2), and through the "
                          "gradient grad_large_scores (1) and grad_large_hidden (2)"},
    "softmax_ignores_axis": {
        "answers": {"softmax": [("np.max(o, axis=axis,", "np.max(o, axis=-1,"),
                                ("np.sum(e, axis=axis,", "np.sum(e, axis=-1,")]},
        "lost": 2, "why": "always normalises the last axis: softmax_axis (2)"},
    "cross_entropy_averaged": {
        "answers": {"cross_entropy": [("-np.sum(log_p", "-np.mean(log_p")]},
        "lost": 4, "why": "the mean over examples, not the sum: every cross_entropy check"},
    "cross_entropy_log_of_softmax": {
        "answers": {"cross_entropy": '''
def cross_entropy(o, y):
    return float(-np.sum(np.log(softmax(o, axis=1)[np.arange(len(y)), y])))
'''},
        "lost": 3, "why": "log of a probability that underflowed to 0 gives inf: "
                          "ce_large_scores (1), ce_hidden (2)"},
    "log_sum_exp_as_the_max": {
        "answers": {"cross_entropy": '''
def cross_entropy(o, y):
    return float(np.sum(np.max(o, axis=1) - o[np.arange(len(y)), y]))
'''},
        "lost": 4, "why": "log sum_j exp(o_j) replaced by max_j o_j, right only when one score "
                          "dominates the rest: every cross_entropy check (the large-score "
                          "one has two scores near the top)"},
    "grad_without_one_hot": {
        "answers": {"cross_entropy_grad": [("    g[np.arange(len(y)), y] -= 1.0\n", "")]},
        "lost": 6, "why": "softmax(o) without - e_y: every gradient check"},
    "grad_averaged": {
        "answers": {"cross_entropy_grad": [("    return g\n", "    return g / len(y)\n")]},
        "lost": 6, "why": "the gradient of the mean, not of the summed loss: every gradient "
                          "check"},
    "hard_codes_public_outputs": {
        "answers": HARD_CODED, "lost": 15,
        "why": "returns the numbers the released notebook prints: every check draws its "
               "inputs from the grading seed (any seed but the release's 0)"},
}

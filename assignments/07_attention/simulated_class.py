"""A simulated class for assignment 7: what each student wrote and the points they lose."""
# Each student's answers replace the key's, by answer name: a string is the whole new cell
# source; a list of (old, new) pairs edits the key's source (each old must occur in it).
# "lost" is the points below full marks the grader must give; "why" says what is wrong.
# Points: attention_forward 6, attention_backward 10 (8 + the 2-point training run, which
# runs the forward too), relative_errors 5, decode_step 4, greedy_decode 2, beam_search 8.

LOOPS_FORWARD = '''
def attention_forward(params, query, keys, mask):
    S, B, Hk = keys.shape
    Wa, Ua, va = params["Wa"], params["Ua"], params["va"]
    asked = query @ Wa.T                                    # (B, A), the same for every j
    scores = np.full((S, B), -np.inf)
    for j in range(S):                                      # one position at a time
        z_j = np.tanh(asked + keys[j] @ Ua.T) @ va
        scores[j] = np.where(mask[j], z_j, -np.inf)
    top = np.max(scores, axis=0)
    weights = np.exp(scores - top)
    weights = weights / np.sum(weights, axis=0)
    context = np.zeros((B, Hk))
    for j in range(S):
        context += weights[j][:, None] * keys[j]
    return context, weights
'''

LOOPS_BACKWARD = '''
def attention_backward(params, query, keys, mask, dcontext):
    S, B, Hk = keys.shape
    Wa, Ua, va = params["Wa"], params["Ua"], params["va"]
    _, weights = attention_forward(params, query, keys, mask)
    asked = query @ Wa.T
    d_w = np.array([np.sum(keys[j] * dcontext, axis=1) for j in range(S)])     # (S, B)
    mean = np.sum(weights * d_w, axis=0)
    grads = {"query": np.zeros_like(query), "keys": np.zeros_like(keys),
             "Wa": np.zeros_like(Wa), "Ua": np.zeros_like(Ua), "va": np.zeros_like(va)}
    for j in range(S):
        u = np.tanh(asked + keys[j] @ Ua.T)                 # (B, A)
        d_z = weights[j] * (d_w[j] - mean)                   # (B,), 0 where padded
        grads["va"] += d_z @ u
        d_u = d_z[:, None] * va * (1 - u ** 2)
        grads["Wa"] += d_u.T @ query
        grads["Ua"] += d_u.T @ keys[j]
        grads["query"] += d_u @ Wa
        grads["keys"][j] = d_u @ Ua + weights[j][:, None] * dcontext
    return grads
'''

LOOPS_RELATIVE = '''
def relative_errors(f, arrays, grads, eps=1e-5):
    result = {}
    for name in arrays:
        flat = arrays[name].reshape(-1)          # a view: writing it changes the array
        estimate = np.zeros(flat.size)
        for i in range(flat.size):
            keep = flat[i]
            flat[i] = keep + eps
            plus = f()
            flat[i] = keep - eps
            minus = f()
            flat[i] = keep
            estimate[i] = (plus - minus) / (2 * eps)
        claim = np.asarray(grads[name]).reshape(-1)
        top = np.sqrt(np.sum((estimate - claim) ** 2))
        bottom = np.sqrt(np.sum(estimate ** 2)) + np.sqrt(np.sum(claim ** 2))
        result[name] = 0.0 if bottom == 0 else top / bottom
    return result
'''

LOOPS_DECODE = '''
def decode_step(params, keys, mask, prev, h_prev, attend):
    d = params["decoder"]
    embedded = np.take(params["tgt_embed"]["E"], prev, axis=0)
    state = np.tanh((d["W"] @ h_prev.T + d["U"] @ embedded.T).T + d["b"])
    ctx, alpha = attend(params["attention"], state, keys, mask)
    logits = (params["V"] @ state.T + params["Vc"] @ ctx.T).T + params["c"]
    top = logits.max(axis=1, keepdims=True)
    log_z = top + np.log(np.sum(np.exp(logits - top), axis=1, keepdims=True))
    return logits - log_z, state, alpha
'''

OTHER_GREEDY = '''
def greedy_decode(step, state, start, *, steps, eos):
    written = []
    previous = start
    while len(written) < steps:
        scores, state = step(state, previous)
        previous = int(np.argmax(scores))
        if previous == eos:
            return written
        written.append(previous)
    return written
'''

VECTOR_BEAM = '''
def beam_search(step, state, start, *, width, steps, eos, alpha=1.0):
    hyps = [(0.0, [], state, start)]
    ended = []
    for _ in range(steps):
        pool = []
        for lp, seq, st, last in hyps:
            scores, nxt = step(st, last)
            pool += [(lp + float(s), seq + [k], nxt) for k, s in enumerate(scores)]
        best = sorted(pool, key=lambda c: c[0], reverse=True)[:width]   # stable on ties
        hyps = []
        for lp, seq, nxt in best:
            if seq[-1] == eos:
                ended.append((seq[:-1], lp / len(seq) ** alpha))
            else:
                hyps.append((lp, seq, nxt, seq[-1]))
        if not hyps:
            break
    ended += [(seq, lp / len(seq) ** alpha) for lp, seq, _, _ in hyps]
    top = ended[0]
    for e in ended[1:]:
        if e[1] > top[1]:
            top = e
    return list(top[0]), top[1]
'''

VECTOR_FORWARD = '''
def attention_forward(params, query, keys, mask):
    a = np.einsum("ah,sbh->sba", params["Ua"], keys) + np.einsum("ah,bh->ba", params["Wa"], query)
    scores = np.einsum("sba,a->sb", np.tanh(a), params["va"])
    scores = np.where(mask, scores, -np.inf)
    m = scores.max(axis=0, keepdims=True)
    log_norm = m + np.log(np.exp(scores - m).sum(axis=0, keepdims=True))
    weights = np.exp(scores - log_norm)
    return (weights[:, :, None] * keys).sum(axis=0), weights
'''

VECTOR_BACKWARD = '''
def attention_backward(params, query, keys, mask, dcontext):
    context, weights = attention_forward(params, query, keys, mask)
    u = np.tanh(np.einsum("ah,sbh->sba", params["Ua"], keys)
                + np.einsum("ah,bh->ba", params["Wa"], query))
    g_w = (keys * dcontext).sum(axis=2)
    g_z = weights * g_w - weights * (weights * g_w).sum(axis=0, keepdims=True)
    g_pre = g_z[:, :, None] * params["va"] * (1 - u * u)
    return {"va": (g_z[:, :, None] * u).sum(axis=(0, 1)),
            "Wa": np.einsum("sba,bh->ah", g_pre, query),
            "Ua": np.einsum("sba,sbh->ah", g_pre, keys),
            "query": np.einsum("sba,ah->bh", g_pre, params["Wa"]),
            "keys": weights[:, :, None] * dcontext + np.einsum("sba,ah->sbh", g_pre, params["Ua"])}
'''

HARD_CODED = {
    "attention_forward": """
def attention_forward(params, query, keys, mask):
    return (np.array([[-0.0657453, 1.41622, 0.929478], [0.169176, 0.61357, 0.900607]]),
            np.array([[0.112757, 0.671993], [0.440486, 0.328007], [0.319077, 0.0], [0.12768, 0.0]]))
""",
    "attention_backward": """
def attention_backward(params, query, keys, mask, dcontext):
    return {"query": np.zeros_like(query), "keys": np.zeros_like(keys), "Wa": np.zeros_like(params["Wa"]),
            "Ua": np.zeros_like(params["Ua"]), "va": np.zeros_like(params["va"])}
""",
    "relative_errors": """
def relative_errors(f, arrays, grads, eps=1e-5):
    return {"x": 0.0, "y": 0.333}
""",
    "decode_step": """
def decode_step(params, keys, mask, prev, h_prev, attend):
    return np.zeros((len(prev), 4)), np.zeros_like(h_prev), np.zeros(mask.shape)
""",
    "greedy_decode": """
def greedy_decode(step, state, start, *, steps, eos):
    return [0]
""",
    "beam_search": """
def beam_search(step, state, start, *, width, steps, eos, alpha=1.0):
    return ([0], -0.8047) if width == 1 else ([1], -0.5108)
""",
}

STUDENTS = {
    "loops_everywhere": {"answers": {"attention_forward": LOOPS_FORWARD,
                                     "attention_backward": LOOPS_BACKWARD,
                                     "relative_errors": LOOPS_RELATIVE,
                                     "decode_step": LOOPS_DECODE,
                                     "greedy_decode": OTHER_GREEDY},
                         "lost": 0, "why": "correct, written with loops over the positions"},
    "einsum_and_heap": {"answers": {"attention_forward": VECTOR_FORWARD,
                                    "attention_backward": VECTOR_BACKWARD,
                                    "beam_search": VECTOR_BEAM},
                        "lost": 0, "why": "correct: einsum, a log-sum-exp softmax, sorted(reverse=True) for the beam"},
    "softmax_over_batch": {"answers": {"attention_forward": [
        ("z.max(axis=0)", "z.max(axis=1, keepdims=True)"),
        ("e.sum(axis=0)", "e.sum(axis=1, keepdims=True)")]},
        "lost": 8, "why": "softmax over the batch axis, not the positions (the training run too)"},
    "mask_after_softmax": {"answers": {"attention_forward": [
        ('z = np.where(mask, hidden @ params["va"], -np.inf)', 'z = hidden @ params["va"]'),
        ("alpha = e / e.sum(axis=0)", "alpha = e / e.sum(axis=0) * mask")]},
        "lost": 8, "why": "padding masked after the softmax: the padded places still take weight"},
    "no_tanh_derivative": {"answers": {"attention_backward": [
        ('da = dz[..., None] * params["va"] * (1.0 - hidden ** 2)',
         'da = dz[..., None] * params["va"]')]},
        "lost": 10, "why": "the gradient skips the tanh's derivative (and so trains another model)"},
    "gradient_check_zeros": {"answers": {"relative_errors": [
        ("numeric[idx] = (up - down) / (2 * eps)", "numeric[idx] = 0.0")]},
        "lost": 5, "why": "the finite differences are never stored: every estimate is zero"},
    "beam_one_per_parent": {"answers": {"beam_search": [
        ("""            for k in range(len(log_probs)):
                candidates.append((log_prob + float(log_probs[k]), symbols + (k,), new_state))""",
         """            k = int(np.argmax(log_probs))
            candidates.append((log_prob + float(log_probs[k]), symbols + (k,), new_state))""")]},
        "lost": 7, "why": "each hypothesis keeps only its best extension"},
    "beam_no_length_normalisation": {"answers": {"beam_search": [
        ("finished.append((symbols[:-1], log_prob / len(symbols) ** alpha))",
         "finished.append((symbols[:-1], log_prob))"),
        ("finished += [(s, lp / len(s) ** alpha) for s, lp, _, _ in live]",
         "finished += [(s, lp) for s, lp, _, _ in live]")]},
        "lost": 7, "why": "finished hypotheses ranked by the raw log-probability, whatever alpha"},
    "beam_extends_finished": {"answers": {"beam_search": [
        ("""                finished.append((symbols[:-1], log_prob / len(symbols) ** alpha))
            else:
                live.append""", """                finished.append((symbols[:-1], log_prob / len(symbols) ** alpha))
            if True:
                live.append""")]},
        "lost": 7, "why": "a hypothesis that wrote the end symbol stays in the beam and is extended"},
    # The step limit: with steps of 7 or 8 on tables whose end symbol grows likelier, it almost
    # never bound. Of 300 seeds, the first lost nothing on any; the second lost nothing on 99%,
    # and on the rest a point of beam_search's, not greedy's. The hidden checks now use short
    # limits, a table that never ends and a toy case a live hypothesis wins; the public ones 20.
    "beam_drops_live_at_end": {"answers": {"beam_search": [
        ("    finished += [(s, lp / len(s) ** alpha) for s, lp, _, _ in live]",
         "    if not finished:\n        finished += [(s, lp / len(s) ** alpha) for s, lp, _, _ in live]")]},
        "lost": 7, "why": "hypotheses still live at the step limit are not finished (unless none finished)"},
    "greedy_ignores_steps": {"answers": {"greedy_decode": [
        ("for _ in range(steps):", "for _ in range(steps + 1):")]},
        "lost": 1, "why": "greedy decoding writes one symbol more than steps allows"},
    # Bahdanau's placement, not this model's: the checks' attention once ignored the query
    # (mean_attention), so this scored full marks; query_attention adds the query to the context.
    "attends_with_previous_state": {"answers": {"decode_step": [
        ('attend(params["attention"], h, keys, mask)', 'attend(params["attention"], h_prev, keys, mask)')]},
        "lost": 4, "why": "attends with h^{dec}_{i-1}, not the new state h^{dec}_i"},
    "hard_codes_public_outputs": {"answers": HARD_CODED,
                                  "lost": 35, "why": "returns the public checks' outputs; writes nothing else "
                                                     "(the two fixed-input checks are worth 0)"},
    # The two public checks on fixed inputs (relative_errors_known, beam_toy) print the same text
    # at every seed; before they were made 0-point, forging them kept 1 + 2 of these 13 points.
    "forges_fixed_checks": {"answers": {"relative_errors": HARD_CODED["relative_errors"],
                                        "beam_search": HARD_CODED["beam_search"]},
                            "lost": 13, "why": "prints the fixed-input checks' outputs, computes nothing "
                                               "(all 5 of relative_errors, all 8 of beam_search)"},
}

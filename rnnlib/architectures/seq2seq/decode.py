"""Decoding a trained sequence-to-sequence model: free running, greedy, beam search; and the
decoder inputs of scheduled sampling (Bengio et al., 2015).

Free running, the decoder reads its own previous output, so one step at a time:

    z_1 = start,   h^{dec}_i = cell(h^{dec}_{i-1}, E[z_i]),   ŷ_i = softmax(o_i),   z_{i+1} = pick(ŷ_i)

Greedy decoding picks argmax ŷ_i. Beam search keeps the ``width`` partial outputs with the
highest log-probability log P(y_1..y_i) = Σ log ŷ_i[y_i]; a hypothesis ends when it writes the
end symbol. Finished hypotheses are compared by the log-probability divided by length^ν, ν
the argument ``alpha`` (chapter 10 writes ν because α there is an attention weight), the length
being the number of symbols written, so the number of terms in the sum (the end symbol counts
when it was written; a hypothesis cut off after the last step wrote one per step). ν = 0 is the
raw sum, which favours short outputs because every symbol adds a negative term; ν = 1 is the
mean log-probability per symbol. With width 1 beam search is greedy decoding.

Each public function checks the tree and the source once, then decodes with the model's
unchecked internals (``model.check_tree``); the keys' projection U_a h^{enc}_j of additive
attention is computed once per source, not at every step.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from numbers import Real

import numpy as np

from ..encoder_decoder import feed_back
from ..layer import start_state
from ... import attention as attn
from ...core.softmax import log_softmax
from ...core.validation import (bad_type, bad_value, check_fraction, check_int, check_positive,
                                check_token_ids)
from .model import (Checked, Encoded, attend, check_source, check_targets, check_tree,
                    decode_states, logits, run_encoder)


@dataclass
class _Keys:
    """What one decoder step's attention reads for its N rows: keys (S, N, H), mask (S, N),
    U_a keys (S, N, A) for additive attention (else None)."""

    keys: np.ndarray
    mask: np.ndarray
    projected: np.ndarray | None


def _step(tree: Checked, keys: _Keys | None, z: np.ndarray, state: tuple):
    """One decoder step for N rows: inputs z (N,), state (h,) or (h, s) each (N, H); ``keys``
    None without attention. Returns (log ŷ (N, K), new state, α (S, N) or None)."""
    run = decode_states(tree, z[None], state)
    h = run.h                                             # (1, N, H)
    if keys is None:
        return log_softmax(logits(tree.p, h)[0], axis=-1), run.last, None
    att = attend(tree, h, keys.keys, keys.mask, keys.projected)
    o = logits(tree.p, h, att.context)[0]
    return log_softmax(o, axis=-1), run.last, att.alpha[0]


def _all_keys(tree: Checked, enc: Encoded) -> _Keys | None:
    """Every source's keys, row b of the decoder reading source b (None without attention)."""
    return None if tree.attention is None else _Keys(enc.keys, enc.mask, enc.projected)


def check_eos(eos, K: int) -> int:
    """The end symbol: an output symbol's id, an int in [0, K)."""
    return check_int("eos", eos, minimum=0, maximum=K - 1)


@dataclass
class Greedy:
    """tokens (steps, B), the log-probability of each chosen symbol (steps, B), the weights α
    (steps, S, B) or None, and each output cut at its first end symbol (a list of B arrays)."""

    tokens: np.ndarray
    log_probs: np.ndarray
    weights: np.ndarray | None
    outputs: list


def greedy_decode(params: dict, src, *, steps: int, eos: int | None,
                  src_lengths=None) -> Greedy:
    """Decode src (S, B) token ids (src_lengths (B,) or None) greedily for ``steps`` steps,
    B rows at once; the result's tokens are (steps, B), each output cut at ``eos`` (None: not
    cut, every step kept)."""
    steps = check_int("steps", steps)
    tree = check_tree(params)
    src, lengths = check_source(tree, src, src_lengths)
    if eos is not None:
        check_eos(eos, tree.K)
    enc = run_encoder(tree, src, lengths)
    B = src.shape[1]
    keys = _all_keys(tree, enc)
    _, tokens, runs = feed_back(lambda z, state: _step(tree, keys, z, state),
                                np.full(B, tree.K, dtype=np.int64),
                                start_state(enc.context, tree.decoder), steps)
    rows = np.arange(B)
    log_probs = np.array([logp[rows, z] for (logp, _), z in zip(runs, tokens)])
    weights = None if keys is None else np.array([w for _, w in runs])
    return Greedy(tokens, log_probs, weights, [_cut(tokens[:, b], eos) for b in range(B)])


def cut(tokens: np.ndarray, eos: int | None) -> np.ndarray:
    """tokens (T,) ids -> the symbols before the first end symbol ``eos``, (T',) with T' <= T
    (all of them if there is none, or if ``eos`` is None)."""
    tokens = check_token_ids("tokens", tokens, axes=("T",))
    return _cut(tokens, None if eos is None else check_int("eos", eos, minimum=0))


def _cut(tokens: np.ndarray, eos: int | None) -> np.ndarray:
    """``cut`` on checked arguments (a decoder's own outputs)."""
    if eos is None:
        return tokens
    where = np.flatnonzero(tokens == eos)
    return tokens[: where[0]] if where.size else tokens


def sampled_inputs(params: dict, src, targets, *, p_true: float, rng, src_lengths=None) -> np.ndarray:
    """Scheduled sampling's decoder inputs (T', B): z_1 = start, then at each step the true
    y_{i-1} with probability ``p_true``, else the model's own most probable symbol there.

    The choice is made step by step while decoding, as the model would run; no gradient flows
    through it, so training then scores the targets with these inputs (``loss_and_grads(...,
    decoder_inputs=...)``), which gives exactly the gradient of the mixed run.
    """
    p_true = check_fraction("p_true", p_true, high_open=False)
    if not isinstance(rng, np.random.Generator):
        raise bad_type("rng", "a numpy Generator (np.random.default_rng(seed))", rng)
    tree = check_tree(params)
    src, lengths = check_source(tree, src, src_lengths)
    B = src.shape[1]
    y = check_targets(targets, B, tree.K)
    enc = run_encoder(tree, src, lengths)
    keys = _all_keys(tree, enc)
    z = np.full(B, tree.K, dtype=np.int64)
    state = start_state(enc.context, tree.decoder)
    inputs = [z]
    for i in range(y.shape[0] - 1):
        logp, state, _ = _step(tree, keys, z, state)
        z = np.where(rng.random(B) < p_true, y[i], logp.argmax(axis=-1))
        inputs.append(z)
    return np.array(inputs)


@dataclass
class Beam:
    """One source's beam search: the best output (without the end symbol), its summed
    log-probability and normalised score; ``finished`` holds (tokens, log-prob, score) of every
    ended hypothesis (and, if the search ran out of steps, of the live ones it cut off) and
    ``finished_step`` the step (1, 2, ...) at which each ended, which is its length in
    ``normalised``; ``history[i]`` the live hypotheses (tokens, log-prob) after step i+1."""

    tokens: np.ndarray
    log_prob: float
    score: float
    finished: list = field(default_factory=list)
    history: list = field(default_factory=list)
    finished_step: list = field(default_factory=list)


def normalised(log_prob: float, length: int, alpha: float) -> float:
    """The score a finished hypothesis is ranked by: log P / length^ν, ν = ``alpha`` >= 0,
    log_prob a finite real number, length >= 1 the number of symbols the hypothesis wrote (the
    terms of log P: its end symbol included if it wrote one)."""
    if isinstance(log_prob, bool) or not isinstance(log_prob, Real):
        raise bad_type("log_prob", "a real number", log_prob)
    if not np.isfinite(log_prob):
        raise bad_value("log_prob", "a finite number", log_prob)
    length = check_int("length", length)
    return log_prob / (length ** check_positive("alpha", alpha, allow_zero=True))


def beam_search(params: dict, src, *, width: int, steps: int, eos: int, src_lengths=None,
                alpha: float = 1.0) -> list[Beam]:
    """Beam search for each source of the batch src (S, B): a list of B ``Beam``.

    At each step every live hypothesis is extended by every symbol; the 2·width best by summed
    log-probability are looked at in order: one ending in ``eos`` is finished, the others fill
    the beam up to ``width``. The search stops when ``width`` hypotheses have finished, or after
    ``steps`` steps (then the live ones are finished as they are, cut off). Every finished
    hypothesis is scored by ``normalised`` with its length the number of symbols it wrote.
    """
    width, steps = check_int("width", width), check_int("steps", steps)
    alpha = check_positive("alpha", alpha, allow_zero=True)
    tree = check_tree(params)
    src, lengths = check_source(tree, src, src_lengths)
    enc = run_encoder(tree, src, lengths, project=False)   # projected per beam size (below)
    eos = check_eos(eos, tree.K)
    return [_search(tree, enc, b, width, steps, eos, alpha) for b in range(src.shape[1])]


def _search(tree: Checked, enc: Encoded, b: int, width: int, steps: int, eos: int,
            alpha: float) -> Beam:
    views = {}

    def keys_for(n: int) -> _Keys | None:
        """Source b's keys for n rows, made once per n (the beam's size changes rarely).
        They are n copies of one source's, and U_a is applied to all n of them, not to one:
        a matrix product's rows come out of BLAS differently for different row counts, and the
        results stay what they were before this function kept them."""
        if tree.attention is None:
            return None
        if n not in views:
            rows = np.full(n, b)
            keys = enc.keys[:, rows]
            views[n] = _Keys(keys, enc.mask[:, rows], None if tree.attention != "additive"
                             else attn.project_keys(tree.p["attention"], keys))
        return views[n]

    state = start_state(enc.context[[b]], tree.decoder)
    hyps = [((), 0.0)]                               # (tokens, summed log-probability)
    z = np.array([tree.K])
    ended, history = [], []                          # ended: (tokens, log-prob, step)
    for i in range(steps):
        logp, state, _ = _step(tree, keys_for(len(z)), z, state)
        K = logp.shape[1]
        total = np.array([lp for _, lp in hyps])[:, None] + logp          # (n, K)
        order = np.argsort(-total, axis=None, kind="stable")[: 2 * width]
        keep, live = [], []
        for flat in order:
            n, k = divmod(int(flat), K)
            tokens, lp = hyps[n][0] + (k,), float(total[n, k])
            if k == eos:
                ended.append((tokens[:-1], lp, i + 1))
            elif len(live) < width:
                keep.append(n)
                live.append((tokens, lp))
            if len(live) == width:
                break
        history.append(list(live))
        if len(ended) >= width or not live:
            break
        hyps = live
        keep = np.array(keep)
        state = tuple(s[keep] for s in state)
        z = np.array([t[-1] for t, _ in live], dtype=np.int64)
    else:
        ended += [(t, lp, steps) for t, lp in hyps]           # cut off: wrote `steps` symbols
    # one length rule for both: the step a hypothesis ended at is the number of symbols it wrote
    finished = [(np.array(t, dtype=np.int64), lp, normalised(lp, step, alpha))
                for t, lp, step in ended]
    best = max(finished, key=lambda f: f[2])
    return Beam(best[0], best[1], best[2], finished, history, [step for *_, step in ended])


__all__ = ["Beam", "Greedy", "beam_search", "check_eos", "cut", "greedy_decode", "normalised",
           "sampled_inputs"]

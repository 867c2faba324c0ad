"""Decoding a trained sequence-to-sequence model: free running, greedy, beam search; and the
decoder inputs of scheduled sampling (Bengio et al., 2015).

Free running, the decoder reads its own previous output, so one step at a time:

    z_1 = start,   h^{dec}_i = cell(h^{dec}_{i-1}, E[z_i]),   ŷ_i = softmax(o_i),   z_{i+1} = pick(ŷ_i)

Greedy decoding picks argmax ŷ_i. Beam search keeps the ``width`` partial outputs with the
highest log-probability log P(y_1..y_i) = Σ log ŷ_i[y_i]; a hypothesis ends when it writes the
end symbol. Finished hypotheses are compared by the log-probability divided by length^ν, ν
the argument ``alpha`` (length normalisation: ν = 0 is the raw sum, which favours short outputs
because every symbol adds a negative term; ν = 1 is the mean per symbol; chapter 10 writes ν
because α there is an attention weight). With width 1 beam search is greedy decoding.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..layer import cell_of
from ...core.softmax import log_softmax
from ...core.validation import bad_type, check_fraction, check_int, check_positive, check_token_ids
from .model import Encoded, attend, attention_of, check_targets, decode_states, encode, logits, start_id


def step(params: dict, enc: Encoded, z: np.ndarray, state: tuple, rows=None):
    """One decoder step for N rows: inputs z (N,), state (h,) or (h, s) each (N, H).

    rows (N,): the source each row reads (None: row b reads source b).
    Returns (log ŷ (N, K), new state, α (S, N) or None).
    """
    run = decode_states(params, z[None], state)
    h = run.h                                             # (1, N, H)
    if attention_of(params) is None:
        return log_softmax(logits(params, h)[0], axis=-1), run.last, None
    att = attend(params, h, enc, rows)
    o = logits(params, h, att.context)[0]
    return log_softmax(o, axis=-1), run.last, att.alpha[0]


def _initial_state(params: dict, enc: Encoded, rows=None) -> tuple:
    """h^{dec}_0 = C (and, for the LSTM, a zero cell state), for each row."""
    C = enc.context if rows is None else enc.context[rows]
    return (C, np.zeros_like(C)) if cell_of(params["decoder"]) == "lstm" else (C,)


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
    enc = encode(params, src, src_lengths=src_lengths)
    if eos is not None:
        _check_eos(params, eos)
    B = enc.src.shape[1]
    z = np.full(B, start_id(params), dtype=np.int64)
    state = _initial_state(params, enc)
    tokens, lps, ws = [], [], []
    for _ in range(steps):
        logp, state, w = step(params, enc, z, state)
        z = logp.argmax(axis=-1)
        tokens.append(z)
        lps.append(logp[np.arange(B), z])
        ws.append(w)
    tokens = np.array(tokens)
    return Greedy(tokens, np.array(lps), None if ws[0] is None else np.array(ws),
                  [cut(tokens[:, b], eos) for b in range(B)])


def _check_eos(params: dict, eos) -> int:
    """The end symbol: an output symbol's id, in [0, K)."""
    return check_int("eos", eos, minimum=0, maximum=start_id(params) - 1)


def cut(tokens: np.ndarray, eos: int | None) -> np.ndarray:
    """tokens (T,) ids -> the symbols before the first end symbol ``eos``, (T',) with T' <= T
    (all of them if there is none, or if ``eos`` is None)."""
    tokens = check_token_ids("tokens", tokens, axes=("T",))
    if eos is None:
        return tokens
    where = np.flatnonzero(tokens == check_int("eos", eos, minimum=0))
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
    enc = encode(params, src, src_lengths=src_lengths)
    B = enc.src.shape[1]
    y = check_targets(targets, B, start_id(params))
    z = np.full(B, start_id(params), dtype=np.int64)
    state = _initial_state(params, enc)
    inputs = [z]
    for i in range(y.shape[0] - 1):
        logp, state, _ = step(params, enc, z, state)
        z = np.where(rng.random(B) < p_true, y[i], logp.argmax(axis=-1))
        inputs.append(z)
    return np.array(inputs)


@dataclass
class Beam:
    """One source's beam search: the best output (without the end symbol), its summed
    log-probability and normalised score; ``finished`` holds (tokens, log-prob, score) of every
    ended hypothesis and ``finished_step`` the step (1, 2, ...) at which each ended;
    ``history[i]`` the live hypotheses (tokens, log-prob) after step i+1."""

    tokens: np.ndarray
    log_prob: float
    score: float
    finished: list = field(default_factory=list)
    history: list = field(default_factory=list)
    finished_step: list = field(default_factory=list)


def normalised(log_prob: float, length: int, alpha: float) -> float:
    """The score a finished hypothesis is ranked by: log P / length^ν, ν = ``alpha`` (length
    counts the end symbol)."""
    return log_prob / (length ** alpha)


def beam_search(params: dict, src, *, width: int, steps: int, eos: int, src_lengths=None,
                alpha: float = 1.0) -> list[Beam]:
    """Beam search for each source of the batch src (S, B): a list of B ``Beam``.

    At each step every live hypothesis is extended by every symbol; the 2·width best by summed
    log-probability are looked at in order: one ending in ``eos`` is finished (scored by
    ``normalised``), the others fill the beam up to ``width``. The search stops when ``width``
    hypotheses have finished, or after ``steps`` steps (then the live ones count as finished).
    """
    width, steps = check_int("width", width), check_int("steps", steps)
    alpha = check_positive("alpha", alpha, allow_zero=True)
    enc = encode(params, src, src_lengths=src_lengths)
    eos = _check_eos(params, eos)
    return [_search(params, enc, b, width, steps, eos, alpha) for b in range(enc.src.shape[1])]


def _search(params, enc, b, width, steps, eos, alpha) -> Beam:
    rows = np.array([b])
    state = _initial_state(params, enc, rows)
    hyps = [((), 0.0)]                               # (tokens, summed log-probability)
    z = np.array([start_id(params)])
    finished, history, when = [], [], []
    for i in range(steps):
        logp, state, _ = step(params, enc, z, state, rows)
        K = logp.shape[1]
        total = np.array([lp for _, lp in hyps])[:, None] + logp          # (n, K)
        order = np.argsort(-total, axis=None, kind="stable")[: 2 * width]
        keep, live = [], []
        for flat in order:
            n, k = divmod(int(flat), K)
            tokens, lp = hyps[n][0] + (k,), float(total[n, k])
            if k == eos:
                finished.append((np.array(tokens[:-1], dtype=np.int64), lp,
                                 normalised(lp, len(tokens), alpha)))
                when.append(i + 1)
            elif len(live) < width:
                keep.append(n)
                live.append((tokens, lp))
            if len(live) == width:
                break
        history.append(list(live))
        if len(finished) >= width or not live:
            break
        hyps = live
        keep = np.array(keep)
        state = tuple(s[keep] for s in state)
        rows = np.full(len(keep), b)
        z = np.array([t[-1] for t, _ in live], dtype=np.int64)
    else:
        finished += [(np.array(t, dtype=np.int64), lp, normalised(lp, len(t), alpha))
                     for t, lp in hyps]
        when += [steps] * len(hyps)
    best = max(finished, key=lambda f: f[2])
    return Beam(best[0], best[1], best[2], finished, history, when)


__all__ = ["Beam", "Greedy", "beam_search", "cut", "greedy_decode", "normalised",
           "sampled_inputs", "step"]

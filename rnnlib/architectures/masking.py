"""Variable-length batches: pad to a common length, and make the padding count for nothing.

Sequences of lengths L_1..L_B are stacked into one (T, B) array, T = max L_b, with the padding
*after* each sequence's last real step (right padding), and a mask (T, B) that is True on real
steps. Because a recurrence only looks backwards, right padding cannot change h_1..h_{L_b}; it
only adds states after the end. Three rules then make a padded batch give exactly the
per-sequence results:

1. the loss skips padded steps (many-to-many), so they send no gradient;
2. a many-to-one model reads h_{L_b}, each sequence's own last real state, not h_T;
3. a pass that runs right to left (the backward half of a bidirectional layer) reverses each
   sequence *within its length*, so it too starts at a real step (``reverse_within``).

``masked_loss_and_grads`` is the book's RNN (U, W, V, b, c) of any cell (cell="rnn", "lstm",
"gru") trained on such a batch.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .heads import score_steps, score_summary
from .layer import as_batch, layer_backward, layer_forward
from ..core.loop import unbatch
from ..core.validation import (MODES, as_array, bad_value, check_choice, check_class_ids,
                               check_float_array, check_int, check_int_ids, check_lengths,
                               check_list, check_output_layer)


@dataclass
class PaddedBatch:
    """xs (T, B) ids or (T, B, D) floats, padded after each end; mask (T, B); lengths (B,)."""

    xs: np.ndarray
    mask: np.ndarray
    lengths: np.ndarray


def pad(sequences, pad_id: int = 0) -> PaddedBatch:
    """Stack sequences of token ids (L_b,) or floats (L_b, D) into one right-padded batch.

    Padded places hold ``pad_id`` (ids) or zeros (floats); what they hold never matters.
    Returns xs (T, B) / (T, B, D), mask (T, B), lengths (B,) with T the longest length.
    """
    seqs = []
    for b, s in enumerate(check_list("sequences", sequences, what="sequences")):
        name, s = f"sequences[{b}]", as_array(f"sequences[{b}]", s)
        if s.ndim not in (1, 2) or len(s) == 0:
            raise bad_value("sequences", "non-empty sequences (L,) of ids or (L, D) of floats",
                            f"sequence {b} of shape {s.shape}")
        # 1-D is ids, 2-D floats: a 1-D float sequence would otherwise be cast to ids silently
        s = check_int_ids(name, s, "token ids (L,)") if s.ndim == 1 else check_float_array(name, s)
        if seqs and s.shape[1:] != seqs[0].shape[1:]:
            first = "ids (L,)" if seqs[0].ndim == 1 else f"floats (L, {seqs[0].shape[1]})"
            raise bad_value("sequences", f"every sequence like sequence 0: {first}",
                            f"sequence {b} of shape {s.shape}")
        seqs.append(s)
    lengths = np.array([len(s) for s in seqs])
    T, B = int(lengths.max()), len(seqs)
    if seqs[0].ndim == 1:
        xs = np.full((T, B), check_int("pad_id", pad_id, minimum=0), dtype=np.int64)
    else:
        xs = np.zeros((T, B, seqs[0].shape[1]))
    for b, s in enumerate(seqs):
        xs[: len(s), b] = s
    return PaddedBatch(xs=xs, mask=length_mask(lengths, T), lengths=lengths)


def length_mask(lengths, T: int) -> np.ndarray:
    """mask[t, b] = t < lengths[b]: True on real steps, (T, B); lengths (B,) in [1, T]."""
    T = check_int("T", T)
    arr = check_int_ids("lengths", lengths, "integer lengths (B,)")
    lengths = check_lengths(arr, T, arr.shape[0] if arr.ndim else 1)
    return np.arange(T)[:, None] < lengths[None, :]


def _time_major(name: str, x) -> np.ndarray:
    """``x`` as an array (T, B, ...) with at least the time and batch axes."""
    arr = as_array(name, x)
    if arr.ndim < 2:
        raise bad_value(name, "an array (T, B, ...)", f"shape {arr.shape}")
    return arr


def last_states(h: np.ndarray, lengths) -> np.ndarray:
    """h_{L_b} for each sequence b: h (T, B, H) -> (B, H); lengths (B,) in [1, T]."""
    h = _time_major("h", h)
    lengths = check_lengths(lengths, h.shape[0], h.shape[1])   # a 0 would index h_T (at -1)
    return h[lengths - 1, np.arange(h.shape[1])]


def to_last_steps(d_last: np.ndarray, lengths, T: int) -> np.ndarray:
    """The adjoint of ``last_states``: d_last (B, H) placed at step L_b of each sequence, (T, B, H)."""
    d_last = as_array("d_last", d_last)
    if d_last.ndim < 1:
        raise bad_value("d_last", "an array (B, H)", "a scalar")
    lengths = check_lengths(lengths, check_int("T", T), d_last.shape[0])
    out = np.zeros((T,) + d_last.shape)
    out[lengths - 1, np.arange(d_last.shape[0])] = d_last
    return out


def reverse_within(x: np.ndarray, lengths) -> np.ndarray:
    """Reverse each sequence's first L_b steps along axis 0; padding stays at the end.

    x (T, B, ...). Its own inverse. With every L_b = T it is x[::-1].
    """
    x = _time_major("x", x)
    T = x.shape[0]
    lengths = check_lengths(lengths, T, x.shape[1])
    if np.all(lengths == T):
        return x[::-1]
    t = np.arange(T)[:, None]
    lengths = lengths[None, :]
    src = np.where(t < lengths, lengths - 1 - t, t)         # (T, B) source step for each place
    return x[src, np.arange(x.shape[1])[None, :]]


def padded_forward(params: dict, xs, lengths, h0, activation: str, mode: str, cell: str = "rnn"):
    """The checks and the layer's forward pass that training and prediction share.

    Returns (cache, batched, lengths (B,), V, c): the batched layer cache, whether the caller
    passed a batch, the checked lengths and the output layer.
    """
    check_choice("mode", mode, MODES)
    _, batched = as_batch(xs)
    cache = layer_forward(params, xs, h0, activation=activation, cell=cell)
    T, B, H = cache.h.shape
    lengths = check_lengths(lengths, T, B)
    V, c = check_output_layer(params, H)
    return cache, batched, lengths, V, c


def masked_loss_and_grads(params: dict, xs, targets, *, lengths=None, h0=None,
                          activation: str = "tanh", mode: str = "many_to_many", cell: str = "rnn"):
    """The book's RNN (any cell) on a right-padded batch; padded steps count for nothing.

    params: U (G·H, D), W (G·H, H), V (K, H), b (G·H,), c (K,); G = 1, 4, 3 for cell="rnn",
    "lstm", "gru" (the LSTM's cell state starts at zero). xs: (T, B) ids or (T, B, D) floats
    (one sequence (T,) / (T, D) works too). lengths: (B,) real lengths, None = all T.
    targets: (T, B) ids for mode="many_to_many" (padded places may hold any valid id);
    (B,) for "many_to_one", scored at each sequence's last real step h_{L_b}.
    Returns (loss, grads with U, W, V, b, c, h0), as ``rnnlib.loss_and_grads`` would for the
    sequences one at a time, summed; h0's gradient as the core shapes it: (H,) for one sequence
    or an h0 of shape (H,); (B, H), one row a sequence, for an h0 (B, H) or None on a batch.
    """
    cache, batched, lengths, V, c = padded_forward(params, xs, lengths, h0, activation, mode, cell)
    T, B, _ = cache.h.shape
    K = V.shape[0]
    if mode == "many_to_many":
        shape = (T, B) if batched else (T,)
        y = check_class_ids("targets", targets, shape, K).reshape(T, B)
        loss, head, dh = score_steps(V, c, cache.h, y, length_mask(lengths, T))
    else:
        y = check_class_ids("targets", targets, (B,) if batched else (), K).reshape(B)
        loss, head, d_last = score_summary(V, c, last_states(cache.h, lengths), y)
        dh = to_last_steps(d_last, lengths, T)
    g = layer_backward(params, cache, dh)
    grads = {"U": g["U"], "W": g["W"], "b": g["b"], "h0": unbatch(g["h0"], cache.h0_shared),
             **head}      # (the keys' order as before: a global norm sums in this order)
    return loss, grads


def masked_predict(params: dict, xs, *, lengths=None, h0=None, activation: str = "tanh",
                   mode: str = "many_to_many", cell: str = "rnn") -> np.ndarray:
    """argmax_k o[k]: (T, B) for every step (padded places included), or (B,) for many_to_one."""
    cache, batched, lengths, V, c = padded_forward(params, xs, lengths, h0, activation, mode, cell)
    states = cache.h if mode == "many_to_many" else last_states(cache.h, lengths)
    pred = (states @ V.T + c).argmax(axis=-1)
    return pred if batched else pred[..., 0] if mode == "many_to_many" else pred[0]

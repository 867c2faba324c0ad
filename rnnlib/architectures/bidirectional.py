"""A bidirectional layer (Schuster & Paliwal, 1997): one RNN reads left to right, a second one
right to left, and the state at step t is the two states side by side:

    h→_t = f(b→ + W→ h→_{t-1} + U→ x_t)          (reads x_1 .. x_t)
    h←_t = f(b← + W← h←_{t+1} + U← x_t)          (reads x_T .. x_t)
    h_t  = [h→_t ; h←_t]                         (H→ + H← numbers)

so o_t = c + V h_t can use what comes *after* step t as well as what came before. The two
directions share nothing but the input; each is an ordinary layer (``layer.py``), the second
one run on the sequence reversed (within each sequence's length, so right padding stays at the
end and is never read first).

Each direction may be any cell (``cell="rnn"``, ``"lstm"``, ``"gru"``, the same for both; the
formulas above are the plain cell's, the gated ones replace f(...) by their step).

Parameters: ``{"forward": {U, W, b}, "backward": {U, W, b}, "V": (K, H→ + H←), "c": (K,)}``.
Initial states: ``h0 = {"forward": ..., "backward": ...}`` (each as for a plain RNN) or None.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.validation import (MODES, check_choice, check_class_ids, check_output_layer,
                               check_param_mapping)
from .heads import init_head, score_steps, score_summary
from .layer import LAYER_KEYS, LayerCache, as_batch, init_layer, layer_backward, layer_forward
from ..core.validation import check_lengths
from ..core.loop import unbatch
from .masking import length_mask, reverse_within

DIRECTIONS = ("forward", "backward")


def init_bidirectional(input_size: int, hidden_size: int, output_size: int, *, cell: str = "rnn",
                       seed: int = 0) -> dict:
    """Random parameters: two layers of H units of ``cell`` (``init_layer``: U (G·H, D),
    W (G·H, H), b (G·H,)), V (K, 2H) and c (K,)."""
    layers = {d: init_layer(input_size, hidden_size, cell=cell, seed=seed + i)
              for i, d in enumerate(DIRECTIONS)}
    return {**layers, **init_head(2 * hidden_size, output_size, seed=seed + 2)}


@dataclass
class BidirectionalCache:
    """The two directions' caches (the backward one in reversed time) and the lengths (B,)."""

    forward: LayerCache
    backward: LayerCache
    lengths: np.ndarray

    @property
    def h(self) -> np.ndarray:
        """[h→_t ; h←_t] aligned by position t: (T, B, H→ + H←)."""
        return np.concatenate([self.forward.h, reverse_within(self.backward.h, self.lengths)], axis=-1)


def _check_params(params) -> None:
    check_param_mapping(params, DIRECTIONS + ("V", "c"))     # each direction: U, W, b


def _h0(h0, d):
    if h0 is None:
        return None
    check_param_mapping(h0, DIRECTIONS, "h0")
    return h0[d]


def bidirectional_forward(params: dict, xs, *, lengths=None, h0=None,
                          activation: str = "tanh", cell: str = "rnn") -> BidirectionalCache:
    """Both directions over xs (T, B) ids / (T, B, D) floats (batched layout; see ``as_batch``);
    lengths (B,) or None. The cache's ``h`` is (T, B, H→ + H←)."""
    _check_params(params)
    fw = layer_forward(params["forward"], xs, _h0(h0, "forward"), activation=activation,
                       cell=cell, name="params['forward']")
    T, B = fw.h.shape[:2]
    lengths = check_lengths(lengths, T, B)
    reversed_xs = reverse_within(fw.xs, lengths)
    if not as_batch(xs)[1]:          # one sequence stays one (its h0 must be (H,))
        reversed_xs = reversed_xs[:, 0]
    bw = layer_forward(params["backward"], reversed_xs, _h0(h0, "backward"),
                       activation=activation, cell=cell, name="params['backward']")
    return BidirectionalCache(forward=fw, backward=bw, lengths=lengths)


def bidirectional_backward(params: dict, cache: BidirectionalCache, dh: np.ndarray) -> dict:
    """Gradients of both directions from dh = ∂L/∂h_t (T, B, H→ + H←), aligned by position.

    Returns {"forward": {U, W, b, h0}, "backward": {U, W, b, h0}} with h0 gradients (B, H).
    """
    Hf = cache.forward.h.shape[-1]
    g_f = layer_backward(params["forward"], cache.forward, dh[..., :Hf])
    g_b = layer_backward(params["backward"], cache.backward, reverse_within(dh[..., Hf:], cache.lengths))
    return {"forward": g_f, "backward": g_b}


def summary(cache: BidirectionalCache) -> np.ndarray:
    """What a many-to-one model reads: [h→_{L_b} ; h←_1] (B, H→ + H←), both having read the
    whole sequence.

    In the backward layer's own (reversed) time, h←_1 is its state after L_b steps.
    """
    L, b = cache.lengths - 1, np.arange(cache.lengths.size)
    return np.concatenate([cache.forward.h[L, b], cache.backward.h[L, b]], axis=-1)


def bidirectional_loss_and_grads(params: dict, xs, targets, *, lengths=None, h0=None,
                                 activation: str = "tanh", mode: str = "many_to_many",
                                 cell: str = "rnn"):
    """Loss and gradients of a bidirectional RNN with an output layer.

    xs: (T, B) ids / (T, B, D) floats, or one sequence (T,) / (T, D). lengths: (B,) or None.
    targets: (T, B) ids per step ("many_to_many", padded steps not scored) or (B,) per sequence
    ("many_to_one", read from ``summary``). Returns (loss, grads) with grads shaped like params
    plus "h0": {"forward": ..., "backward": ...}, each as the core shapes ∂L/∂h0: (H,) for one
    sequence or an h0 of shape (H,); (B, H) for an h0 (B, H) or None on a batch.
    """
    check_choice("mode", mode, MODES)
    _, batched = as_batch(xs)
    cache = bidirectional_forward(params, xs, lengths=lengths, h0=h0, activation=activation,
                                  cell=cell)
    T, B = cache.forward.h.shape[:2]
    states = cache.h
    V, c = check_output_layer(params, states.shape[-1])
    K = V.shape[0]
    if mode == "many_to_many":
        y = check_class_ids("targets", targets, (T, B) if batched else (T,), K).reshape(T, B)
        loss, head, dh = score_steps(V, c, states, y, length_mask(cache.lengths, T))
        g = bidirectional_backward(params, cache, dh)
    else:
        y = check_class_ids("targets", targets, (B,) if batched else (), K).reshape(B)
        loss, head, d_sum = score_summary(V, c, summary(cache), y)
        Hf, L, b = cache.forward.h.shape[-1], cache.lengths - 1, np.arange(B)
        dh_f = np.zeros_like(cache.forward.h)
        dh_b = np.zeros_like(cache.backward.h)
        dh_f[L, b], dh_b[L, b] = d_sum[:, :Hf], d_sum[:, Hf:]
        g = {"forward": layer_backward(params["forward"], cache.forward, dh_f),
             "backward": layer_backward(params["backward"], cache.backward, dh_b)}
    grads = {d: {k: g[d][k] for k in LAYER_KEYS} for d in DIRECTIONS}
    grads.update(head)
    grads["h0"] = {d: unbatch(g[d]["h0"], getattr(cache, d).h0_shared) for d in DIRECTIONS}
    return loss, grads


def bidirectional_predict(params: dict, xs, *, lengths=None, h0=None, activation: str = "tanh",
                          mode: str = "many_to_many", cell: str = "rnn") -> np.ndarray:
    """argmax_k o[k]: (T, B) per step, or (B,) per sequence for many_to_one (B dropped for one sequence)."""
    check_choice("mode", mode, MODES)
    _, batched = as_batch(xs)
    cache = bidirectional_forward(params, xs, lengths=lengths, h0=h0, activation=activation,
                                  cell=cell)
    states = cache.h if mode == "many_to_many" else summary(cache)
    V, c = check_output_layer(params, states.shape[-1])
    pred = (states @ V.T + c).argmax(axis=-1)
    return pred if batched else pred[..., 0] if mode == "many_to_many" else pred[0]

"""A deep (stacked) RNN: layer l reads the states of layer l - 1 as its input sequence.

    h^1_t = f(b^1 + W^1 h^1_{t-1} + U^1 x_t)
    h^l_t = f(b^l + W^l h^l_{t-1} + U^l h^{l-1}_t)        l = 2..L
    o_t   = c + V h^L_t

Each step now passes through L nonlinearities on its way from x_t to o_t, instead of one, while
the path through time at every level is still one W per step (Goodfellow et al., §10.5).
Backward, layer l receives ∂L/∂h^l_t from above (the output layer for l = L, else the input
term U^{l+1} of the layer above) and runs the ordinary recurrence back through its own time.

Every layer may be any cell (``cell="rnn"``, ``"lstm"``, ``"gru"``, the same for all; the
formulas above are the plain cell's).

Parameters: ``{"layers": [{U, W, b}, ...], "V": (K, H_L), "c": (K,)}``. Initial states: a list
of one h0 per layer (each as for a plain RNN), or None.
"""
from __future__ import annotations

import numpy as np

from ..core.validation import (MODES, check_choice, check_class_ids, check_int, check_lengths,
                               check_list, check_output_layer, check_param_mapping)
from .heads import init_head, score_steps, score_summary
from .layer import LAYER_KEYS, as_batch, init_layer, layer_backward, layer_forward
from ..core.loop import unbatch
from .masking import last_states, length_mask, to_last_steps


def init_stacked(input_size: int, hidden_sizes, output_size: int, *, cell: str = "rnn",
                 seed: int = 0) -> dict:
    """Random parameters for layers of ``cell`` of the given widths (e.g. [16, 16]): each U
    (G·H_l, H_{l-1}), W (G·H_l, H_l), b (G·H_l,); and an output layer V (K, H_L), c (K,)."""
    widths = check_list("hidden_sizes", hidden_sizes, what="layer widths")
    sizes = [check_int("input_size", input_size)] + [check_int("hidden_sizes", h) for h in widths]
    layers = [init_layer(sizes[i], sizes[i + 1], cell=cell, seed=seed + i)
              for i in range(len(sizes) - 1)]
    return {"layers": layers, **init_head(sizes[-1], output_size, seed=seed + len(layers))}


def _check(params, h0):
    check_param_mapping(params, ("layers", "V", "c"))
    L = len(check_list("params['layers']", params["layers"], what="layers {U, W, b}"))
    if h0 is not None:
        check_list("h0", h0, L, "initial states (one per layer)")
    return L


def stacked_forward(params: dict, xs, *, h0=None, activation: str = "tanh",
                    cell: str = "rnn") -> list:
    """The caches of every layer, bottom to top, for xs (T, B) ids / (T, B, D) floats;
    caches[-1].h (T, B, H_L) is what the output reads."""
    L = _check(params, h0)
    inputs, caches = xs, []
    one = not as_batch(xs)[1]      # one sequence: every layer gets one, so h0[l] must be (H_l,)
    for l in range(L):
        cache = layer_forward(params["layers"][l], inputs, None if h0 is None else h0[l],
                              activation=activation, cell=cell, name=f"params['layers'][{l}]")
        caches.append(cache)
        inputs = cache.h[:, 0] if one else cache.h
    return caches


def stacked_backward(params: dict, caches: list, dh_top: np.ndarray) -> list:
    """Per-layer gradients {U, W, b, h0 (B, H)} from ∂L/∂h^L_t (T, B, H_L), bottom to top."""
    grads, dh = [None] * len(caches), dh_top
    for l in range(len(caches) - 1, -1, -1):
        # layer l's input term U^l h^{l-1}_t sends (U^l)ᵀ ∂L/∂a^l_t down to layer l - 1
        g = layer_backward(params["layers"][l], caches[l], dh, input_grad=l > 0)
        dh = g.pop("xs", None)
        grads[l] = g
    return grads


def stacked_loss_and_grads(params: dict, xs, targets, *, lengths=None, h0=None,
                           activation: str = "tanh", mode: str = "many_to_many", cell: str = "rnn"):
    """Loss and gradients of a stacked RNN with an output layer on the top layer.

    xs: (T, B) ids / (T, B, D) floats, or one sequence (T,) / (T, D). lengths: (B,) or None.
    targets: (T, B) ids for mode="many_to_many" (padded steps not scored), (B,) for
    "many_to_one" (read at each sequence's last real step of the top layer). h0: None or a list
    of one state per layer, (H_l,) or (B, H_l). Returns (loss, grads) with grads shaped like
    params and "h0": a list of one gradient per layer, each as the core shapes it: (H_l,) for
    one sequence or an h0[l] of shape (H_l,); (B, H_l) for an h0[l] (B, H_l) or None on a batch.
    """
    check_choice("mode", mode, MODES)
    _, batched = as_batch(xs)
    caches = stacked_forward(params, xs, h0=h0, activation=activation, cell=cell)
    top = caches[-1].h
    T, B, H = top.shape
    lengths = check_lengths(lengths, T, B)
    V, c = check_output_layer(params, H)
    K = V.shape[0]
    if mode == "many_to_many":
        y = check_class_ids("targets", targets, (T, B) if batched else (T,), K).reshape(T, B)
        loss, head, dh = score_steps(V, c, top, y, length_mask(lengths, T))
    else:
        y = check_class_ids("targets", targets, (B,) if batched else (), K).reshape(B)
        loss, head, d_last = score_summary(V, c, last_states(top, lengths), y)
        dh = to_last_steps(d_last, lengths, T)
    per_layer = stacked_backward(params, caches, dh)
    grads = {"layers": [{k: g[k] for k in LAYER_KEYS} for g in per_layer], **head}
    grads["h0"] = [unbatch(g["h0"], cache.h0_shared) for g, cache in zip(per_layer, caches)]
    return loss, grads


def stacked_predict(params: dict, xs, *, lengths=None, h0=None, activation: str = "tanh",
                    mode: str = "many_to_many", cell: str = "rnn") -> np.ndarray:
    """argmax_k o[k]: (T, B) per step, or (B,) per sequence for many_to_one (B dropped for one sequence)."""
    check_choice("mode", mode, MODES)
    _, batched = as_batch(xs)
    top = stacked_forward(params, xs, h0=h0, activation=activation, cell=cell)[-1].h
    T, B, H = top.shape
    states = top if mode == "many_to_many" else last_states(top, check_lengths(lengths, T, B))
    V, c = check_output_layer(params, H)
    pred = (states @ V.T + c).argmax(axis=-1)
    return pred if batched else pred[..., 0] if mode == "many_to_many" else pred[0]

"""The encoder–decoder (Cho et al., 2014; Sutskever et al., 2014): read one sequence, write another
of a different length. In the book's notation:

    encoder:  h^enc_t = f(b_e + W_e h^enc_{t-1} + U_e x_t)      t = 1..T   (reads the source)
    context:  C = h^enc_T                                      (one vector of H numbers)
    decoder:  h^dec_0 = C,   h^dec_j = f(b_d + W_d h^dec_{j-1} + U_d z_j),   o_j = c + V h^dec_j,
              j = 1..T'

The decoder's input z_j is the previous output symbol: the start symbol for j = 1, then y_{j-1}.
In training the *true* previous symbol is fed (teacher forcing), so every step is scored in one
pass; in generation the decoder feeds back its own most probable symbol (greedy decoding). The
whole source reaches the decoder only through C, a vector whose size does not grow with T.

Backward, the decoder is an ordinary layer with an output on every step; its ∂L/∂h^dec_0 is
∂L/∂C, which enters the encoder at its last (real) step and runs back through the encoder's time.

Encoder and decoder may be any cell (``cell="rnn"``, ``"lstm"``, ``"gru"``, the same for both;
the formulas above are the plain cell's). The context is the encoder's h_T; the LSTM decoder
starts from it as every layer starts (``layer.start_state``: its cell state at zero).

Parameters: ``{"encoder": {U (G·H, D), W, b}, "decoder": {U (G·H, K + 1), W, b}, "V": (K, H),
"c"}`` (G = 1, 4, 3 for the plain cell, the LSTM, the GRU).
The decoder reads K + 1 symbols: the K output symbols and the start symbol, id K by default.
With a source of length 1 (one float vector), this is a one-to-many model.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.validation import (as_array, bad_type, bad_value, check_class_ids, check_int,
                               check_int_ids, check_lengths, check_output_layer,
                               check_param_mapping)
from ..core.softmax import softmax
from .heads import init_head, score_steps
from .layer import (LAYER_KEYS, LayerCache, as_batch, check_layer_params, init_layer,
                    layer_backward, layer_forward, start_state)
from ..core.loop import unbatch
from .masking import last_states, length_mask, to_last_steps


def init_encoder_decoder(input_size: int, hidden_size: int, output_size: int, *,
                         cell: str = "rnn", seed: int = 0) -> dict:
    """Random parameters: an encoder of ``cell`` over D inputs (U (G·H, D)), a decoder over
    K + 1 symbols (U (G·H, K + 1)), V (K, H), c (K,)."""
    return {"encoder": init_layer(input_size, hidden_size, cell=cell, seed=seed),
            "decoder": init_layer(output_size + 1, hidden_size, cell=cell, seed=seed + 1),
            **init_head(hidden_size, output_size, seed=seed + 2)}


@dataclass
class EncoderDecoderCache:
    """The encoder's and the decoder's layer caches, the source lengths (B,) and the context (B, H)."""

    encoder: LayerCache
    decoder: LayerCache
    lengths: np.ndarray
    context: np.ndarray


def _check(params) -> None:
    """The mapping and its two layers (U, W, b each); the decoder's U and W 2-D, since their
    sizes (K + 1 inputs, H) are read before the core checks the layer."""
    check_param_mapping(params, ("encoder", "decoder", "V", "c"))
    for part in ("encoder", "decoder"):
        check_layer_params(params[part], f"params['{part}']")
    for key in ("U", "W"):          # (their values are the core's to check, once)
        name = f"params['decoder']['{key}']"
        arr = as_array(name, params["decoder"][key])
        if arr.dtype.kind not in "iuf":
            raise bad_type(name, "a real numeric array", params["decoder"][key])
        if arr.ndim != 2:
            raise bad_value(name, "a 2-D array", f"shape {arr.shape}")


def start_symbol(params: dict, start) -> int:
    """The start symbol's id: ``start``, or by default the decoder's last input id."""
    D_dec = np.shape(params["decoder"]["U"])[1]
    if start is None:
        return D_dec - 1
    return check_int("start", start, minimum=0, maximum=D_dec - 1)   # a decoder input id


def encode(params: dict, src, *, src_lengths=None, h0=None, activation: str = "tanh",
           cell: str = "rnn"):
    """Run the encoder over src (T, B) ids / (T, B, D) floats; return (cache, lengths (B,),
    context (B, H))."""
    _check(params)
    cache = layer_forward(params["encoder"], src, h0, activation=activation,
                          cell=cell, name="params['encoder']")
    T, B = cache.h.shape[:2]
    lengths = check_lengths(src_lengths, T, B, "src_lengths")
    return cache, lengths, last_states(cache.h, lengths)


def decoder_inputs(targets: np.ndarray, start: int) -> np.ndarray:
    """Teacher forcing: z_1 = start, z_j = y_{j-1}. targets (T', B) -> (T', B). (Chapter 10's
    seq2seq model feeds its decoder with this one too.)"""
    z = np.empty_like(targets)
    z[0], z[1:] = start, targets[:-1]
    return z


def encoder_decoder_forward(params: dict, src, targets, *, src_lengths=None, h0=None,
                            start=None, activation: str = "tanh",
                            cell: str = "rnn") -> EncoderDecoderCache:
    """Encode src (T, B) ids / (T, B, D) floats, then decode with teacher forcing; targets
    (T', B) ids (already checked). The cache's decoder states are (T', B, H)."""
    enc, lengths, context = encode(params, src, src_lengths=src_lengths, h0=h0,
                                   activation=activation, cell=cell)
    z = decoder_inputs(targets, start_symbol(params, start))
    dec = layer_forward(params["decoder"], z, context, activation=activation, cell=cell,
                        name="params['decoder']")
    return EncoderDecoderCache(encoder=enc, decoder=dec, lengths=lengths, context=context)


def encoder_decoder_loss_and_grads(params: dict, src, targets, *, src_lengths=None,
                                   tgt_lengths=None, h0=None, start=None,
                                   activation: str = "tanh", cell: str = "rnn"):
    """Summed cross-entropy of the target sequence under teacher forcing, and its gradients.

    src: (T, B) ids / (T, B, D) floats, or one sequence (T,) / (T, D). targets: (T', B) ids in
    [0, K) (one sequence: (T',)); T' need not equal T. src_lengths, tgt_lengths: (B,) or None;
    padded target steps are not scored. h0: the encoder's initial state (H,) / (B, H) / None.
    Returns (loss, grads) with "encoder", "decoder", "V", "c" shaped like params and "h0" as
    the core shapes it: (H,) for one sequence or an h0 of shape (H,); (B, H) for an h0 (B, H)
    or None on a batch.
    """
    _check(params)
    _, batched = as_batch(src)
    H = np.shape(params["decoder"]["W"])[-1]
    V, c = check_output_layer(params, H)
    K = V.shape[0]
    B = np.shape(src)[1] if batched else 1
    tgt = check_int_ids("targets", targets, "integer class ids")
    if tgt.ndim == 0 or tgt.shape[0] == 0:
        raise bad_value("targets", "at least one target step", f"shape {tgt.shape}")
    T_out = tgt.shape[0]
    y = check_class_ids("targets", tgt, (T_out, B) if batched else (T_out,), K).reshape(T_out, B)
    D_dec = np.shape(params["decoder"]["U"])[1]
    if T_out > 1 and y[:-1].max() >= D_dec:
        raise bad_value("targets", f"ids < D = {D_dec} (the decoder reads the previous target as "
                        f"input; its U has {D_dec} columns)", int(y[:-1].max()))
    cache = encoder_decoder_forward(params, src, y, src_lengths=src_lengths, h0=h0, start=start,
                                    activation=activation, cell=cell)
    mask = length_mask(check_lengths(tgt_lengths, T_out, B, "tgt_lengths"), T_out)
    loss, head, dh = score_steps(V, c, cache.decoder.h, y, mask)
    g_dec = layer_backward(params["decoder"], cache.decoder, dh, name="params['decoder']")
    # ∂L/∂C = ∂L/∂h^dec_0 (the context is the decoder's first state) enters the encoder at each
    # source's last real step
    g_enc = layer_backward(params["encoder"], cache.encoder,
                           to_last_steps(g_dec["h0"], cache.lengths, cache.encoder.h.shape[0]),
                           name="params['encoder']")
    grads = {"encoder": {k: g_enc[k] for k in LAYER_KEYS},
             "decoder": {k: g_dec[k] for k in LAYER_KEYS}, **head,
             "h0": unbatch(g_enc["h0"], cache.encoder.h0_shared)}
    return loss, grads


@dataclass
class Decoding:
    """A greedy decoding, batched: tokens (T', B), probs (T', B, K), states d_1..d_T' (T', B, H),
    the inputs z_j fed at each step (T', B), the context (B, H) and the encoder states (T, B, H)."""

    tokens: np.ndarray
    probs: np.ndarray
    states: np.ndarray
    inputs: np.ndarray
    context: np.ndarray
    encoder_states: np.ndarray


def feed_back(step, z: np.ndarray, state: tuple, steps: int):
    """Free running, the loop of every greedy decoder here (this one and chapter 10's): from
    the first inputs z (B,) ids and the decoder's state, ``steps`` times run one step,
    ``step(z, state) -> (scores (B, K), new state, anything else)``, and feed each row its
    highest-scoring symbol next. Returns (inputs (steps, B), tokens (steps, B), the list of
    each step's (scores, anything else))."""
    inputs, tokens, runs = [], [], []
    for _ in range(steps):
        scores, state, extra = step(z, state)
        inputs.append(z)
        z = scores.argmax(axis=-1)
        tokens.append(z)
        runs.append((scores, extra))
    return np.array(inputs), np.array(tokens), runs


def greedy_decode(params: dict, src, steps: int, *, src_lengths=None, h0=None, start=None,
                  activation: str = "tanh", cell: str = "rnn") -> Decoding:
    """Generate ``steps`` symbols, feeding back each step's most probable symbol.

    src (T, B) ids / (T, B, D) floats, or one sequence (T,) / (T, D); src_lengths (B,) or None;
    h0 (H,) / (B, H) / None. Always batched (one sequence is B = 1): see :class:`Decoding`.
    """
    steps = check_int("steps", steps, minimum=1)
    enc, _, context = encode(params, src, src_lengths=src_lengths, h0=h0, activation=activation,
                             cell=cell)
    V, c = check_output_layer(params, context.shape[1])

    def step(z, state):
        # one decoder step is a layer run over a sequence of length 1, started from d_{j-1}
        run = layer_forward(params["decoder"], z[None], state[0],
                            s0=state[1] if len(state) > 1 else None, activation=activation,
                            cell=cell, name="params['decoder']")
        return softmax(run.h[0] @ V.T + c), run.last, run.h[0]
    inputs, tokens, runs = feed_back(step, np.full(context.shape[0], start_symbol(params, start),
                                                   dtype=np.int64),
                                     start_state(context, cell), steps)
    return Decoding(tokens=tokens, probs=np.array([p for p, _ in runs]),
                    states=np.array([d for _, d in runs]), inputs=inputs, context=context,
                    encoder_states=enc.h)


def encoder_decoder_predict(params: dict, src, steps: int, *, src_lengths=None, h0=None,
                            start=None, activation: str = "tanh", cell: str = "rnn") -> np.ndarray:
    """Greedy output symbols: (steps, B), or (steps,) for one source sequence."""
    _, batched = as_batch(src)
    tokens = greedy_decode(params, src, steps, src_lengths=src_lengths, h0=h0, start=start,
                           activation=activation, cell=cell).tokens
    return tokens if batched else tokens[:, 0]

"""A sequence-to-sequence model (Sutskever et al., 2014; Cho et al., 2014) with embeddings and,
optionally, attention (Bahdanau et al., 2015; Luong et al., 2015), for any cell.

    encoder:   h^{enc}_t = cell(h^{enc}_{t-1}, E_src[x_t])              t = 1..S
    context:   C = h^{enc}_S                                            (each source's last real step)
    decoder:   h^{dec}_0 = C,   h^{dec}_i = cell(h^{dec}_{i-1}, E_tgt[z_i])  i = 1..T'
    output:    o_i = c + V h^{dec}_i                                    (no attention)
               o_i = c + V h^{dec}_i + V_C C_i,  C_i = Σ_j α_{ij} h^{enc}_j   (with attention)

z_i is the previous output symbol: the start symbol (id K) for i = 1, then y_{i-1} (teacher
forcing), or whatever the caller passes as ``decoder_inputs`` (scheduled sampling, free running).
The attention weights α_{ij} = softmax_j(z_{ij}) are asked for by the decoder's state
h^{dec}_i over the encoder's states (rnnlib.attention; the query is h^{dec}_i, as in Luong et
al.'s design, so the decoder's recurrence runs over all T' steps in one call to the core and
attention is computed on top of it).

The encoder and the decoder are layers of ``rnnlib.architectures.layer`` (the layer every
architecture runs the core's cell protocol through, with the core's checks); the cell of each
is read off its parameters' shapes (``layer.cell_of``). Teacher forcing's inputs are
``encoder_decoder.decoder_inputs``, chapter 7's.

Parameters (a tree, trained by ``rnnlib.fit`` through ``train.fit_seq2seq``):

    {"src_embed": {"E" (N, d)}, "tgt_embed": {"E" (K + 1, d)},
     "encoder": {U, W, b}, "decoder": {U, W, b},        (cell read off the shapes)
     (with encoder="self_attention": "encoder": {Wq, Wk, Wv, Ur, b}, and C is the mean of
      the real positions' states instead of the last one; see self_attention.py)
     "V" (K, H), "c" (K,),
     and with attention "Vc" (K, H) and "attention": {Wa, Ua, va} (additive) or {} (dot)}

K counts the output symbols (end-of-sequence included); the decoder also reads the start symbol.
The loss is the sum of -log ŷ_i[y_i] over every real target step of every sequence.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import attention as attn
from ..encoder_decoder import decoder_inputs
from ..encoder_decoder import decoder_inputs as teacher_forcing    # forward's argument shadows the name
from ..layer import LAYER_KEYS, cell_of, init_layer, layer_backward, layer_forward
from ..masking import check_lengths, last_states, length_mask, to_last_steps
from ...core.losses import cross_entropy
from ...core.validation import (CELLS, bad_value, check_choice, check_class_ids, check_float_array,
                                check_int, check_int_ids, check_output_layer, check_param_mapping,
                                check_shape, check_token_ids, named)
from .embedding import check_embedding, embedding_backward, embedding_forward, init_embedding
from .self_attention import (SA_KEYS, check_even, check_sa_encoder, init_sa_encoder, is_sa_encoder,
                             sa_encoder_backward, sa_encoder_forward)

ATTENTION = (None, "additive", "dot")
ENCODERS = ("recurrent", "self_attention")


def init_seq2seq(src_tokens: int, tgt_tokens: int, *, embed_size: int = 16,
                 hidden_size: int = 48, cell: str = "gru", attention: str | None = None,
                 attention_size: int | None = None, encoder: str = "recurrent",
                 seed: int = 0) -> dict:
    """Random parameters: N = src_tokens source tokens, K = tgt_tokens output symbols, embeddings
    of d = embed_size numbers, states of H = hidden_size.

    attention: None (the plain encoder–decoder), "additive" or "dot". attention_size: A, the
    size of additive attention's hidden layer, an int >= 1; None means A = H (ignored without
    additive attention). encoder: "recurrent" (a layer of ``cell``) or "self_attention" (one
    head over the embeddings plus position encodings, no recurrence, so embed_size must be
    even; the decoder, still a recurrence of ``cell``, starts from the mean of its states).
    """
    N, K = check_int("src_tokens", src_tokens), check_int("tgt_tokens", tgt_tokens)
    d, H = check_int("embed_size", embed_size), check_int("hidden_size", hidden_size)
    check_choice("cell", cell, CELLS)
    check_choice("attention", attention, ATTENTION)
    check_choice("encoder", encoder, ENCODERS)
    A = H if attention_size is None else check_int("attention_size", attention_size)
    seed = check_int("seed", seed, minimum=0)
    if encoder == "self_attention":
        check_even("embed_size", d)
    rng = np.random.default_rng(seed + 5)
    params = {"src_embed": init_embedding(N, d, seed=seed),
              "tgt_embed": init_embedding(K + 1, d, seed=seed + 1),
              "encoder": (init_layer(d, H, cell=cell, seed=seed + 2)
                          if encoder == "recurrent" else init_sa_encoder(d, H, seed=seed + 2)),
              "decoder": init_layer(d, H, cell=cell, seed=seed + 3),
              "V": rng.normal(0.0, 1 / np.sqrt(H), (K, H)), "c": np.zeros(K)}
    if attention is not None:
        params["Vc"] = rng.normal(0.0, 1 / np.sqrt(H), (K, H))
        params["attention"] = {} if attention == "dot" else attn.init_params(H, H, A, seed=seed + 4)
    return params


def attention_of(params: dict) -> str | None:
    """None, "additive" or "dot", read off the parameter tree."""
    if "attention" not in params:
        return None
    return "additive" if params["attention"] else "dot"


def start_id(params: dict) -> int:
    """The start symbol: the decoder's last input id, K."""
    return np.shape(params["V"])[0]


@dataclass
class Encoded:
    """The encoder's run: embedded source (S, B, d), the layer cache, the source ids (S, B),
    lengths (B,), mask (S, B), and the context C = h^{enc}_{L_b} (B, H)."""

    src: np.ndarray
    x: np.ndarray
    cache: object
    lengths: np.ndarray
    mask: np.ndarray
    context: np.ndarray

    @property
    def keys(self) -> np.ndarray:
        """h^{enc}_1..h^{enc}_S (S, B, H): what attention looks at."""
        return self.cache.h


PARTS = ("src_embed", "tgt_embed", "encoder", "decoder", "V", "c")


def _check_input_size(layer, d: int, name: str, what: str) -> None:
    """A layer's U must have one column per number of the embedding it reads: (G·H, d)."""
    shape = np.shape(layer["U"])
    if len(shape) != 2 or shape[1] != d:
        raise bad_value(f"{name}['U']", f"shape (G·H, d={d}), d the number of columns of {what}",
                        f"shape {shape}")


def check_tree(params) -> None:
    """A seq2seq tree (see init_seq2seq), each part checked against the others, so that an
    error names the parameter at fault (as "params['encoder']['W']") rather than an array
    computed from it: the embeddings E finite, src_embed (N, d), tgt_embed (K + 1, d'); the
    decoder a layer over d' inputs, its output layer V (K, H), c (K,); the encoder a layer
    over d inputs with states of the decoder's size H (or a self-attention encoder, d even);
    with attention, Vc (K, H). (The layers' values are checked by the core when they run.)"""
    check_param_mapping(params, PARTS)
    cell_of(params["decoder"], "params['decoder']")          # W (G·H, H), G = 1, 4 or 3
    H = np.shape(params["decoder"]["W"])[1]
    V, _ = check_output_layer(params, H)
    K = V.shape[0]
    with named("params['tgt_embed']"):
        E_tgt = check_embedding(params["tgt_embed"])
    if E_tgt.shape[0] != K + 1:
        raise bad_value("params['tgt_embed']['E']", f"K + 1 = {K + 1} rows (the output symbols "
                        "and the start symbol)", f"shape {E_tgt.shape}")
    _check_input_size(params["decoder"], E_tgt.shape[1], "params['decoder']",
                      "params['tgt_embed']['E']")
    with named("params['src_embed']"):
        d = check_embedding(params["src_embed"]).shape[1]
    if is_sa_encoder(params["encoder"]):
        if d % 2:
            raise bad_value("params['src_embed']['E']", "an even number of columns d (the "
                            "self-attention encoder's position encodings pair a sine with a "
                            "cosine)", f"shape {np.shape(params['src_embed']['E'])}")
        with named("params['encoder']"):
            check_sa_encoder(params["encoder"], d, H)
    else:
        cell_of(params["encoder"], "params['encoder']")
        W = np.shape(params["encoder"]["W"])
        if W[1] != H:
            raise bad_value("params['encoder']['W']", f"shape (G·H, H) with the decoder's H = {H} "
                            "(the context is the decoder's first state)", f"shape {W}")
        _check_input_size(params["encoder"], d, "params['encoder']",
                          "params['src_embed']['E']")
    if "attention" in params:
        check_param_mapping(params, ("Vc",))
        check_shape("params['Vc']", check_float_array("params['Vc']", params["Vc"]), (K, H),
                    "(K, H) like params['V']")


def encode(params: dict, src, *, src_lengths=None) -> Encoded:
    """Embed and encode src (S, B) token ids, right-padded to S; src_lengths (B,) or None."""
    check_tree(params)
    src = check_token_ids("src", src, np.shape(params["src_embed"]["E"])[0], axes=("S", "B"),
                          bound="N")
    S, B = src.shape
    lengths = check_lengths(src_lengths, S, B, "src_lengths")
    with named("params['src_embed']"):
        x = embedding_forward(params["src_embed"], src)
    mask = length_mask(lengths, S)
    if is_sa_encoder(params["encoder"]):
        cache = sa_encoder_forward(params["encoder"], x, mask)
        context = np.sum(cache.h * mask[..., None], axis=0) / lengths[:, None]   # mean over real j
    else:
        cache = layer_forward(params["encoder"], x, cell=cell_of(params["encoder"]),
                              name="params['encoder']")           # from h0 = 0
        context = last_states(cache.h, lengths)
    return Encoded(src=src, x=x, cache=cache, lengths=lengths, mask=mask, context=context)


def attend(params: dict, states: np.ndarray, enc: Encoded, rows=None) -> attn.AttentionCache:
    """C_i and α_{ij} for decoder states (T', N, H), all steps at once: the pass's ``.context``
    (T', N, H) and ``.alpha`` (T', S, N), kept for ``attn.backward_from``.

    ``rows`` (N,) picks which source each decoder row reads (beam search); None means row b
    reads source b.
    """
    keys, mask = (enc.keys, enc.mask) if rows is None else (enc.keys[:, rows], enc.mask[:, rows])
    with named("params['attention']"):
        return attn.run(params["attention"] or None, states, keys, mask=mask,
                        kind=attention_of(params))


def logits(params: dict, states: np.ndarray, contexts=None) -> np.ndarray:
    """o_i = c + V h^{dec}_i (+ V_C C_i): states (..., H) -> (..., K)."""
    o = states @ np.asarray(params["V"]).T + params["c"]
    if contexts is not None:
        o = o + contexts @ np.asarray(params["Vc"]).T
    return o


@dataclass
class Forward:
    """A teacher-forced (or given-input) pass: the encoder, the decoder's cache, its inputs
    (T', B), the attention's pass (None without attention), logits o (T', B, K)."""

    enc: Encoded
    dec: object
    inputs: np.ndarray
    y: np.ndarray
    att: attn.AttentionCache | None
    o: np.ndarray

    @property
    def contexts(self) -> np.ndarray | None:
        """C_i (T', B, H), None without attention."""
        return None if self.att is None else self.att.context

    @property
    def weights(self) -> np.ndarray | None:
        """α (T', S, B), None without attention."""
        return None if self.att is None else self.att.alpha


def check_targets(targets, B: int, K: int, name: str = "targets") -> np.ndarray:
    """Target ids (T', B) with T' >= 1, each in [0, K); returned as int64."""
    tgt = check_int_ids(name, targets, f"integer ids of shape (T', B={B})")
    if tgt.ndim != 2 or tgt.shape[0] == 0 or tgt.shape[1] != B:
        raise bad_value(name, f"ids of shape (T', B = {B}) with T' >= 1", f"shape {tgt.shape}")
    return check_class_ids(name, tgt, tgt.shape, K)


def decode_states(params: dict, z: np.ndarray, state: tuple):
    """The decoder layer over the fed symbols z (T', N) ids from ``state``: (h0,) or, for the
    LSTM, (h0, s0), each (N, H). Returns the layer's cache (``.h`` (T', N, H), ``.last``)."""
    with named("params['tgt_embed']"):
        x = embedding_forward(params["tgt_embed"], z)
    return layer_forward(params["decoder"], x, state[0], s0=state[1] if len(state) > 1 else None,
                         cell=cell_of(params["decoder"]), name="params['decoder']")


def forward(params: dict, src, targets, *, src_lengths=None, decoder_inputs=None) -> Forward:
    """Encode, then decode reading ``decoder_inputs`` (default: teacher forcing from targets).

    src (S, B) ids; targets (T', B) ids in [0, K); decoder_inputs (T', B) ids in [0, K].
    """
    enc = encode(params, src, src_lengths=src_lengths)
    K = start_id(params)
    y = check_targets(targets, enc.src.shape[1], K)
    if decoder_inputs is None:
        z = teacher_forcing(y, K)
    else:
        z = check_shape("decoder_inputs", check_token_ids("decoder_inputs", decoder_inputs, K + 1,
                                                          bound="K + 1"), y.shape, "like targets")
    dec = decode_states(params, z, (enc.context,))
    att = None if attention_of(params) is None else attend(params, dec.h, enc)
    return Forward(enc, dec, z, y, att, logits(params, dec.h, None if att is None else att.context))


def loss_and_grads(params: dict, src, targets, *, src_lengths=None, tgt_lengths=None,
                   decoder_inputs=None):
    """The summed cross-entropy of the targets and its gradient for every parameter.

    src (S, B) ids, right-padded; targets (T', B) ids, right-padded (padded steps not scored);
    src_lengths, tgt_lengths (B,) or None (all full length). decoder_inputs: as ``forward``.
    Returns (loss, grads shaped like params).
    """
    run = forward(params, src, targets, src_lengths=src_lengths, decoder_inputs=decoder_inputs)
    T_out, B, K = run.o.shape
    mask = length_mask(check_lengths(tgt_lengths, T_out, B, "tgt_lengths"), T_out)
    losses, d_o = cross_entropy(run.o, run.y)
    d_o *= mask[..., None]                          # padded steps send nothing back
    loss = float(np.where(mask, losses, 0.0).sum())
    H = run.dec.h.shape[2]
    d2 = d_o.reshape(T_out * B, K)
    grads = {"V": d2.T @ run.dec.h.reshape(-1, H), "c": d2.sum(axis=0)}
    dh_dec = d_o @ np.asarray(params["V"])           # ∂L/∂h^{dec}_i from the output layer
    dkeys = np.zeros_like(run.enc.keys)
    if run.att is not None:
        grads["Vc"] = d2.T @ run.contexts.reshape(-1, H)
        dC = d_o @ np.asarray(params["Vc"])          # ∂L/∂C_i
        g = attn.backward_from(run.att, dC)          # all T' steps at once, from the kept pass
        dh_dec += g["query"]
        dkeys += g["keys"]
        grads["attention"] = {k: g[k] for k in params["attention"]}
    g_dec = layer_backward(params["decoder"], run.dec, dh_dec, input_grad=True)
    grads["tgt_embed"] = embedding_backward(params["tgt_embed"], run.inputs, g_dec["xs"])
    if is_sa_encoder(params["encoder"]):
        # C is the mean of the real positions' states: each gets ∂L/∂C / L_b
        dkeys += run.enc.mask[..., None] * (g_dec["h0"] / run.enc.lengths[:, None])[None]
        g_enc = sa_encoder_backward(params["encoder"], run.enc.cache, dkeys)
        enc_keys = SA_KEYS
    else:
        # ∂L/∂C = ∂L/∂h^{dec}_0 enters the encoder at each source's last real step
        dkeys += to_last_steps(g_dec["h0"], run.enc.lengths, dkeys.shape[0])
        g_enc = layer_backward(params["encoder"], run.enc.cache, dkeys, input_grad=True)
        enc_keys = LAYER_KEYS
    grads["src_embed"] = embedding_backward(params["src_embed"], run.enc.src, g_enc["xs"])
    grads["encoder"] = {k: g_enc[k] for k in enc_keys}
    grads["decoder"] = {k: g_dec[k] for k in LAYER_KEYS}
    return loss, grads


__all__ = ["ATTENTION", "ENCODERS", "Encoded", "Forward", "attend", "attention_of", "check_targets",
           "check_tree", "decode_states", "decoder_inputs", "encode", "forward", "init_seq2seq",
           "logits", "loss_and_grads", "start_id"]

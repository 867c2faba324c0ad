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
from ..heads import check_ids
from ..masking import check_lengths, last_states, length_mask, to_last_steps
from ...core.losses import cross_entropy
from ...core.validation import (bad_value, check_choice, check_output_layer, check_param_mapping,
                                check_token_ids)
from .embedding import embedding_backward, embedding_forward, init_embedding
from .recurrent import KEYS, cell_of, init_recurrent, recurrent_backward, recurrent_forward
from .self_attention import (SA_KEYS, init_sa_encoder, is_sa_encoder, sa_encoder_backward,
                             sa_encoder_forward)

ATTENTION = (None, "additive", "dot")
ENCODERS = ("recurrent", "self_attention")


def init_seq2seq(src_tokens: int, tgt_tokens: int, *, embed_size: int = 16,
                 hidden_size: int = 48, cell: str = "gru", attention: str | None = None,
                 attention_size: int | None = None, encoder: str = "recurrent",
                 seed: int = 0) -> dict:
    """Random parameters: N = src_tokens source tokens, K = tgt_tokens output symbols.

    attention: None (the plain encoder–decoder), "additive" or "dot". attention_size: A for
    additive attention (default H). encoder: "recurrent" (a layer of ``cell``) or
    "self_attention" (one head over the embeddings plus position encodings, no recurrence; the
    decoder, still a recurrence of ``cell``, starts from the mean of its states).
    """
    check_choice("attention", attention, ATTENTION)
    check_choice("encoder", encoder, ENCODERS)
    H = hidden_size
    rng = np.random.default_rng(seed + 5)
    params = {"src_embed": init_embedding(src_tokens, embed_size, seed=seed),
              "tgt_embed": init_embedding(tgt_tokens + 1, embed_size, seed=seed + 1),
              "encoder": (init_recurrent(embed_size, H, cell=cell, seed=seed + 2)
                          if encoder == "recurrent" else init_sa_encoder(embed_size, H, seed=seed + 2)),
              "decoder": init_recurrent(embed_size, H, cell=cell, seed=seed + 3),
              "V": rng.normal(0.0, 1 / np.sqrt(H), (tgt_tokens, H)), "c": np.zeros(tgt_tokens)}
    if attention is not None:
        params["Vc"] = rng.normal(0.0, 1 / np.sqrt(H), (tgt_tokens, H))
        params["attention"] = ({} if attention == "dot" else
                               attn.init_params(H, H, attention_size or H, seed=seed + 4))
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


def check_tree(params) -> None:
    """A seq2seq tree (see init_seq2seq): a mapping with every one of its parts, its output
    layer V (K, H), c (K,) as wide as the decoder's states."""
    check_param_mapping(params, ("src_embed", "tgt_embed", "encoder", "decoder", "V", "c"))
    check_param_mapping(params["decoder"], KEYS, "params['decoder']")
    check_output_layer(params, np.shape(params["decoder"]["W"])[-1])


def encode(params: dict, src, *, src_lengths=None) -> Encoded:
    """Embed and encode src (S, B) token ids, right-padded to S; src_lengths (B,) or None."""
    check_tree(params)
    src = check_token_ids("src", src, np.shape(params["src_embed"]["E"])[0], axes=("S", "B"),
                          bound="N")
    S, B = src.shape
    lengths = check_lengths(src_lengths, S, B, "src_lengths")
    x = embedding_forward(params["src_embed"], src)
    mask = length_mask(lengths, S)
    if is_sa_encoder(params["encoder"]):
        cache = sa_encoder_forward(params["encoder"], x, mask)
        context = np.sum(cache.h * mask[..., None], axis=0) / lengths[:, None]   # mean over real j
    else:
        H = np.shape(params["encoder"]["W"])[1]
        cache = recurrent_forward(params["encoder"], x, np.zeros((B, H)))
        context = last_states(cache.h, lengths)
    return Encoded(src=src, x=x, cache=cache, lengths=lengths, mask=mask, context=context)


def attend(params: dict, states: np.ndarray, enc: Encoded, rows=None) -> attn.AttentionCache:
    """C_i and α_{ij} for decoder states (T', N, H), all steps at once: the pass's ``.context``
    (T', N, H) and ``.alpha`` (T', S, N), kept for ``attn.backward_from``.

    ``rows`` (N,) picks which source each decoder row reads (beam search); None means row b
    reads source b.
    """
    keys, mask = (enc.keys, enc.mask) if rows is None else (enc.keys[:, rows], enc.mask[:, rows])
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


def decoder_inputs(targets: np.ndarray, start: int) -> np.ndarray:
    """Teacher forcing: z_1 = start, z_i = y_{i-1}. targets (T', B) -> (T', B)."""
    z = np.empty_like(targets)
    z[0], z[1:] = start, targets[:-1]
    return z


def forward(params: dict, src, targets, *, src_lengths=None, decoder_inputs=None) -> Forward:
    """Encode, then decode reading ``decoder_inputs`` (default: teacher forcing from targets).

    src (S, B) ids; targets (T', B) ids in [0, K); decoder_inputs (T', B) ids in [0, K].
    """
    enc = encode(params, src, src_lengths=src_lengths)
    B = enc.src.shape[1]
    K = start_id(params)
    tgt = np.asarray(targets)
    T_out = tgt.shape[0] if tgt.ndim == 2 else 0
    y = check_ids("targets", tgt, (T_out, B), K)
    if T_out == 0:
        raise bad_value("targets", f"ids of shape (T', B = {B}) with T' >= 1", f"shape {tgt.shape}")
    if decoder_inputs is None:
        z = globals()["decoder_inputs"](y, K)
    else:
        z = check_ids("decoder_inputs", decoder_inputs, (T_out, B), K + 1)
    x = embedding_forward(params["tgt_embed"], z)
    dec = recurrent_forward(params["decoder"], x, enc.context)
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
    g_dec = recurrent_backward(params["decoder"], run.dec, dh_dec)
    grads["tgt_embed"] = embedding_backward(params["tgt_embed"], run.inputs, g_dec["xs"])
    if is_sa_encoder(params["encoder"]):
        # C is the mean of the real positions' states: each gets ∂L/∂C / L_b
        dkeys += run.enc.mask[..., None] * (g_dec["h0"] / run.enc.lengths[:, None])[None]
        g_enc = sa_encoder_backward(params["encoder"], run.enc.cache, dkeys)
        enc_keys = SA_KEYS
    else:
        # ∂L/∂C = ∂L/∂h^{dec}_0 enters the encoder at each source's last real step
        dkeys += to_last_steps(g_dec["h0"], run.enc.lengths, dkeys.shape[0])
        g_enc = recurrent_backward(params["encoder"], run.enc.cache, dkeys)
        enc_keys = KEYS
    grads["src_embed"] = embedding_backward(params["src_embed"], run.enc.src, g_enc["xs"])
    grads["encoder"] = {k: g_enc[k] for k in enc_keys}
    grads["decoder"] = {k: g_dec[k] for k in KEYS}
    return loss, grads


__all__ = ["ATTENTION", "ENCODERS", "Encoded", "Forward", "attend", "attention_of", "cell_of",
           "decoder_inputs", "encode", "forward", "init_seq2seq", "logits", "loss_and_grads",
           "start_id"]

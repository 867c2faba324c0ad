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
architecture runs the core's cell protocol through); the cell of each is read off its
parameters' shapes (``layer.cell_of``). Teacher forcing's inputs are
``encoder_decoder.decoder_inputs``, chapter 7's. Every public function checks the whole tree
once (``check_tree``, which names a bad parameter where it sits) and then runs the layers
unchecked (``layer.run_layer``, ``attention.run_checked``): a decoder that runs one step at a
time would otherwise check every array again at every step.

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

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .. import attention as attn
from ..encoder_decoder import decoder_inputs as teacher_forcing   # forward's keyword is decoder_inputs
from ..layer import LAYER_KEYS, cell_of, init_layer, layer_backward, run_layer, start_state
from ..masking import check_lengths, last_states, length_mask, to_last_steps
from ...core.losses import cross_entropy
from ...core.validation import (CELLS, GATE_COUNT, bad_type, bad_value, check_choice,
                                check_class_ids, check_even, check_float_array, check_int,
                                check_int_ids, check_output_layer, check_param_mapping,
                                check_shape, check_token_ids, named)
from .embedding import check_embedding, embedding_backward, init_embedding
from .self_attention import (SA_KEYS, check_sa_encoder, init_sa_encoder, is_sa_encoder,
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
    size of additive attention's hidden layer, an int >= 1, or None for A = H; it is checked
    whatever ``attention`` is and used only by additive attention. encoder: "recurrent" (a
    layer of ``cell``) or "self_attention" (one head over the embeddings plus position
    encodings, no recurrence, so embed_size must be even; the decoder, still a recurrence of
    ``cell``, starts from the mean of its states).
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


def attention_of(params) -> str | None:
    """None, "additive" or "dot", read off the parameter tree: no "attention" entry, a mapping
    of W_a, U_a, v_a, or an empty mapping (dot attention has no parameters)."""
    if not isinstance(params, Mapping):
        raise bad_type("params", "a seq2seq parameter tree (a mapping, see init_seq2seq)", params)
    if "attention" not in params:
        return None
    if not isinstance(params["attention"], Mapping):     # None or [] must not read as "dot"
        raise bad_type("params['attention']", "a mapping: {} for dot attention, {Wa, Ua, va} "
                       "for additive", params["attention"])
    return "additive" if params["attention"] else "dot"


def start_id(params) -> int:
    """The start symbol: the decoder's last input id, K, the number of rows of V (K, H)."""
    check_param_mapping(params, ("V",))
    shape = np.shape(params["V"])
    if len(shape) != 2 or shape[0] == 0:
        raise bad_value("params['V']", "shape (K, H) with K >= 1", f"shape {shape}")
    return int(shape[0])


@dataclass
class Checked:
    """A checked tree: ``p`` holds its arrays as float64 (the caller's own where they already
    are), in the tree's layout; the encoder ("rnn", "lstm", "gru" or "self_attention"), the
    decoder's cell, the attention (None, "additive", "dot"), N source tokens, K output symbols
    (the start symbol is K)."""

    p: dict
    encoder: str
    decoder: str
    attention: str | None
    N: int
    K: int


PARTS = ("src_embed", "tgt_embed", "encoder", "decoder", "V", "c")


def _check_input_size(layer, d: int, name: str, what: str) -> None:
    """A layer's U must have one column per number of the embedding it reads: (G·H, d)."""
    shape = np.shape(layer["U"])
    if len(shape) != 2 or shape[1] != d:
        raise bad_value(f"{name}['U']", f"shape (G·H, d={d}), d the number of columns of {what}",
                        f"shape {shape}")


def _check_layer(params, part: str, d: int, what: str, H: int | None = None) -> tuple[dict, str]:
    """A recurrent part of the tree, params[part]: finite U (G·H, d), W (G·H, H), b (G·H,), the
    cell read off W; H, when given, the decoder's. Returns (the arrays as float64, the cell)."""
    name = f"params['{part}']"
    cell = cell_of(params[part], name)                   # W (G·H, H) with G = 1, 4 or 3
    with named(name):
        p = {k: check_float_array(f"params['{k}']", params[part][k]) for k in LAYER_KEYS}
    G, width = GATE_COUNT[cell], p["W"].shape[1]
    if H is not None and width != H:
        raise bad_value(f"{name}['W']", f"shape (G·H, H) with the decoder's H = {H} (the "
                        "context is the decoder's first state)", f"shape {p['W'].shape}")
    _check_input_size(p, d, name, what)
    if p["U"].shape[0] != G * width:
        raise bad_value(f"{name}['U']", f"shape ({G}·H, d) = ({G * width}, {d}) for "
                        f"cell='{cell}'", f"shape {p['U'].shape}")
    check_shape(f"{name}['b']", p["b"], (G * width,), f"(G·H,) for cell='{cell}'")
    return p, cell


def check_tree(params) -> Checked:
    """A seq2seq tree (see init_seq2seq), each part checked against the others, so that an
    error names the parameter at fault (as "params['encoder']['W']") rather than an array
    computed from it: every array finite; src_embed (N, d), tgt_embed (K + 1, d'); the decoder
    a layer over d' inputs, its output layer V (K, H), c (K,); the encoder a layer over d
    inputs with states of the decoder's size H (or a self-attention encoder, d even); with
    attention, Vc (K, H) and params["attention"] a mapping, {} (dot) or W_a (A, H), U_a (A, H),
    v_a (A,) (additive). Returns the tree checked (``Checked``), which the model's internals
    run on without checking again."""
    check_param_mapping(params, PARTS)
    kind = attention_of(params)
    cell_of(params["decoder"], "params['decoder']")
    H = np.shape(params["decoder"]["W"])[1]
    V, c = check_output_layer(params, H)
    K = V.shape[0]
    with named("params['tgt_embed']"):
        E_tgt = check_embedding(params["tgt_embed"])
    if E_tgt.shape[0] != K + 1:
        raise bad_value("params['tgt_embed']['E']", f"K + 1 = {K + 1} rows (the output symbols "
                        "and the start symbol)", f"shape {E_tgt.shape}")
    decoder, dec_cell = _check_layer(params, "decoder", E_tgt.shape[1], "params['tgt_embed']['E']")
    with named("params['src_embed']"):
        E_src = check_embedding(params["src_embed"])
    d = E_src.shape[1]
    if is_sa_encoder(params["encoder"]):
        if d % 2:
            raise bad_value("params['src_embed']['E']", "an even number of columns d (the "
                            "self-attention encoder's position encodings pair a sine with a "
                            "cosine)", f"shape {E_src.shape}")
        with named("params['encoder']"):
            encoder = check_sa_encoder(params["encoder"], d, H)
        enc_cell = "self_attention"
    else:
        encoder, enc_cell = _check_layer(params, "encoder", d, "params['src_embed']['E']", H)
    p = {"src_embed": {"E": E_src}, "tgt_embed": {"E": E_tgt}, "encoder": encoder,
         "decoder": decoder, "V": V, "c": c}
    if kind is not None:
        check_param_mapping(params, ("Vc",))
        p["Vc"] = check_shape("params['Vc']", check_float_array("params['Vc']", params["Vc"]),
                              (K, H), "(K, H) like params['V']")
        if kind == "dot":
            p["attention"] = {}
        else:
            with named("params['attention']"):
                p["attention"] = attn.check_params(params["attention"], H, H)
    return Checked(p, enc_cell, dec_cell, kind, E_src.shape[0], K)


def check_source(tree: Checked, src, src_lengths) -> tuple[np.ndarray, np.ndarray]:
    """src (S, B) ids in [0, N), S, B >= 1, and src_lengths (B,) in [1, S] or None (all S):
    returned as int64 arrays."""
    src = check_token_ids("src", src, tree.N, axes=("S", "B"), bound="N")
    if 0 in src.shape:
        raise bad_value("src", "ids of shape (S, B) with S, B >= 1", f"shape {src.shape}")
    return src, check_lengths(src_lengths, *src.shape, "src_lengths")


@dataclass
class Encoded:
    """The encoder's run: the source ids (S, B), the encoder's cache (a recurrent layer's
    ``LayerCache``, or the self-attention encoder's ``SACache``), lengths (B,), mask (S, B) True
    on real positions, and the context C (B, H), the decoder's first state: h^{enc}_{L_b}, each
    source's last real state, for a recurrent encoder; the mean of the real positions' states
    for the self-attention encoder. ``projected``: U_a h^{enc}_j (S, B, A) for additive
    attention, computed once for every decoder step (None otherwise, or when not asked for)."""

    src: np.ndarray
    cache: object
    lengths: np.ndarray
    mask: np.ndarray
    context: np.ndarray
    projected: np.ndarray | None = None

    @property
    def keys(self) -> np.ndarray:
        """h^{enc}_1..h^{enc}_S (S, B, H): what attention looks at."""
        return self.cache.h


def run_encoder(tree: Checked, src: np.ndarray, lengths: np.ndarray, *,
                project: bool = True) -> Encoded:
    """``encode`` on a checked tree and source (``check_tree``, ``check_source``): src (S, B)
    ids, lengths (B,). ``project``: whether to compute U_a h^{enc}_j (S, B, A) for additive
    attention."""
    p = tree.p
    S, B = src.shape
    x = np.take(p["src_embed"]["E"], src, axis=0)           # the embedding layer: (S, B, d)
    mask = length_mask(lengths, S)
    if tree.encoder == "self_attention":
        cache = sa_encoder_forward(p["encoder"], x, mask)
        context = np.sum(cache.h * mask[..., None], axis=0) / lengths[:, None]   # mean over real j
    else:
        H = p["encoder"]["W"].shape[1]
        cache = run_layer(p["encoder"], x, start_state(np.zeros((B, H)), tree.encoder),
                          cell=tree.encoder)                 # from h0 = 0
        context = last_states(cache.h, lengths)
    projected = (attn.project_keys(p["attention"], cache.h)
                 if project and tree.attention == "additive" else None)
    return Encoded(src=src, cache=cache, lengths=lengths, mask=mask, context=context,
                   projected=projected)


def encode(params: dict, src, *, src_lengths=None) -> Encoded:
    """Embed and encode src (S, B) token ids, right-padded to S; src_lengths (B,) or None."""
    tree = check_tree(params)
    return run_encoder(tree, *check_source(tree, src, src_lengths))


def attend(tree: Checked, states: np.ndarray, keys: np.ndarray, mask: np.ndarray,
           projected=None) -> attn.AttentionCache:
    """C_i and α_{ij} for decoder states (T', N, H), all steps at once, over keys (S, N, H)
    with mask (S, N) (an encoder's, or the rows of it a beam reads); ``projected``: U_a keys
    if kept (``attention.project_keys``). The pass's ``.context`` (T', N, H) and ``.alpha``
    (T', S, N) are kept for ``attn.backward_from``."""
    params = tree.p["attention"] if tree.attention == "additive" else None
    return attn.run_checked(params, states, keys, mask, tree.attention, projected)


def logits(params: dict, states: np.ndarray, contexts=None) -> np.ndarray:
    """o_i = c + V h^{dec}_i (+ V_C C_i): states (..., H) -> (..., K)."""
    o = states @ np.asarray(params["V"]).T + params["c"]
    if contexts is not None:
        o = o + contexts @ np.asarray(params["Vc"]).T
    return o


@dataclass
class Forward:
    """A teacher-forced (or given-input) pass: the encoder, the decoder's cache, its inputs
    (T', B), the targets y (T', B) as checked (int64), the attention's pass (None without
    attention), logits o (T', B, K)."""

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


def decode_states(tree: Checked, z: np.ndarray, state: tuple):
    """The decoder layer over the fed symbols z (T', N) ids from ``state``: (h0,) or, for the
    LSTM, (h0, s0), each (N, H). Returns the layer's cache (``.h`` (T', N, H), ``.last``)."""
    x = np.take(tree.p["tgt_embed"]["E"], z, axis=0)        # the embedding layer
    return run_layer(tree.p["decoder"], x, state, cell=tree.decoder)


def run_forward(tree: Checked, src: np.ndarray, lengths: np.ndarray, targets,
                decoder_inputs=None) -> Forward:
    """``forward`` on a checked tree and source (src (S, B) ids, lengths (B,)); targets (T', B)
    and decoder_inputs (T', B) or None are checked here."""
    enc = run_encoder(tree, src, lengths)
    K = tree.K
    y = check_targets(targets, src.shape[1], K)
    if decoder_inputs is None:
        z = teacher_forcing(y, K)
    else:
        z = check_shape("decoder_inputs", check_token_ids("decoder_inputs", decoder_inputs, K + 1,
                                                          bound="K + 1"), y.shape, "like targets")
    dec = decode_states(tree, z, start_state(enc.context, tree.decoder))
    att = None if tree.attention is None else attend(tree, dec.h, enc.keys, enc.mask,
                                                     enc.projected)
    return Forward(enc, dec, z, y, att, logits(tree.p, dec.h, None if att is None else att.context))


def forward(params: dict, src, targets, *, src_lengths=None, decoder_inputs=None) -> Forward:
    """Encode, then decode reading ``decoder_inputs`` (default: teacher forcing from targets).

    src (S, B) ids; targets (T', B) ids in [0, K); decoder_inputs (T', B) ids in [0, K].
    """
    tree = check_tree(params)
    return run_forward(tree, *check_source(tree, src, src_lengths), targets, decoder_inputs)


def loss_and_grads(params: dict, src, targets, *, src_lengths=None, tgt_lengths=None,
                   decoder_inputs=None):
    """The summed cross-entropy of the targets and its gradient for every parameter.

    src (S, B) ids, right-padded; targets (T', B) ids, right-padded (padded steps not scored);
    src_lengths, tgt_lengths (B,) or None (all full length). decoder_inputs: as ``forward``.
    Returns (loss, grads shaped like params).
    """
    tree = check_tree(params)
    p = tree.p
    run = run_forward(tree, *check_source(tree, src, src_lengths), targets, decoder_inputs)
    T_out, B, K = run.o.shape
    mask = length_mask(check_lengths(tgt_lengths, T_out, B, "tgt_lengths"), T_out)
    losses, d_o = cross_entropy(run.o, run.y)
    d_o *= mask[..., None]                          # padded steps send nothing back
    loss = float(np.where(mask, losses, 0.0).sum())
    H = run.dec.h.shape[2]
    d2 = d_o.reshape(T_out * B, K)
    grads = {"V": d2.T @ run.dec.h.reshape(-1, H), "c": d2.sum(axis=0)}
    dh_dec = d_o @ p["V"]                            # ∂L/∂h^{dec}_i from the output layer
    dkeys = np.zeros_like(run.enc.keys)
    if run.att is not None:
        grads["Vc"] = d2.T @ run.contexts.reshape(-1, H)
        dC = d_o @ p["Vc"]                           # ∂L/∂C_i
        g = attn.backward_from(run.att, dC)          # all T' steps at once, from the kept pass
        dh_dec += g["query"]
        dkeys += g["keys"]
        grads["attention"] = {k: g[k] for k in params["attention"]}
    g_dec = layer_backward(p["decoder"], run.dec, dh_dec, input_grad=True,
                           name="params['decoder']")
    grads["tgt_embed"] = embedding_backward(p["tgt_embed"], run.inputs, g_dec["xs"])
    if tree.encoder == "self_attention":
        # C is the mean of the real positions' states: each gets ∂L/∂C / L_b
        dkeys += run.enc.mask[..., None] * (g_dec["h0"] / run.enc.lengths[:, None])[None]
        g_enc = sa_encoder_backward(p["encoder"], run.enc.cache, dkeys)
        enc_keys = SA_KEYS
    else:
        # ∂L/∂C = ∂L/∂h^{dec}_0 enters the encoder at each source's last real step
        dkeys += to_last_steps(g_dec["h0"], run.enc.lengths, dkeys.shape[0])
        g_enc = layer_backward(p["encoder"], run.enc.cache, dkeys, input_grad=True,
                               name="params['encoder']")
        enc_keys = LAYER_KEYS
    grads["src_embed"] = embedding_backward(p["src_embed"], run.enc.src, g_enc["xs"])
    grads["encoder"] = {k: g_enc[k] for k in enc_keys}
    grads["decoder"] = {k: g_dec[k] for k in LAYER_KEYS}
    return loss, grads


__all__ = ["ATTENTION", "ENCODERS", "Checked", "Encoded", "Forward", "attend", "attention_of",
           "check_source", "check_targets", "check_tree", "decode_states", "encode", "forward",
           "init_seq2seq", "logits", "loss_and_grads", "run_encoder", "run_forward", "start_id"]

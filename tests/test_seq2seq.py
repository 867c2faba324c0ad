"""rnnlib.architectures.seq2seq: embedding, the encoder–decoder with and without attention, decoding, the task."""
from __future__ import annotations

import re

import numpy as np
import pytest

from rnnlib.training.tree import copy_tree, get, leaves, tree_grad_errors
from rnnlib.core.gradcheck import numerical_grads, relative_error
from rnnlib.architectures import encoder_decoder
from rnnlib.architectures.layer import LayerCache, cell_of, layer_backward, layer_forward
from rnnlib.architectures.layer import init_layer as init_layer_
from rnnlib.architectures.seq2seq import (beam_search, embedding_backward, embedding_forward, greedy_decode,
                            init_embedding, init_seq2seq, loss_and_grads, sampled_inputs, tasks)
from rnnlib.architectures.seq2seq import attention_of, cut, normalised, start_id
from rnnlib.architectures.seq2seq import decoder_inputs
from rnnlib.architectures.seq2seq.model import encode, forward
from rnnlib.architectures.seq2seq.self_attention import positional_encoding, self_attention
from rnnlib.architectures.seq2seq.tasks import (encode_pairs, number_words, pad_batch, sample_numbers,
                                                source_text, target_text)
from rnnlib.architectures.seq2seq.train import batches, exact_match, fit_seq2seq, symbol_accuracy
from rnnlib.widgets import attention_stepper


def test_embedding_backward_is_a_scatter_add_checked_by_finite_differences():
    rng = np.random.default_rng(0)
    params = init_embedding(6, 3, seed=1)
    ids = np.array([[0, 2], [2, 2], [5, 0]])
    dx = rng.normal(0, 1, (3, 2, 3))
    g = embedding_backward(params, ids, dx)["E"]
    numeric = numerical_grads(lambda a: float(np.sum(embedding_forward(a, ids) * dx)),
                              {"E": params["E"].copy()})["E"]
    assert relative_error(g, numeric) < 1e-9
    np.testing.assert_allclose(g[2], dx[0, 1] + dx[1, 0] + dx[1, 1])     # token 2 read 3 times
    assert np.all(g[[1, 3, 4]] == 0.0)                                   # tokens never read


def _grad_errors(params, src, tgt, **kw):
    return tree_grad_errors(loss_and_grads, params, src, tgt, **kw)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("attention", [None, "additive", "dot"])
def test_gradients_match_finite_differences(cell, attention):
    rng = np.random.default_rng(1)
    params = init_seq2seq(7, 5, embed_size=3, hidden_size=4, cell=cell, attention=attention,
                          attention_size=3, seed=2)
    src, tgt = rng.integers(0, 7, (5, 3)), rng.integers(0, 5, (4, 3))
    errors = _grad_errors(params, src, tgt, src_lengths=np.array([5, 2, 4]),
                          tgt_lengths=np.array([4, 3, 1]))
    assert max(errors.values()) < 1e-5, errors


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("attention", [None, "additive"])
def test_padded_batch_equals_sequences_one_at_a_time(cell, attention):
    rng = np.random.default_rng(3)
    params = init_seq2seq(7, 5, embed_size=3, hidden_size=4, cell=cell, attention=attention, seed=4)
    srcs = [rng.integers(0, 7, n) for n in (4, 2, 5)]
    tgts = [rng.integers(0, 5, n) for n in (3, 1, 2)]
    src, sl = tasks.pad_batch(srcs, pad_id=6)          # what padding holds must not matter
    tgt, tl = tasks.pad_batch(tgts, pad_id=4)
    loss, grads = loss_and_grads(params, src, tgt, src_lengths=sl, tgt_lengths=tl)
    total, summed = 0.0, None
    for s, t in zip(srcs, tgts):
        l1, g1 = loss_and_grads(params, s[:, None], t[:, None])
        total += l1
        if summed is None:
            summed = copy_tree(g1)
        else:
            for path, arr in leaves(g1):
                get(summed, path)[...] += arr
    assert abs(loss - total) < 1e-10
    for path, arr in leaves(grads):
        np.testing.assert_allclose(arr, get(summed, path), atol=1e-11, err_msg=path)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("attention", [None, "dot"])
def test_beam_width_one_is_greedy(cell, attention):
    params = init_seq2seq(7, 5, embed_size=4, hidden_size=6, cell=cell, attention=attention, seed=5)
    params["c"][4] = 1.5                                  # make the end symbol (id 4) likely
    rng = np.random.default_rng(6)
    src, sl = tasks.pad_batch([rng.integers(0, 7, n) for n in (3, 6, 1, 4, 5, 2)])
    greedy = greedy_decode(params, src, steps=7, eos=4, src_lengths=sl)
    beams = beam_search(params, src, width=1, steps=7, eos=4, src_lengths=sl)
    for b, beam in enumerate(beams):
        np.testing.assert_array_equal(beam.tokens, greedy.outputs[b])
        n = len(greedy.outputs[b]) + (len(greedy.outputs[b]) < 7)   # the end symbol's term too
        assert abs(beam.log_prob - greedy.log_probs[:n, b].sum()) < 1e-12


def test_wider_beams_never_score_worse_without_normalisation():
    params = init_seq2seq(7, 5, embed_size=4, hidden_size=6, cell="gru", seed=7)
    params["c"][4] = 1.0
    src, sl = tasks.pad_batch([np.array([1, 2, 3]), np.array([4, 5])])
    for b in range(2):
        scores = [beam_search(params, src, width=w, steps=6, eos=4, src_lengths=sl,
                              alpha=0.0)[b].finished for w in (1, 4)]
        # the width-1 output is among the width-4 candidates or beaten by one of them
        assert max(f[1] for f in scores[1]) >= max(f[1] for f in scores[0]) - 1e-12


def test_padded_greedy_decoding_equals_one_at_a_time():
    params = init_seq2seq(7, 5, embed_size=4, hidden_size=6, cell="lstm", attention="additive",
                          seed=8)
    srcs = [np.array([1, 2, 3, 4]), np.array([5]), np.array([6, 0])]
    src, sl = tasks.pad_batch(srcs, pad_id=3)
    together = greedy_decode(params, src, steps=5, eos=4, src_lengths=sl)
    for b, s in enumerate(srcs):
        alone = greedy_decode(params, s[:, None], steps=5, eos=4)
        np.testing.assert_array_equal(together.tokens[:, b], alone.tokens[:, 0])
        np.testing.assert_allclose(together.weights[:, :len(s), b], alone.weights[:, :, 0],
                                   atol=1e-14)
        assert np.all(together.weights[:, len(s):, b] == 0.0)


def test_scheduled_sampling_inputs():
    params = init_seq2seq(7, 5, embed_size=3, hidden_size=4, seed=9)
    src = np.array([[1, 2], [3, 4], [5, 6]])
    tgt = np.array([[0, 1], [2, 3], [1, 1], [4, 4]])
    rng = np.random.default_rng(0)
    np.testing.assert_array_equal(sampled_inputs(params, src, tgt, p_true=1.0, rng=rng),
                                  decoder_inputs(tgt, 5))
    free = sampled_inputs(params, src, tgt, p_true=0.0, rng=rng)
    greedy = greedy_decode(params, src, steps=3, eos=4).tokens
    np.testing.assert_array_equal(free[1:], greedy)
    loss_given, _ = loss_and_grads(params, src, tgt, decoder_inputs=free)
    assert np.isfinite(loss_given)


def test_number_words():
    rng = np.random.default_rng(0)
    assert tasks.number_words(0) == ["zero"]
    assert tasks.number_words(412006, rng)[:4] == ["four", "hundred", "twelve", "thousand"]
    values = {"zero": 0, **{w: i for i, w in enumerate(tasks.ONES)},
              **{w: 10 * i for i, w in enumerate(tasks.TENS) if w}, "a": 1}

    def parse(words):          # read the words back, to check every generated sentence
        total, part = 0, 0
        for w in words:
            if w == "and":
                continue
            if w == "hundred":
                part *= 100
            elif w == "thousand":
                total, part = (total + part) * 1000, 0
            else:
                part += values[w]
        return total + part
    numbers = tasks.sample_numbers(500, seed=3)
    for x in numbers:
        assert parse(tasks.number_words(int(x), rng)) == x
    held_out = tasks.sample_numbers(100, seed=4, exclude=numbers)
    assert not set(held_out) & set(numbers)
    src, tgt = tasks.encode_pairs([305], seed=0)
    assert tasks.target_text(tgt[0]) == "305" and tgt[0][-1] == len(tasks.DIGITS)
    assert tasks.source_text(src[0]) in ("three hundred and five", "three hundred five")


def _nan(part, key, **kw):
    """A small model with one NaN in params[part][key] (part None: params[key])."""
    params = init_seq2seq(7, 4, embed_size=4, hidden_size=4, seed=0, **kw)
    (params if part is None else params[part])[key].flat[0] = np.nan
    return params


def _with(part, replacement):
    params = init_seq2seq(7, 4, embed_size=4, hidden_size=4, seed=0)
    params[part] = replacement
    return params


SRC, TGT = np.array([[1], [2]]), np.array([[1]])
WORDS = tasks.encode_pairs([12, 305])             # two (source, target) pairs of the task
WORD_MODEL = init_seq2seq(len(tasks.SOURCE_WORDS), len(tasks.TARGET_SYMBOLS), embed_size=4,
                          hidden_size=4, seed=0)


@pytest.mark.parametrize("call, name, error", [
    (lambda p: init_seq2seq(5, 4, attention="cosine"), "attention", ValueError),
    (lambda p: init_seq2seq(5, 4, cell="tree"), "cell", ValueError),
    (lambda p: init_seq2seq(5, 4, encoder="convolution"), "encoder", ValueError),
    (lambda p: init_seq2seq(0, 4), "src_tokens", ValueError),
    (lambda p: init_seq2seq(5, 0), "tgt_tokens", ValueError),
    (lambda p: init_seq2seq(5, 4, embed_size=0), "embed_size", ValueError),
    (lambda p: init_seq2seq(5, 4, embed_size=5, encoder="self_attention"), "embed_size", ValueError),
    (lambda p: init_seq2seq(5, 4, hidden_size=2.0), "hidden_size", TypeError),
    (lambda p: init_seq2seq(5, 4, attention="additive", attention_size=0), "attention_size",
     ValueError),
    (lambda p: init_seq2seq(5, 4, seed=-1), "seed", ValueError),
    (lambda p: init_embedding(0, 3), "n_tokens", ValueError),
    (lambda p: embedding_forward(p["src_embed"], np.array([0.5])), "ids", TypeError),
    (lambda p: embedding_forward(p["src_embed"], np.array([7])), "ids", ValueError),
    (lambda p: embedding_forward({"E": np.full((2, 3), np.nan)}, np.array([0])), "params['E']",
     ValueError),
    (lambda p: loss_and_grads(p, np.array([1, 2]), np.array([[1]])), "src", ValueError),
    (lambda p: loss_and_grads(p, np.array([[1], [9]]), np.array([[1]])), "src", ValueError),
    (lambda p: loss_and_grads(p, np.array([[1]]), np.array([[4]])), "targets", ValueError),
    (lambda p: loss_and_grads(p, np.array([[1]]), np.array([1])), "targets", ValueError),
    (lambda p: loss_and_grads(p, np.array([[1]]), np.array([[1]]), src_lengths=np.array([2])),
     "src_lengths", ValueError),
    (lambda p: loss_and_grads(p, SRC, TGT, decoder_inputs=np.array([[5]])), "decoder_inputs",
     ValueError),
    (lambda p: loss_and_grads({"V": 1}, np.array([[1]]), np.array([[1]])), "params", ValueError),
    # a bad parameter is named where it sits in the tree, not by what was computed from it
    # (the encoder's NaN used to surface as the decoder's 'h0', the embeddings' as 'xs')
    (lambda p: loss_and_grads(_nan("encoder", "W"), SRC, TGT), "params['encoder']['W']",
     ValueError),
    (lambda p: greedy_decode(_nan("encoder", "U", cell="lstm"), SRC, steps=2, eos=3),
     "params['encoder']['U']", ValueError),
    (lambda p: beam_search(_nan("decoder", "b"), SRC, width=2, steps=2, eos=3),
     "params['decoder']['b']", ValueError),
    (lambda p: loss_and_grads(_nan("encoder", "Wq", encoder="self_attention"), SRC, TGT),
     "params['encoder']['Wq']", ValueError),
    (lambda p: loss_and_grads(_nan("src_embed", "E"), SRC, TGT), "params['src_embed']['E']",
     ValueError),
    (lambda p: loss_and_grads(_nan("tgt_embed", "E"), SRC, TGT), "params['tgt_embed']['E']",
     ValueError),
    (lambda p: loss_and_grads(_nan("attention", "Wa", attention="additive"), SRC, TGT),
     "params['attention']['Wa']", ValueError),
    (lambda p: loss_and_grads(_nan(None, "Vc", attention="dot"), SRC, TGT), "params['Vc']",
     ValueError),
    (lambda p: loss_and_grads(_with("encoder", init_seq2seq(7, 4, embed_size=4, hidden_size=5)[
        "encoder"]), SRC, TGT), "params['encoder']['W']", ValueError),
    (lambda p: loss_and_grads(_with("encoder", init_seq2seq(7, 4, embed_size=6, hidden_size=4)[
        "encoder"]), SRC, TGT), "params['encoder']['U']", ValueError),
    (lambda p: loss_and_grads(_with("tgt_embed", {"E": np.zeros((4, 4))}), SRC, TGT),
     "params['tgt_embed']['E']", ValueError),
    (lambda p: greedy_decode(p, np.array([[1]]), steps=0, eos=3), "steps", ValueError),
    (lambda p: greedy_decode(p, np.array([[1]]), steps=2, eos=4), "eos", ValueError),
    (lambda p: beam_search(p, np.array([[1]]), width=0, steps=2, eos=3), "width", ValueError),
    (lambda p: beam_search(p, np.array([[1]]), width=2, steps=2, eos=3, alpha=-1), "alpha",
     ValueError),
    (lambda p: sampled_inputs(p, np.array([[1]]), np.array([[1]]), p_true=2, rng=None), "p_true",
     ValueError),
    (lambda p: sampled_inputs(p, SRC, np.array([[1], [9]]), p_true=0.5,
                              rng=np.random.default_rng(0)), "targets", ValueError),
    (lambda p: sampled_inputs(p, SRC, np.array([[1], [2]]), p_true=0.5, rng=0), "rng", TypeError),
    (lambda p: greedy_decode(p, np.array([[1]]), steps=2, eos="3"), "eos", TypeError),
    (lambda p: cut(np.array([0.5]), 3), "tokens", TypeError),
    (lambda p: pad_batch(3), "sequences", TypeError),
    (lambda p: encode_pairs(["305"]), "numbers", TypeError),
    (lambda p: encode_pairs([-3]), "numbers", ValueError),
    (lambda p: encode_pairs([10 ** 6]), "numbers", ValueError),
    (lambda p: number_words(10 ** 6), "n", ValueError),
    (lambda p: sample_numbers(20, max_digits=1), "count", ValueError),
    (lambda p: sample_numbers(-1), "count", ValueError),
    (lambda p: sample_numbers(5, max_digits=7), "max_digits", ValueError),
    (lambda p: sample_numbers(5, max_digits=0), "max_digits", ValueError),
    (lambda p: source_text([3, -1]), "ids", ValueError),
    (lambda p: source_text([len(tasks.SOURCE_WORDS)]), "ids", ValueError),
    (lambda p: target_text([-1]), "ids", ValueError),
    (lambda p: target_text([len(tasks.TARGET_SYMBOLS)]), "ids", ValueError),
    (lambda p: batches(3, 3, size=1), "sources", TypeError),
    (lambda p: fit_seq2seq(WORD_MODEL, *WORDS, steps=1, batch=0), "batch", ValueError),
    (lambda p: fit_seq2seq(WORD_MODEL, *WORDS, steps=1, batch=3), "batch", ValueError),
    (lambda p: fit_seq2seq(WORD_MODEL, WORDS[0], WORDS[1][:1], steps=1, batch=1), "targets", ValueError),
    (lambda p: fit_seq2seq(WORD_MODEL, *WORDS, steps=1, batch=1, p_true=0.5), "p_true", TypeError),
    (lambda p: exact_match(WORD_MODEL, WORDS[0], WORDS[1][:1], eos=10), "targets", ValueError),
    (lambda p: symbol_accuracy(WORD_MODEL, WORDS[0], WORDS[1][:1], teacher_forced=True), "targets",
     ValueError),
    (lambda p: positional_encoding(2.0, 4), "T", TypeError),
    (lambda p: cell_of({"U": 1, "W": np.zeros((5, 2)), "b": 1}), "params['W']", ValueError),
    (lambda p: attention_stepper({"V": 1}, "a", src_labels=["a"], out_labels=["b"], eos=0),
     "params", ValueError),
])
def test_bad_input_names_the_argument(call, name, error):
    params = init_seq2seq(7, 4, embed_size=3, hidden_size=4, seed=0)
    with pytest.raises(error, match=f"argument '{re.escape(name)}'"):
        call(params)


def test_encoder_and_decoder_run_as_layers_of_the_architectures():
    """The seq2seq model has no recurrent layer of its own: its encoder's and decoder's states
    are what ``architectures.layer`` computes from the embedded inputs, and teacher forcing
    feeds chapter 7's ``decoder_inputs``."""
    assert decoder_inputs is encoder_decoder.decoder_inputs
    rng = np.random.default_rng(0)
    for cell in ("rnn", "lstm", "gru"):
        params = init_seq2seq(7, 5, embed_size=3, hidden_size=4, cell=cell, attention="dot", seed=1)
        src, tgt = rng.integers(0, 7, (4, 2)), rng.integers(0, 5, (3, 2))
        run = forward(params, src, tgt)
        assert isinstance(run.enc.cache, LayerCache) and isinstance(run.dec, LayerCache)
        assert cell_of(params["encoder"]) == cell == run.dec.cell
        alone = layer_forward(params["encoder"], embedding_forward(params["src_embed"], src),
                              cell=cell)
        np.testing.assert_array_equal(run.enc.keys, alone.h)
        z = decoder_inputs(tgt, 5)
        dec = layer_forward(params["decoder"], embedding_forward(params["tgt_embed"], z),
                            alone.h[-1], cell=cell)
        np.testing.assert_array_equal(run.dec.h, dec.h)
        # and the gradients the model hands the layer below are the layer's own
        dh = rng.normal(size=dec.h.shape)
        g = layer_backward(params["decoder"], dec, dh, input_grad=True)
        g_run = layer_backward(params["decoder"], run.dec, dh, input_grad=True)
        for key in ("U", "W", "b", "h0", "xs"):
            np.testing.assert_array_equal(g[key], g_run[key])


def test_encode_reads_the_context_at_each_sources_last_real_step():
    params = init_seq2seq(7, 5, embed_size=4, hidden_size=4, cell="lstm", seed=3)
    src = np.array([[1, 2], [3, 4], [5, 0]])
    enc = encode(params, src, src_lengths=np.array([3, 2]))
    np.testing.assert_array_equal(enc.context, [enc.keys[2, 0], enc.keys[1, 1]])


def test_forward_shapes():
    params = init_seq2seq(7, 5, embed_size=3, hidden_size=4, attention="additive", seed=0)
    run = forward(params, np.zeros((6, 2), int), np.zeros((3, 2), int), src_lengths=np.array([6, 2]))
    assert run.o.shape == (3, 2, 5) and run.weights.shape == (3, 6, 2)
    np.testing.assert_allclose(run.weights.sum(axis=1), 1.0)
    assert np.all(run.weights[:, 2:, 1] == 0.0)


def test_self_attention_is_permutation_equivariant_without_positions():
    from rnnlib.architectures.seq2seq.self_attention import positional_encoding, self_attention
    rng = np.random.default_rng(0)
    X = rng.normal(size=(5, 4))
    Wq, Wk, Wv = (rng.normal(size=(4, 4)) for _ in range(3))
    out, A = self_attention(X, Wq, Wk, Wv)
    np.testing.assert_allclose(A.sum(axis=1), 1.0)
    perm = np.array([3, 0, 4, 1, 2])
    out_p, _ = self_attention(X[perm], Wq, Wk, Wv)
    np.testing.assert_allclose(out_p, out[perm], atol=1e-12)
    pe = positional_encoding(5, 4)
    with_pos, _ = self_attention(X + pe, Wq, Wk, Wv)
    with_pos_p, _ = self_attention(X[perm] + pe, Wq, Wk, Wv)
    assert np.abs(with_pos_p - with_pos[perm]).max() > 1e-3
    _, Am = self_attention(X, Wq, Wk, Wv, mask=np.array([1, 1, 1, 0, 0], bool))
    assert np.all(Am[:, 3:] == 0.0)
    with pytest.raises(ValueError, match="argument 'd'"):
        positional_encoding(3, 5)


@pytest.mark.parametrize("attention", [None, "additive", "dot"])
def test_self_attention_encoder_gradients_match_finite_differences(attention):
    rng = np.random.default_rng(5)
    params = init_seq2seq(7, 5, embed_size=4, hidden_size=4, cell="gru", attention=attention,
                          attention_size=3, encoder="self_attention", seed=6)
    src, tgt = rng.integers(0, 7, (5, 3)), rng.integers(0, 5, (4, 3))
    errors = _grad_errors(params, src, tgt, src_lengths=np.array([5, 2, 4]),
                          tgt_lengths=np.array([4, 3, 1]))
    assert max(errors.values()) < 1e-5, errors


def test_self_attention_backward_matches_finite_differences_with_a_mask():
    from rnnlib.architectures.seq2seq.self_attention import self_attention, self_attention_backward
    rng = np.random.default_rng(7)
    X = rng.normal(size=(5, 4))
    W = {"Wq": rng.normal(size=(3, 4)), "Wk": rng.normal(size=(3, 4)), "Wv": rng.normal(size=(2, 4))}
    mask = np.array([1, 1, 1, 1, 0], bool)
    d_out = rng.normal(size=(5, 2))

    def loss(a):
        return float(np.sum(self_attention(a["X"], a["Wq"], a["Wk"], a["Wv"], mask=mask)[0] * d_out))
    _, weights = self_attention(X, W["Wq"], W["Wk"], W["Wv"], mask=mask)
    g = self_attention_backward(X, W["Wq"], W["Wk"], W["Wv"], weights, d_out)
    numeric = numerical_grads(loss, {"X": X.copy(), **{k: v.copy() for k, v in W.items()}})
    for k in numeric:
        assert relative_error(g[k], numeric[k]) < 1e-7, k


def test_self_attention_on_a_batch_equals_one_sequence_at_a_time():
    from rnnlib.architectures.seq2seq.self_attention import self_attention, self_attention_backward
    rng = np.random.default_rng(9)
    X = rng.normal(size=(3, 5, 4))                        # B = 3 sequences of T = 5 positions
    W = {"Wq": rng.normal(size=(3, 4)), "Wk": rng.normal(size=(3, 4)), "Wv": rng.normal(size=(2, 4))}
    mask = np.arange(5)[None] < np.array([5, 2, 4])[:, None]
    d_out = rng.normal(size=(3, 5, 2))
    out, weights = self_attention(X, W["Wq"], W["Wk"], W["Wv"], mask=mask)
    g = self_attention_backward(X, W["Wq"], W["Wk"], W["Wv"], weights, d_out)
    summed = {k: 0.0 for k in W}
    for b in range(3):
        out_b, weights_b = self_attention(X[b], W["Wq"], W["Wk"], W["Wv"], mask=mask[b])
        g_b = self_attention_backward(X[b], W["Wq"], W["Wk"], W["Wv"], weights_b, d_out[b])
        np.testing.assert_allclose(out[b], out_b, rtol=0, atol=1e-12)
        np.testing.assert_allclose(weights[b], weights_b, rtol=0, atol=1e-12)
        np.testing.assert_allclose(g["X"][b], g_b["X"], rtol=0, atol=1e-12)
        for k in W:
            summed[k] = summed[k] + g_b[k]
    for k in W:
        np.testing.assert_allclose(g[k], summed[k], rtol=0, atol=1e-12)


def test_self_attention_encoder_padding_does_not_matter():
    rng = np.random.default_rng(8)
    params = init_seq2seq(7, 5, embed_size=4, hidden_size=4, attention="dot",
                          encoder="self_attention", seed=9)
    srcs = [rng.integers(0, 7, n) for n in (4, 2)]
    tgts = [rng.integers(0, 5, n) for n in (3, 2)]
    src, sl = tasks.pad_batch(srcs, pad_id=6)
    tgt, tl = tasks.pad_batch(tgts, pad_id=4)
    loss, _ = loss_and_grads(params, src, tgt, src_lengths=sl, tgt_lengths=tl)
    total = sum(loss_and_grads(params, s[:, None], t[:, None])[0] for s, t in zip(srcs, tgts))
    assert abs(loss - total) < 1e-10


def test_training_lowers_the_loss_and_the_measures_agree_with_decoding():
    from rnnlib.architectures.seq2seq.train import batches, exact_match, fit_seq2seq, symbol_accuracy
    numbers = tasks.sample_numbers(200, max_digits=3, seed=0)
    src, tgt = tasks.encode_pairs(numbers, seed=0)
    params = init_seq2seq(len(tasks.SOURCE_WORDS), len(tasks.TARGET_SYMBOLS), embed_size=4,
                          hidden_size=8, attention="dot", seed=0)
    losses = fit_seq2seq(params, src, tgt, steps=60, batch=16, lr=0.1, seed=0)
    assert np.mean(losses[-10:]) < np.mean(losses[:10])
    eos = len(tasks.DIGITS)
    hits = exact_match(params, src[:40], tgt[:40], eos=eos, batch=15)
    padded, lengths = tasks.pad_batch(src[:40])
    outputs = greedy_decode(params, padded, steps=6, eos=eos, src_lengths=lengths).outputs
    manual = [len(o) == len(t) - 1 and bool(np.all(o == t[:-1])) for o, t in zip(outputs, tgt[:40])]
    np.testing.assert_array_equal(hits, manual)
    np.testing.assert_array_equal(exact_match(params, src[:40], tgt[:40], eos=eos, width=1), hits)
    s_tgt, t_len = tasks.pad_batch(tgt[:40])
    pred = forward(params, padded, s_tgt, src_lengths=lengths).o.argmax(axis=-1)
    mask = np.arange(s_tgt.shape[0])[:, None] < t_len[None, :]
    assert symbol_accuracy(params, src[:40], tgt[:40], teacher_forced=True) == \
        pytest.approx(np.mean((pred == s_tgt)[mask]))
    assert 0 <= symbol_accuracy(params, src[:40], tgt[:40], teacher_forced=False) <= 1
    with pytest.raises(ValueError, match="argument 'size'"):
        batches(src, tgt, size=0)


def test_training_snaps_the_parameters_to_float32_so_rounding_noise_is_absorbed():
    """A last-bit difference in the start (as another BLAS kernel's rounding makes in every
    gradient) gives the same trained parameters, bit for bit."""
    from rnnlib.architectures.seq2seq.train import fit_seq2seq, snap_to_float32
    tree = {"a": np.array([0.1, 1 / 3]), "b": {"c": np.array([[2 / 3]])}}
    snap_to_float32(tree)
    assert tree["a"].dtype == np.float64
    np.testing.assert_array_equal(tree["a"], np.float32([0.1, 1 / 3]).astype(float))
    assert tree["b"]["c"][0, 0] == float(np.float32(2 / 3))
    numbers = tasks.sample_numbers(100, max_digits=3, seed=1)
    src, tgt = tasks.encode_pairs(numbers, seed=1)
    runs = []
    for nudge in (0.0, 1e-15):
        params = init_seq2seq(len(tasks.SOURCE_WORDS), len(tasks.TARGET_SYMBOLS), embed_size=4,
                              hidden_size=8, attention="additive", seed=0)
        for _, leaf in leaves(params):
            leaf *= 1 + nudge
        fit_seq2seq(params, src, tgt, steps=40, batch=16, lr=0.1, seed=0)
        runs.append(params)
    for (path, first), (_, second) in zip(leaves(runs[0]), leaves(runs[1])):
        np.testing.assert_array_equal(first, second, err_msg=path)
        np.testing.assert_array_equal(first, first.astype(np.float32).astype(float), err_msg=path)


# ---------------------------------------------------------------- the review of the seq2seq code
TARGETS_OF = {"no end symbol": [np.array([1, 2])], "empty": [np.array([], dtype=int)],
              "2-D": [np.array([[1], [10]])], "an id >= K": [np.array([11, 10])],
              "an int": [10]}


@pytest.mark.parametrize("bad", sorted(TARGETS_OF))
def test_exact_match_checks_every_target(bad):
    """A target without the end symbol, empty, 2-D or with an id >= K used to give a silent
    wrong hit (and an int one a deep TypeError); each is named as the caller indexes it."""
    targets = [WORDS[1][0]] + TARGETS_OF[bad]
    error = ValueError
    with pytest.raises(error, match=re.escape("argument 'targets[1]'")):
        exact_match(WORD_MODEL, WORDS[0], targets, eos=10)


def test_symbol_accuracy_wants_a_bool_and_checks_targets_free_running_too():
    with pytest.raises(TypeError, match="argument 'teacher_forced'"):
        symbol_accuracy(WORD_MODEL, *WORDS, teacher_forced="no")
    for teacher_forced in (True, False):
        with pytest.raises(ValueError, match=re.escape("argument 'targets[1]'")):
            symbol_accuracy(WORD_MODEL, WORDS[0], [WORDS[1][0], np.array([11, 10])],
                            teacher_forced=teacher_forced)


@pytest.mark.parametrize("value", [None, [], 0, "dot"])
def test_attention_that_is_not_a_mapping_is_not_read_as_dot(value):
    params = init_seq2seq(7, 4, embed_size=4, hidden_size=4, attention="dot", seed=0)
    params["attention"] = value
    for call in (lambda: greedy_decode(params, SRC, steps=2, eos=3),
                 lambda: loss_and_grads(params, SRC, TGT)):
        with pytest.raises(TypeError, match=re.escape("argument 'params['attention']'")):
            call()
    params["attention"] = {}                              # the one spelling of dot attention
    assert greedy_decode(params, SRC, steps=2, eos=3).weights.shape == (2, 2, 1)


@pytest.mark.parametrize("alpha", [0.0, 0.5, 1.0])
def test_beam_scores_ended_and_cut_off_hypotheses_by_one_length_rule(alpha):
    """Every finished hypothesis, ended or cut off at the last step, is scored with its length
    the number of symbols it wrote (the terms of its log P): the step it finished at."""
    params = init_seq2seq(7, 5, embed_size=4, hidden_size=6, cell="gru", seed=7)
    src, sl = tasks.pad_batch([np.array([1, 2, 3]), np.array([4, 5]), np.array([6])])
    kinds = set()
    for beam in beam_search(params, src, width=3, steps=3, eos=4, src_lengths=sl, alpha=alpha):
        for (tokens, lp, score), step in zip(beam.finished, beam.finished_step):
            ended = len(tokens) < step                    # it wrote the end symbol at `step`
            kinds.add(ended)
            assert len(tokens) + ended == step
            assert score == normalised(lp, step, alpha)
    assert kinds == {True, False}                         # both kinds were scored


@pytest.mark.parametrize("call, name, error", [
    (lambda: loss_and_grads(WORD_MODEL, np.zeros((3, 0), int), np.zeros((2, 0), int)), "src",
     ValueError),
    (lambda: greedy_decode(WORD_MODEL, np.zeros((3, 0), int), steps=2, eos=10), "src", ValueError),
    (lambda: beam_search(WORD_MODEL, np.zeros((3, 0), int), width=2, steps=2, eos=10), "src",
     ValueError),
    (lambda: encode(WORD_MODEL, np.zeros((0, 2), int)), "src", ValueError),
    (lambda: exact_match(WORD_MODEL, [WORDS[0][0], np.array([], int)], WORDS[1], eos=10),
     "sources[1]", ValueError),
    (lambda: exact_match(WORD_MODEL, [WORDS[0][0], np.array([99])], WORDS[1], eos=10),
     "sources[1]", ValueError),
    (lambda: symbol_accuracy(WORD_MODEL, [np.array([99]), WORDS[0][1]], WORDS[1],
                             teacher_forced=True), "sources[0]", ValueError),
    (lambda: fit_seq2seq(WORD_MODEL, [WORDS[0][0], np.array([0.5])], WORDS[1], steps=1, batch=1),
     "sources[1]", TypeError),
    (lambda: fit_seq2seq(WORD_MODEL, [WORDS[0][0], np.array([99])], WORDS[1], steps=1, batch=1),
     "sources[1]", ValueError),
    (lambda: normalised(-1.0, 0, 1.0), "length", ValueError),
    (lambda: normalised("x", 2, 1.0), "log_prob", TypeError),
    (lambda: normalised(-1.0, 2, -1.0), "alpha", ValueError),
    (lambda: start_id({}), "params", ValueError),
    (lambda: start_id({"V": np.zeros(3)}), "params['V']", ValueError),
    (lambda: attention_of(None), "params", TypeError),
])
def test_bad_input_names_the_callers_argument(call, name, error):
    with pytest.raises(error, match=f"argument '{re.escape(name)}'"):
        call()


def test_fit_seq2seq_names_a_leaf_it_cannot_train_in_place():
    params = init_seq2seq(len(tasks.SOURCE_WORDS), len(tasks.TARGET_SYMBOLS), embed_size=4,
                          hidden_size=4, attention="additive", seed=0)
    params["V"] = params["V"].tolist()
    with pytest.raises(TypeError, match=re.escape("argument 'params['V']'")):
        fit_seq2seq(params, *WORDS, steps=1, batch=1)
    params["V"] = np.array(params["V"])
    params["attention"]["Wa"] = params["attention"]["Wa"].astype(np.float32)
    with pytest.raises(TypeError, match=re.escape("argument 'params['attention']['Wa']'")):
        fit_seq2seq(params, *WORDS, steps=1, batch=1)


@pytest.mark.parametrize("call, name, error", [
    (lambda X, W: self_attention(X, W[:, :3], W, W), "Wq", ValueError),
    (lambda X, W: self_attention(X, W, W[:3], W), "Wk", ValueError),
    (lambda X, W: self_attention(X, W, W, W[:, :3]), "Wv", ValueError),
    (lambda X, W: self_attention(X[0, 0], W, W, W), "X", ValueError),
    (lambda X, W: self_attention(X.astype(str), W, W, W), "X", TypeError),
    (lambda X, W: self_attention(X, W, W, W, mask=np.ones((2, 5), int)), "mask", TypeError),
    (lambda X, W: self_attention(X, W, W, W, mask=np.ones(5, bool)), "mask", ValueError),
    (lambda X, W: self_attention(X, W, W, W, mask=np.arange(5)[None] < np.array([[5], [0]])),
     "mask", ValueError),
])
def test_self_attention_checks_its_arguments(call, name, error):
    """A sequence with no real position used to give NaN weights silently, an int mask was
    accepted (attention rejects it), wrong shapes failed inside numpy."""
    X, W = np.ones((2, 5, 4)), np.eye(4)
    with pytest.raises(error, match=f"argument '{name}'"):
        call(X, W)


def test_layer_backward_checks_u_and_names_the_tree_path():
    layer = init_layer_(3, 2)
    cache = layer_forward(layer, np.ones((4, 1, 3)))
    dh = np.ones((4, 1, 2))
    with pytest.raises(ValueError, match=re.escape("argument 'params['U']'")):
        layer_backward({**layer, "U": np.ones((2, 5))}, cache, dh)
    with pytest.raises(ValueError, match=re.escape("argument 'params['encoder']['W']'")):
        layer_backward({**layer, "W": np.ones((3, 3))}, cache, dh, name="params['encoder']")
    with pytest.raises(TypeError, match="argument 'input_grad'"):
        layer_backward(layer, cache, dh, input_grad="no")
    ids = layer_forward(layer := init_layer_(6, 2), np.array([[5], [1]]))
    with pytest.raises(ValueError, match=re.escape("argument 'params['U']'")):
        layer_backward({**layer, "U": layer["U"][:, :4]}, ids, np.ones((2, 1, 2)))


def test_decoding_checks_the_model_once_not_at_every_step(monkeypatch):
    """The tree is checked at the public entry; the steps run unchecked, so the checks'
    count does not grow with the number of steps (it used to: ~9 arrays a step). The one check
    a step keeps is log_softmax's of its logits 'o' (they overflow only for absurd parameters,
    and then must not turn into NaN silently)."""
    from rnnlib.core import validation
    counted, calls = validation._float_array, []

    def counting(name, value):
        if name != "o":
            calls.append(name)
        return counted(name, value)
    for attention in (None, "additive"):
        params = init_seq2seq(7, 5, embed_size=4, hidden_size=6, attention=attention, seed=1)
        monkeypatch.setattr(validation, "_float_array", counting)
        made = []
        for steps in (2, 8):
            calls.clear()
            greedy_decode(params, np.array([[1, 2], [3, 4]]), steps=steps, eos=4)
            beam_search(params, np.array([[1, 2], [3, 4]]), width=3, steps=steps, eos=4)
            made.append(len(calls))
        monkeypatch.undo()
        assert made[0] == made[1], made


def test_batches_are_the_pairs_padded_on_their_own():
    """The pairs are padded once; a batch is exactly what padding its own pairs gives."""
    numbers = tasks.sample_numbers(50, max_digits=6, seed=2)
    src, tgt = tasks.encode_pairs(numbers, seed=2)
    draw = batches(src, tgt, size=7, seed=3)
    for i in range(5):
        s, sl, t, tl = draw(i)
        pick = np.random.default_rng([3, i]).choice(50, size=7, replace=False)
        for got, want in zip((s, sl, t, tl), (*pad_batch([src[j] for j in pick]),
                                              *pad_batch([tgt[j] for j in pick]))):
            assert got.dtype == want.dtype and got.flags.c_contiguous
            np.testing.assert_array_equal(got, want)

"""Padding with a mask: a padded batch gives exactly the per-sequence results, for every model."""
from __future__ import annotations

import numpy as np
import pytest

import rnnlib
from rnnlib.architectures import (bidirectional_loss_and_grads, bidirectional_predict,
                                  encoder_decoder_loss_and_grads, greedy_decode, init_bidirectional,
                                  init_encoder_decoder, init_stacked, last_states, length_mask,
                                  masked_loss_and_grads, masked_predict, pad, reverse_within,
                                  stacked_loss_and_grads)
from rnnlib.training.tree import leaves

RNG = np.random.default_rng(3)
SEQS = [RNG.integers(0, 4, n) for n in (5, 2, 4, 1)]
BATCH = pad(SEQS, pad_id=3)


def summed(results):
    """Σ of (loss, grads) pairs, grads as flat dicts."""
    loss = sum(r[0] for r in results)
    flats = [dict(leaves(r[1], params_only=True)) for r in results]
    return loss, {k: sum(f[k] for f in flats) for k in flats[0]}


def assert_same(batch_result, per_sequence):
    loss_b, flat_b = batch_result[0], dict(leaves(batch_result[1], params_only=True))
    loss_s, flat_s = summed(per_sequence)
    assert loss_b == pytest.approx(loss_s, rel=1e-13, abs=1e-13)
    for k in flat_s:
        np.testing.assert_allclose(flat_b[k], flat_s[k], rtol=1e-12, atol=1e-14, err_msg=k)


def test_pad_builds_mask_and_lengths():
    assert BATCH.xs.shape == (5, 4) and list(BATCH.lengths) == [5, 2, 4, 1]
    assert BATCH.mask.sum(axis=0).tolist() == [5, 2, 4, 1]
    assert (BATCH.xs[~BATCH.mask] == 3).all()
    assert np.array_equal(BATCH.xs[:2, 1], SEQS[1])
    floats = pad([np.ones((2, 3)), np.ones((3, 3))])
    assert floats.xs.shape == (3, 2, 3) and floats.xs[2, 0].sum() == 0
    with pytest.raises(ValueError, match="sequences"):
        pad([])


def test_reverse_within_keeps_padding_at_the_end_and_is_its_own_inverse():
    r = reverse_within(BATCH.xs, BATCH.lengths)
    for b, s in enumerate(SEQS):
        assert np.array_equal(r[: len(s), b], s[::-1])
        assert (r[len(s):, b] == 3).all()
    assert np.array_equal(reverse_within(r, BATCH.lengths), BATCH.xs)


def test_bad_input_names_the_argument():
    from rnnlib.architectures import init_layer, layer_backward, layer_forward
    layer = init_layer(4, 3)
    cache = layer_forward(layer, BATCH.xs)
    dh = np.zeros_like(cache.h)
    assert last_states([[1.0]], [1]).tolist() == [1.0]     # a list is an array (T, B)
    for call, error, name in [
        (lambda: last_states([1.0, 2.0], [1]), ValueError, "h"),
        (lambda: reverse_within([1.0, 2.0], [1]), ValueError, "x"),
        (lambda: layer_backward({}, cache, dh), ValueError, "params"),
        (lambda: layer_backward(layer, 3, dh), TypeError, "cache"),
        (lambda: layer_backward({**layer, "W": np.ones((2, 2))}, cache, dh), ValueError,
         r"params\['W'\]"),
        (lambda: layer_backward({**layer, "U": np.ones(3)}, cache, dh), ValueError,
         r"params\['U'\]"),
    ]:
        with pytest.raises(error, match=f"argument '{name}'"):
            call()


def test_last_states_reads_each_sequences_own_end():
    h = np.arange(5 * 4 * 2, dtype=float).reshape(5, 4, 2)
    assert np.array_equal(last_states(h, BATCH.lengths), h[[4, 1, 3, 0], [0, 1, 2, 3]])
    assert length_mask([2, 1], 3).tolist() == [[True, True], [True, False], [False, False]]


@pytest.mark.parametrize("mode", ["many_to_many", "many_to_one"])
def test_plain_rnn_padded_batch_equals_core_per_sequence(mode):
    p = rnnlib.init_params(4, 5, 3, seed=0)
    y = RNG.integers(0, 3, (5, 4)) if mode == "many_to_many" else RNG.integers(0, 3, 4)
    batch = masked_loss_and_grads(p, BATCH.xs, y, lengths=BATCH.lengths, mode=mode)
    singles = [rnnlib.loss_and_grads(p, s, y[: len(s), b] if mode == "many_to_many" else y[b], mode=mode)
               for b, s in enumerate(SEQS)]
    assert_same(batch, singles)
    pred = masked_predict(p, BATCH.xs, lengths=BATCH.lengths, mode=mode)
    for b, s in enumerate(SEQS):
        mine = pred[: len(s), b] if mode == "many_to_many" else pred[b]
        core = rnnlib.predict(p, s)
        assert np.array_equal(mine, core if mode == "many_to_many" else core[-1])


def test_padding_changes_the_result_without_lengths():
    """The mask is what makes padding harmless: drop it and the loss changes."""
    p = rnnlib.init_params(4, 5, 3, seed=0)
    y = RNG.integers(0, 3, 4)
    with_mask = masked_loss_and_grads(p, BATCH.xs, y, lengths=BATCH.lengths, mode="many_to_one")[0]
    without = masked_loss_and_grads(p, BATCH.xs, y, mode="many_to_one")[0]
    assert abs(with_mask - without) > 1e-3


@pytest.mark.parametrize("mode", ["many_to_many", "many_to_one"])
def test_bidirectional_padded_batch_equals_per_sequence(mode):
    p = init_bidirectional(4, 3, 3, seed=1)
    y = RNG.integers(0, 3, (5, 4)) if mode == "many_to_many" else RNG.integers(0, 3, 4)
    batch = bidirectional_loss_and_grads(p, BATCH.xs, y, lengths=BATCH.lengths, mode=mode)
    singles = [bidirectional_loss_and_grads(p, s, y[: len(s), b] if mode == "many_to_many" else y[b],
                                            mode=mode) for b, s in enumerate(SEQS)]
    assert_same(batch, singles)
    pred = bidirectional_predict(p, BATCH.xs, lengths=BATCH.lengths, mode=mode)
    single = bidirectional_predict(p, SEQS[2], mode=mode)
    assert np.array_equal(pred[:4, 2] if mode == "many_to_many" else pred[2], single)


def test_stacked_and_encoder_decoder_padded_batches_equal_per_sequence():
    p = init_stacked(4, [3, 3], 3, seed=2)
    y = RNG.integers(0, 3, 4)
    assert_same(stacked_loss_and_grads(p, BATCH.xs, y, lengths=BATCH.lengths, mode="many_to_one"),
                [stacked_loss_and_grads(p, s, y[b], mode="many_to_one") for b, s in enumerate(SEQS)])
    pe = init_encoder_decoder(4, 4, 3, seed=3)
    tgt = pad([RNG.integers(0, 3, n) for n in (2, 3, 1, 3)])
    assert_same(encoder_decoder_loss_and_grads(pe, BATCH.xs, tgt.xs, src_lengths=BATCH.lengths,
                                               tgt_lengths=tgt.lengths),
                [encoder_decoder_loss_and_grads(pe, s, tgt.xs[: tgt.lengths[b], b])
                 for b, s in enumerate(SEQS)])
    decoded = greedy_decode(pe, BATCH.xs, 3, src_lengths=BATCH.lengths)
    alone = greedy_decode(pe, SEQS[1], 3)
    np.testing.assert_allclose(decoded.states[:, 1], alone.states[:, 0], rtol=1e-12, atol=1e-14)
    assert np.array_equal(decoded.tokens[:, 1], alone.tokens[:, 0])

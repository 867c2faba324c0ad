"""Every architecture runs any cell through the core's cell protocol: gradients of the gated
variants against finite differences, and a padded batch equal to its sequences one at a time."""
from __future__ import annotations

import numpy as np
import pytest

import rnnlib
from rnnlib.architectures import (bidirectional_loss_and_grads, encoder_decoder_loss_and_grads,
                                  greedy_decode, init_bidirectional, init_encoder_decoder,
                                  init_layer, init_stacked, layer_backward, layer_forward,
                                  masked_loss_and_grads, masked_predict, pad,
                                  stacked_loss_and_grads)
from rnnlib.architectures.encoder_decoder import encoder_decoder_forward
from rnnlib.training.tree import leaves

from test_architectures_gradients import TOL, inputs, worst_error
from test_architectures_masking import assert_same

GATED = ["lstm", "gru"]
RNG = np.random.default_rng(11)
SEQS = [RNG.integers(0, 4, n) for n in (5, 2, 4, 1)]
BATCH = pad(SEQS, pad_id=3)


@pytest.mark.parametrize("cell", GATED)
def test_layer_backward_matches_finite_differences(cell):
    rng = np.random.default_rng(1)
    layer = init_layer(3, 4, cell=cell, seed=1)
    xs, h0 = rng.normal(size=(5, 2, 3)), rng.normal(0, 0.5, (2, 4))
    weights = rng.normal(size=(5, 2, 4))          # L = Σ weights ⊙ h: ∂L/∂h_t = weights[t]

    def loss(p, x=xs, h=h0):
        return float(np.sum(weights * layer_forward(p, x, h, cell=cell).h))
    grads = layer_backward(layer, layer_forward(layer, xs, h0, cell=cell), weights, input_grad=True)
    numeric = rnnlib.numerical_grads(lambda _: loss(layer), dict(layer))
    for k in ("U", "W", "b"):
        assert rnnlib.relative_error(grads[k], numeric[k]) < TOL, k
    num_x = rnnlib.numerical_grads(lambda a: loss(layer, a["xs"]), {"xs": xs})["xs"]
    assert rnnlib.relative_error(grads["xs"], num_x) < TOL
    num_h = rnnlib.numerical_grads(lambda a: loss(layer, xs, a["h0"]), {"h0": h0})["h0"]
    assert rnnlib.relative_error(grads["h0"], num_h) < TOL


@pytest.mark.parametrize("cell", GATED)
def test_layer_is_the_cores_cell(cell):
    p = rnnlib.init_params(3, 4, 2, cell=cell, seed=0)
    xs = RNG.normal(size=(6, 2, 3))
    assert np.array_equal(layer_forward(p, xs, cell=cell).h, rnnlib.forward(p, xs, cell=cell).h)


@pytest.mark.parametrize("cell", GATED)
@pytest.mark.parametrize("mode", ["many_to_many", "many_to_one"])
def test_masked_gradients(cell, mode):
    rng = np.random.default_rng(2)
    T, B, D, H, K = 4, 3, 3, 3, 3
    p = rnnlib.init_params(D, H, K, cell=cell, seed=3)
    xs = inputs(rng, mode == "many_to_many", T, B, D)
    y = rng.integers(0, K, (T, B)) if mode == "many_to_many" else rng.integers(0, K, B)
    h0 = rng.normal(0, .5, (B, H))
    kw = dict(lengths=rng.integers(1, T + 1, B), mode=mode, cell=cell)
    _, g = masked_loss_and_grads(p, xs, y, h0=h0, **kw)
    assert worst_error(lambda q, h: masked_loss_and_grads(q, xs, y, h0=h, **kw)[0], p, h0, g) < TOL


@pytest.mark.parametrize("cell", GATED)
def test_bidirectional_gradients(cell):
    rng = np.random.default_rng(4)
    T, B, D, H, K = 4, 3, 3, 3, 3
    p = init_bidirectional(D, H, K, cell=cell, seed=5)
    xs = inputs(rng, False, T, B, D)
    y = rng.integers(0, K, (T, B))
    h0 = {"forward": rng.normal(0, .5, H), "backward": rng.normal(0, .5, (B, H))}
    kw = dict(lengths=rng.integers(1, T + 1, B), cell=cell)
    _, g = bidirectional_loss_and_grads(p, xs, y, h0=h0, **kw)
    assert worst_error(lambda q, h: bidirectional_loss_and_grads(q, xs, y, h0=h, **kw)[0],
                       p, h0, g) < TOL


@pytest.mark.parametrize("cell", GATED)
def test_stacked_gradients(cell):
    rng = np.random.default_rng(6)
    T, B, D, K, sizes = 4, 2, 3, 3, [3, 2]
    p = init_stacked(D, sizes, K, cell=cell, seed=7)
    xs = rng.integers(0, D, (T, B))
    y = rng.integers(0, K, B)
    h0 = [rng.normal(0, .5, h) for h in sizes]
    kw = dict(lengths=rng.integers(1, T + 1, B), mode="many_to_one", cell=cell)
    _, g = stacked_loss_and_grads(p, xs, y, h0=h0, **kw)
    assert worst_error(lambda q, h: stacked_loss_and_grads(q, xs, y, h0=h, **kw)[0], p, h0, g) < TOL


@pytest.mark.parametrize("cell", GATED)
def test_encoder_decoder_gradients(cell):
    rng = np.random.default_rng(8)
    B, D, H, K = 3, 3, 3, 3
    p = init_encoder_decoder(D, H, K, cell=cell, seed=9)
    src, tgt = inputs(rng, False, 3, B, D), rng.integers(0, K, (3, B))
    kw = dict(src_lengths=rng.integers(1, 4, B), tgt_lengths=rng.integers(1, 4, B), cell=cell)
    h0 = rng.normal(0, .5, (B, H))
    _, g = encoder_decoder_loss_and_grads(p, src, tgt, h0=h0, **kw)
    assert worst_error(lambda q, h: encoder_decoder_loss_and_grads(q, src, tgt, h0=h, **kw)[0],
                       p, h0, g) < TOL


@pytest.mark.parametrize("cell", GATED)
@pytest.mark.parametrize("mode", ["many_to_many", "many_to_one"])
def test_masked_padded_batch_equals_core_per_sequence(cell, mode):
    p = rnnlib.init_params(4, 5, 3, cell=cell, seed=0)
    y = RNG.integers(0, 3, (5, 4)) if mode == "many_to_many" else RNG.integers(0, 3, 4)
    batch = masked_loss_and_grads(p, BATCH.xs, y, lengths=BATCH.lengths, mode=mode, cell=cell)
    singles = [rnnlib.loss_and_grads(p, s, y[: len(s), b] if mode == "many_to_many" else y[b],
                                     mode=mode, cell=cell) for b, s in enumerate(SEQS)]
    assert_same(batch, [(loss, {k: g[k] for k in ("U", "W", "b", "V", "c")})
                        for loss, g in singles])
    pred = masked_predict(p, BATCH.xs, lengths=BATCH.lengths, mode=mode, cell=cell)
    for b, s in enumerate(SEQS):
        core = rnnlib.forward(p, s, cell=cell).o.argmax(axis=-1)
        assert np.array_equal(pred[: len(s), b] if mode == "many_to_many" else pred[b],
                              core if mode == "many_to_many" else core[-1])


@pytest.mark.parametrize("cell", GATED)
def test_other_architectures_padded_equal_per_sequence(cell):
    y = RNG.integers(0, 3, 4)
    pb = init_bidirectional(4, 3, 3, cell=cell, seed=1)
    assert_same(bidirectional_loss_and_grads(pb, BATCH.xs, y, lengths=BATCH.lengths,
                                             mode="many_to_one", cell=cell),
                [bidirectional_loss_and_grads(pb, s, y[b], mode="many_to_one", cell=cell)
                 for b, s in enumerate(SEQS)])
    ps = init_stacked(4, [3, 3], 3, cell=cell, seed=2)
    assert_same(stacked_loss_and_grads(ps, BATCH.xs, y, lengths=BATCH.lengths,
                                       mode="many_to_one", cell=cell),
                [stacked_loss_and_grads(ps, s, y[b], mode="many_to_one", cell=cell)
                 for b, s in enumerate(SEQS)])
    pe = init_encoder_decoder(4, 4, 3, cell=cell, seed=3)
    tgt = pad([RNG.integers(0, 3, n) for n in (2, 3, 1, 3)])
    assert_same(encoder_decoder_loss_and_grads(pe, BATCH.xs, tgt.xs, src_lengths=BATCH.lengths,
                                               tgt_lengths=tgt.lengths, cell=cell),
                [encoder_decoder_loss_and_grads(pe, s, tgt.xs[: tgt.lengths[b], b], cell=cell)
                 for b, s in enumerate(SEQS)])


@pytest.mark.parametrize("cell", GATED)
def test_greedy_decoding_carries_the_whole_state(cell):
    """Feeding the greedy tokens back with teacher forcing gives the same decoder states: the
    step-by-step decoder carries the LSTM's cell state as the one-pass decoder does."""
    pe = init_encoder_decoder(4, 4, 3, cell=cell, seed=4)
    decoded = greedy_decode(pe, BATCH.xs, 4, src_lengths=BATCH.lengths, cell=cell)
    forced = encoder_decoder_forward(pe, BATCH.xs, decoded.tokens, src_lengths=BATCH.lengths,
                                     cell=cell)
    np.testing.assert_allclose(forced.decoder.h, decoded.states, rtol=1e-12, atol=1e-14)
    alone = greedy_decode(pe, SEQS[1], 4, cell=cell)
    np.testing.assert_allclose(decoded.states[:, 1], alone.states[:, 0], rtol=1e-12, atol=1e-14)


def test_a_cell_that_does_not_fit_the_parameters_is_named():
    p = init_stacked(4, [3], 3, cell="gru", seed=0)
    with pytest.raises(ValueError, match=r"params\['layers'\]\[0\]\['W'\].*cell='lstm'"):
        stacked_loss_and_grads(p, BATCH.xs, RNG.integers(0, 3, 4), mode="many_to_one",
                               cell="lstm")
    with pytest.raises(ValueError, match="argument 'cell'"):
        init_layer(3, 4, cell="elman")
    assert {k for k, _ in leaves(init_bidirectional(2, 3, 2, cell="lstm"))} >= {"forward/U"}

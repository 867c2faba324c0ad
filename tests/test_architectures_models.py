"""What each architecture computes, checked by construction; training, tasks and error rules."""
from __future__ import annotations

import numpy as np
import pytest

import rnnlib
from rnnlib.architectures import (bidirectional_forward, bidirectional_loss_and_grads,
                                  encoder_decoder_loss_and_grads, encoder_decoder_predict,
                                  greedy_decode, init_bidirectional, init_encoder_decoder,
                                  init_stacked, masked_loss_and_grads, stacked_forward,
                                  stacked_loss_and_grads, stacked_predict, train)
from rnnlib.architectures import tasks
from rnnlib.training.tree import copy_tree, count

XS = np.random.default_rng(0).integers(0, 4, (5, 2))


def test_bidirectional_halves_are_two_core_runs():
    p = init_bidirectional(4, 3, 2, seed=0)
    states = bidirectional_forward(p, XS).h
    plain = lambda q: {**q, "V": np.zeros((1, 3)), "c": np.zeros(1)}
    np.testing.assert_array_equal(states[..., :3], rnnlib.forward(plain(p["forward"]), XS).h)
    np.testing.assert_array_equal(states[..., 3:], rnnlib.forward(plain(p["backward"]), XS[::-1]).h[::-1])


def test_stacked_layer_two_reads_layer_one():
    p = init_stacked(4, [3, 2], 2, seed=0)
    caches = stacked_forward(p, XS)
    first = rnnlib.forward({**p["layers"][0], "V": np.zeros((1, 3)), "c": np.zeros(1)}, XS).h
    second = rnnlib.forward({**p["layers"][1], "V": np.zeros((1, 2)), "c": np.zeros(1)}, first).h
    np.testing.assert_array_equal(caches[1].h, second)
    assert stacked_predict(p, XS).shape == (5, 2)


def test_one_layer_stack_is_the_plain_rnn():
    p = init_stacked(4, [3], 2, seed=1)
    flat = {**p["layers"][0], "V": p["V"], "c": p["c"]}
    y = np.random.default_rng(1).integers(0, 2, (5, 2))
    loss, g = stacked_loss_and_grads(p, XS, y)
    core_loss, core = rnnlib.loss_and_grads(flat, XS, y)
    assert loss == pytest.approx(core_loss, rel=1e-14)
    np.testing.assert_allclose(g["layers"][0]["W"], core["W"], rtol=1e-12, atol=1e-15)


def test_teacher_forcing_feeds_the_previous_target_and_greedy_its_own_output():
    p = init_encoder_decoder(4, 5, 3, seed=0)
    src = np.array([1, 2, 0])
    out = greedy_decode(p, src, 4)
    assert out.inputs[0, 0] == 3                           # the start symbol is id K
    assert np.array_equal(out.inputs[1:, 0], out.tokens[:-1, 0])
    # teacher forcing on the greedy output reproduces the greedy run's states exactly
    loss, _ = encoder_decoder_loss_and_grads(p, src, out.tokens[:, 0])
    expected = -np.sum(np.log(out.probs.max(axis=-1)))
    assert loss == pytest.approx(expected, rel=1e-12)
    assert np.array_equal(encoder_decoder_predict(p, src, 4), out.tokens[:, 0])


def test_context_is_the_encoders_last_real_state():
    p = init_encoder_decoder(4, 5, 3, seed=0)
    out = greedy_decode(p, XS, 2, src_lengths=np.array([5, 3]))
    enc = rnnlib.forward({**p["encoder"], "V": np.zeros((1, 5)), "c": np.zeros(1)}, XS[:3, 1]).h
    np.testing.assert_allclose(out.context[1], enc[-1], rtol=1e-13)


def test_train_lowers_the_loss_and_leaves_a_copy_untouched():
    xs, y = tasks.seen_before(64, 5, n_symbols=4, seed=1)
    p = init_stacked(4, [6], 2, seed=0)
    before = copy_tree(p)
    losses = train(lambda q, i: stacked_loss_and_grads(q, xs, y), p, steps=30, lr=0.1)
    assert losses[-1] < 0.8 * losses[0]
    assert not np.allclose(before["V"], p["V"]) and count(p) == count(before) == 4 * 6 + 36 + 6 + 12 + 2
    with pytest.raises(ValueError, match="steps"):
        train(lambda q, i: (0.0, q), p, steps=-1)


# ------------------------------------------------------------------ tasks

def test_tasks_have_the_promised_structure():
    xs, y = tasks.seen_before(50, 6, seed=0)
    assert y[0].sum() == 0 and all(y[t, i] == (xs[t, i] in xs[:t, i]) for t in range(6) for i in range(50))
    seqs, labels = tasks.majority(40, seed=0)
    for s, lab in zip(seqs, labels):
        assert lab == int(np.sum(s == 1) > np.sum(s == 0)) and np.sum(s == 0) != np.sum(s == 1)
    xs, y, after = tasks.rex(30, 6, seed=0)
    rex_at = np.argmax(xs == tasks.REX, axis=0)
    for i in range(30):
        cue_at = int(np.flatnonzero(xs[:, i] >= tasks.DOG)[0])
        assert y[rex_at[i], i] == 1 + (xs[cue_at, i] == tasks.DINO) and after[i] == (cue_at > rex_at[i])
        assert y[:, i].sum() == y[rex_at[i], i]
    src, tgt = tasks.reversal(5, seed=0)
    assert all(np.array_equal(t, s[::-1]) for s, t in zip(src, tgt))
    bits, members = tasks.set_members(3)
    assert bits.shape == (7, 3) and members[4].tolist() == [0, 2, 3]   # {0, 2} then stop = 3
    pts, cls = tasks.xor_points(20, seed=0)
    assert pts.shape == (1, 20, 2) and np.array_equal(cls[0], (np.sign(pts[0, :, 0]) != np.sign(pts[0, :, 1])))
    with pytest.raises(ValueError, match="'n'"):
        tasks.rex(0)


# ------------------------------------------------------------------ errors

def test_errors_name_the_argument():
    p = init_bidirectional(4, 3, 2, seed=0)
    with pytest.raises(ValueError, match=r"params\['backward'\]\['U'\]"):
        bad = copy_tree(p)
        bad["backward"]["U"] = np.zeros((3, 5))[:, :0]
        bidirectional_loss_and_grads(bad, XS, np.zeros((5, 2), dtype=int))
    with pytest.raises(ValueError, match="'targets'.*shape"):
        bidirectional_loss_and_grads(p, XS, np.zeros((4, 2), dtype=int))
    with pytest.raises(ValueError, match="'lengths'.*outside"):
        bidirectional_loss_and_grads(p, XS, np.zeros((5, 2), dtype=int), lengths=np.array([6, 1]))
    with pytest.raises(TypeError, match="'lengths'"):
        masked_loss_and_grads(rnnlib.init_params(4, 3, 2), XS, np.zeros((5, 2), dtype=int),
                              lengths=np.array([1.5, 2.0]))
    with pytest.raises(ValueError, match="'mode'"):
        stacked_loss_and_grads(init_stacked(4, [3], 2), XS, np.zeros((5, 2), dtype=int), mode="one_to_many")
    with pytest.raises(ValueError, match=r"'xs'.*token id \d is outside"):
        stacked_loss_and_grads(init_stacked(4, [3], 2), XS + 3, np.zeros((5, 2), dtype=int))
    with pytest.raises(ValueError, match="'h0'"):
        stacked_loss_and_grads(init_stacked(4, [3, 3], 2), XS, np.zeros((5, 2), dtype=int), h0=[None])
    pe = init_encoder_decoder(4, 3, 2, seed=0)
    with pytest.raises(ValueError, match="'targets'.*class id 2"):
        encoder_decoder_loss_and_grads(pe, XS, np.full((3, 2), 2))
    with pytest.raises(ValueError, match="'start'"):
        greedy_decode(pe, XS, 2, start=9)
    with pytest.raises(ValueError, match="'steps'"):
        greedy_decode(pe, XS, 0)
    with pytest.raises(ValueError, match=r"params\['V'\]"):
        encoder_decoder_loss_and_grads({**pe, "V": np.zeros((2, 4))}, XS, np.zeros((3, 2), dtype=int))


@pytest.mark.parametrize("call, error, name", [
    (lambda: tasks.set_members(4, stop=3), ValueError, "stop"),        # 3 is a member's id
    (lambda: tasks.set_members(4, stop=4.0), TypeError, "stop"),
    (lambda: tasks.reversal(3, min_len=0), ValueError, "min_len"),
    (lambda: tasks.reversal(3, min_len=4, max_len=3), ValueError, "max_len"),
    (lambda: tasks.reversal(3, n_symbols=0), ValueError, "n_symbols"),
    (lambda: tasks.majority(3, min_len=5, max_len=2), ValueError, "max_len"),
    (lambda: tasks.majority(3, min_len=0, max_len=0), ValueError, "min_len"),
    (lambda: tasks.xor_points(3, noise=-1), ValueError, "noise"),
    (lambda: tasks.xor_points(3, noise="a"), TypeError, "noise"),
    (lambda: tasks.rex(3, T=1), ValueError, "T"),
])
def test_task_generators_name_the_bad_argument(call, error, name):
    with pytest.raises(error, match=f"argument '{name}'"):
        call()


def test_minibatches_cycle_through_the_sequences():
    from rnnlib.architectures import minibatches
    xs, y = np.arange(3 * 10).reshape(3, 10), np.arange(10)
    get = minibatches(xs, y, size=4)
    assert np.array_equal(get(0)[0], xs[:, :4]) and np.array_equal(get(1)[1], y[4:8])
    assert np.array_equal(get(2)[0], xs[:, :4])                # two full batches, then around
    get2 = minibatches(xs, xs, size=5)
    assert np.array_equal(get2(1)[1], xs[:, 5:])
    with pytest.raises(ValueError, match="'size'"):
        minibatches(xs, y, size=11)


def test_non_finite_output_layer_is_named():
    p = init_stacked(4, [3], 2, seed=0)
    p["V"][1, 2] = np.nan
    with pytest.raises(ValueError, match=r"params\['V'\]'.*finite.*\(1, 2\)"):
        stacked_loss_and_grads(p, XS, np.zeros((5, 2), dtype=int))

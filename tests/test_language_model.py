"""The language-model training loop, Adam and the docstring corpus (chapter 9)."""
import numpy as np
import pytest

import rnnlib
from rnnlib.text.docstrings import corpus_fingerprint, docstring_summary, numpy_docstrings
from rnnlib.training.optim import Adam
from rnnlib.training.language_model import (batchify, generate, mean_loss, perplexity,
                                            train_language_model)


def test_batchify_cuts_the_text_into_consecutive_columns():
    streams = batchify(np.arange(11), 3)
    assert streams.shape == (3, 3)
    assert streams[:, 0].tolist() == [0, 1, 2]       # column j is one stretch of text
    assert streams[:, 2].tolist() == [6, 7, 8]       # the remainder 9, 10 is dropped


@pytest.mark.parametrize("ids, B, error, match", [
    (np.arange(3), 2, ValueError, "fewer than 2 per stream"),
    (np.zeros((2, 5), dtype=int), 1, ValueError, r"'ids'.*integer token ids of shape \(N,\)"),
    (np.linspace(0, 1, 10), 2, TypeError, r"'ids'.*integer token ids of shape \(N,\)"),
    (np.arange(10), 0, ValueError, "batch_size.*int >= 1"),
    (np.arange(10), 2.0, TypeError, "batch_size.*int >= 1"),
])
def test_batchify_names_the_bad_argument(ids, B, error, match):
    with pytest.raises(error, match=match):
        batchify(ids, B)


def test_one_update_is_exactly_one_truncated_bptt_step_with_the_carried_state():
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 5, size=200)
    p = rnnlib.init_params(5, 4, 5, seed=1)
    mine = rnnlib.copy_params(p)
    train_language_model(mine, ids, steps=2, optimizer=rnnlib.Adagrad(0.1), batch_size=4,
                         seq_len=6, clip=None)
    # the same two updates written out: chunk 2 starts from chunk 1's final state
    s = batchify(ids, 4)
    opt, h = rnnlib.Adagrad(0.1), None
    for start in (0, 6):
        xs, ys = s[start:start + 6], s[start + 1:start + 7]
        _, g = rnnlib.loss_and_grads(p, xs, ys, h0=h)
        h_next = rnnlib.forward(p, xs, h0=h).h[-1]
        opt.step(p, {k: v / ys.size for k, v in g.items()})
        h = h_next
    for k in rnnlib.PARAM_KEYS:
        np.testing.assert_allclose(mine[k], p[k], rtol=0, atol=1e-14)


def test_without_the_carried_state_the_second_update_differs():
    # guards the test above: it must notice if the state were reset between chunks
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 5, size=200)
    p = rnnlib.init_params(5, 4, 5, seed=1)
    mine = rnnlib.copy_params(p)
    train_language_model(mine, ids, steps=2, optimizer=rnnlib.Adagrad(0.1), batch_size=4,
                         seq_len=6, clip=None)
    s, opt = batchify(ids, 4), rnnlib.Adagrad(0.1)
    for start in (0, 6):
        _, g = rnnlib.loss_and_grads(p, s[start:start + 6], s[start + 1:start + 7])
        opt.step(p, {k: v / 24 for k, v in g.items()})
    assert max(np.abs(mine[k] - p[k]).max() for k in rnnlib.PARAM_KEYS) > 1e-6


def test_training_learns_a_repeating_text_and_clipping_is_applied():
    ids = np.tile(np.arange(6), 100)                 # 0 1 2 3 4 5 0 1 2 ...: fully predictable
    p = rnnlib.init_params(6, 16, 6, seed=0)
    before = mean_loss(p, ids)
    hist = train_language_model(p, ids, steps=150, optimizer=Adam(0.01), batch_size=4,
                                seq_len=10, val_ids=ids[:120], eval_every=50)
    assert before > np.log(6) - 0.1        # no better than a uniform guess before training
    assert hist.val_step == [50, 100, 150]
    assert hist.val_loss[-1] < 0.05 < before
    tiny = rnnlib.init_params(6, 16, 6, seed=0)
    clipped = train_language_model(tiny, ids, steps=150, optimizer=rnnlib.Adagrad(0.5),
                                   batch_size=4, seq_len=10, clip=1e-6)
    unclipped = train_language_model(rnnlib.init_params(6, 16, 6, seed=0), ids, steps=150,
                                     optimizer=rnnlib.Adagrad(0.5), batch_size=4, seq_len=10,
                                     clip=None)
    # Adagrad divides by the gradient's own size, so clipping the average to 1e-6 still
    # learns; but the two runs must differ, or clip= was ignored
    assert clipped.train_loss[-1] != unclipped.train_loss[-1]


def test_generate_is_reproducible_and_follows_the_learned_cycle():
    ids = np.tile(np.arange(6), 100)
    p = rnnlib.init_params(6, 16, 6, seed=0)
    train_language_model(p, ids, steps=150, optimizer=Adam(0.01), batch_size=4, seq_len=10)
    a = generate(p, np.array([0, 1, 2]), 12, temperature=0.5, seed=3)
    assert a.tolist() == generate(p, np.array([0, 1, 2]), 12, temperature=0.5, seed=3).tolist()
    assert a.tolist() == [3, 4, 5, 0, 1, 2, 3, 4, 5, 0, 1, 2]
    with pytest.raises(ValueError, match="prime_ids"):
        generate(p, np.array([], dtype=int), 3)


def test_perplexity_of_a_uniform_guess_is_the_number_of_choices():
    assert perplexity(np.log(65)) == pytest.approx(65)


def test_adam_first_step_moves_each_entry_by_lr_against_its_gradient_sign():
    p = {k: np.zeros(s) for k, s in [("U", (2, 3)), ("W", (2, 2)), ("V", (3, 2)), ("b", (2,)),
                                     ("c", (3,))]}
    g = {k: np.full_like(v, -4.0) for k, v in p.items()}
    g["U"][0, 0] = 1e-3
    Adam(lr=0.01).step(p, g)
    assert p["W"][0, 0] == pytest.approx(0.01, rel=1e-6)     # bias-corrected: m̂/√v̂ = sign
    assert p["U"][0, 0] == pytest.approx(-0.01, rel=1e-4)    # the same step for a tiny gradient


@pytest.mark.parametrize("kw", [{"lr": 0}, {"beta1": 1.0}, {"beta2": -0.1}])
def test_adam_rejects_bad_settings(kw):
    with pytest.raises(ValueError, match=list(kw)[0]):
        Adam(**kw)


def test_docstring_corpus_is_prose_and_its_fingerprint_pins_it():
    text = numpy_docstrings()
    assert "Parameters\n" not in text and ">>>" not in text
    assert docstring_summary("absolute(x, /, out=None)\n\nCalculate it.\n\nParameters\n---") \
        == "Calculate it."
    assert corpus_fingerprint(text) == corpus_fingerprint(numpy_docstrings())
    assert len(text) > 50_000


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_gated_cells_carry_their_whole_state_between_chunks(cell):
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 5, size=200)
    p = rnnlib.init_params(5, 4, 5, cell=cell, seed=1)
    mine = rnnlib.copy_params(p)
    train_language_model(mine, ids, steps=2, optimizer=rnnlib.Adagrad(0.1), batch_size=4,
                         seq_len=6, clip=None, cell=cell)
    s, opt, state = batchify(ids, 4), rnnlib.Adagrad(0.1), {}
    for start in (0, 6):
        xs, ys = s[start:start + 6], s[start + 1:start + 7]
        _, g = rnnlib.loss_and_grads(p, xs, ys, cell=cell, **state)
        run = rnnlib.forward(p, xs, cell=cell, **state)
        state = {"h0": run.h[-1], **({"s0": run.s[-1]} if cell == "lstm" else {})}
        opt.step(p, {k: v / ys.size for k, v in g.items()})
    for k in rnnlib.PARAM_KEYS:
        np.testing.assert_allclose(mine[k], p[k], rtol=0, atol=1e-14)


def test_known_word_rate_counts_words_found_in_the_reference():
    from rnnlib.text.word_check import known_word_rate, words

    assert words("Return the `x1`, twice!") == ["return", "the", "x", "twice"]
    assert known_word_rate("the arary of the", "the array of values") == 2 / 3   # 'of' too short
    assert known_word_rate("the arary of the", "the array of values", min_letters=1) == 0.75
    with pytest.raises(ValueError, match="argument 'generated': expected a text with at least one word"):
        known_word_rate("12 34 !! a", "the")
    with pytest.raises(TypeError, match="argument 'text': expected a str"):
        words(3)
    with pytest.raises(TypeError, match="argument 'reference': expected a str"):
        known_word_rate("the", ["the"])

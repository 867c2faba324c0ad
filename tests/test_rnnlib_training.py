"""Updates, clipping, the training loop, sampling, the vocabulary and the notations."""
import numpy as np
import pytest

import rnnlib
from helpers import problem


def test_sgd_step_moves_against_the_gradient_and_lowers_the_loss():
    params, xs, targets, _ = problem(T=5, B=4)
    loss, grads = rnnlib.loss_and_grads(params, xs, targets)
    before = rnnlib.copy_params(params)
    rnnlib.sgd_step(params, grads, lr=1e-3)
    np.testing.assert_allclose(params["W"], before["W"] - 1e-3 * grads["W"])
    assert rnnlib.loss_and_grads(params, xs, targets)[0] < loss


def test_adagrad_matches_its_formula():
    params, xs, targets, _ = problem(T=3)
    _, g = rnnlib.loss_and_grads(params, xs, targets)
    before = rnnlib.copy_params(params)
    rnnlib.Adagrad(lr=0.1, eps=1e-8).step(params, g)
    np.testing.assert_allclose(params["U"], before["U"] - 0.1 * g["U"] / np.sqrt(g["U"] ** 2 + 1e-8))


def test_updates_reject_bad_arguments():
    params, xs, targets, _ = problem(T=3)
    _, g = rnnlib.loss_and_grads(params, xs, targets)
    with pytest.raises(ValueError, match="'lr'"):
        rnnlib.sgd_step(params, g, lr=-1)
    with pytest.raises(ValueError, match="'grads'.*'W'"):
        rnnlib.sgd_step(params, {**g, "W": np.zeros(2)}, lr=0.1)


def test_global_norm_clipping_keeps_the_direction():
    g = {"U": np.array([[3.0]]), "W": np.array([[4.0]]), "V": np.zeros((1, 1)),
         "b": np.zeros(1), "c": np.zeros(1), "h0": np.array([100.0])}
    clipped, norm = rnnlib.clip_by_global_norm(g, 1.0)
    assert norm == pytest.approx(5.0)
    assert rnnlib.global_norm(clipped) == pytest.approx(1.0)
    assert clipped["U"][0, 0] / clipped["W"][0, 0] == pytest.approx(0.75)
    assert clipped["h0"][0] == 100.0          # not a parameter: passed through
    unchanged, _ = rnnlib.clip_by_global_norm(g, 10.0)
    assert unchanged["U"][0, 0] == 3.0


def test_elementwise_clipping_changes_the_direction():
    g = {"U": np.array([[10.0]]), "W": np.array([[1.0]]), "V": np.zeros((1, 1)),
         "b": np.zeros(1), "c": np.zeros(1)}
    clipped = rnnlib.clip_elementwise(g, 5.0)
    assert clipped["U"][0, 0] == 5.0 and clipped["W"][0, 0] == 1.0
    with pytest.raises(ValueError, match="'limit'"):
        rnnlib.clip_elementwise(g, 0)


def test_fit_learns_the_recall_task():
    xs, y = rnnlib.recall_first(128, 4, seed=2)
    params = rnnlib.init_params(8, 16, 4, seed=0)
    history = rnnlib.fit(params, (xs, y), steps=150, lr=0.1, optimizer="adagrad", mode="many_to_one")
    assert history.loss[-1] < 0.2 * history.loss[0]
    assert rnnlib.accuracy(rnnlib.predict(params, xs)[-1], y) > 0.95


def test_fit_reports_divergence_instead_of_crashing():
    xs, y = rnnlib.sine_windows(16, 8)
    params = rnnlib.init_params(1, 8, 1, seed=0)
    with np.errstate(all="ignore"):
        history = rnnlib.fit(params, (xs, y), steps=200, lr=50.0, loss="mse", mode="many_to_one")
    assert history.diverged


def test_fit_takes_a_batch_function_and_clips():
    calls = []

    def batches(step):
        calls.append(step)
        return rnnlib.recall_first(16, 3, seed=step)

    params = rnnlib.init_params(8, 8, 4, seed=0)
    history = rnnlib.fit(params, batches, steps=5, lr=0.1, clip=0.5, mode="many_to_one")
    assert calls == [0, 1, 2, 3, 4] and len(history.loss) == 5


def test_sample_is_seeded_and_respects_temperature():
    params = rnnlib.init_params(5, 8, 5, seed=0)
    a = rnnlib.sample(params, 0, 50, seed=3)
    assert np.array_equal(a, rnnlib.sample(params, 0, 50, seed=3)) and a.shape == (50,)
    cold = rnnlib.sample(params, 0, 200, seed=1, temperature=0.05)
    hot = rnnlib.sample(params, 0, 200, seed=1, temperature=5.0)
    # a cold sampler keeps repeating its favourite token; a hot one spreads out
    assert np.bincount(cold).max() > 1.5 * np.bincount(hot).max()
    assert rnnlib.sample(params, 0, 50, seed=3, stop_id=int(a[0])).tolist() == [int(a[0])]
    with pytest.raises(ValueError, match="D == K"):
        rnnlib.sample(rnnlib.init_params(5, 8, 3), 0, 5)


def test_vocabulary_round_trip_with_unk_and_eos():
    tokens = rnnlib.tokenize("the cat sat on the mat . the end")
    vocab = rnnlib.Vocabulary(tokens, min_count=2)
    assert vocab.itos[:3] == [rnnlib.UNK, rnnlib.EOS, "the"]
    ids = vocab.encode(["the", "dog"], add_eos=True)
    assert vocab.decode(ids) == ["the", rnnlib.UNK, rnnlib.EOS]
    assert vocab.one_hot(ids).sum(axis=1).tolist() == [1, 1, 1]
    assert vocab.coverage(tokens) == pytest.approx(3 / 9)
    with pytest.raises(ValueError, match="'ids'"):
        vocab.decode([7])
    with pytest.raises(TypeError, match="'tokens'"):
        rnnlib.Vocabulary("a string")


def test_character_vocabulary_is_deterministic():
    a = rnnlib.Vocabulary(rnnlib.tokenize("hello world", level="char"))
    b = rnnlib.Vocabulary(rnnlib.tokenize("hello world", level="char"))
    assert a.itos == b.itos and a.itos[2] == "l"


@pytest.mark.parametrize("notation", [n for n in rnnlib.NOTATIONS if n != "bar"])
def test_every_notation_is_the_same_model(notation):
    params, xs, _, _ = problem(T=5)
    named = rnnlib.to_notation(params, notation)
    hs, outs = rnnlib.forward_in_notation(named, xs, notation)
    ref = rnnlib.forward(params, xs)
    np.testing.assert_allclose(hs, ref.h, atol=1e-14)
    np.testing.assert_allclose(outs, ref.o, atol=1e-14)
    back = rnnlib.from_notation(named, notation)
    assert all(np.array_equal(back[k], params[k]) for k in rnnlib.PARAM_KEYS)


def test_bar_notation_needs_zero_biases():
    params, xs, _, _ = problem(T=3)
    with pytest.raises(ValueError, match="bar notation has no biases"):
        rnnlib.to_notation(params, "bar")
    params["b"][:] = 0
    params["c"][:] = 0
    hs, _ = rnnlib.forward_in_notation(rnnlib.to_notation(params, "bar"), xs, "bar")
    np.testing.assert_allclose(hs, rnnlib.forward(params, xs).h, atol=1e-14)


def test_row_vector_shapes_are_transposed():
    named = rnnlib.to_notation(rnnlib.init_params(3, 4, 2), "row_vector")
    assert {k: v.shape for k, v in named.items()} == {
        "W11": (3, 4), "W12": (4, 4), "W21": (4, 2), "B": (1, 4), "B2": (1, 2)}
    with pytest.raises(ValueError, match="'notation'"):
        rnnlib.to_notation(rnnlib.init_params(3, 4, 2), "latin")
    with pytest.raises(ValueError, match="missing"):
        rnnlib.from_notation({"W11": np.zeros((3, 4))}, "row_vector")


def test_datasets_are_seeded_and_shaped():
    xs, y = rnnlib.sine_windows(5, 7, seed=1)
    assert xs.shape == (7, 5, 1) and y.shape == (5, 1)
    np.testing.assert_allclose(np.arcsin(xs[1, :, 0]), np.arcsin(xs[1, :, 0]))
    ids, targets = rnnlib.recall_first(10, 6, n_symbols=3, n_noise=2, seed=0)
    assert ids.shape == (6, 10) and np.array_equal(ids[0], targets)
    assert ids[1:].min() >= 3 and ids.max() < 5
    with pytest.raises(ValueError, match="'length'"):
        rnnlib.recall_first(3, 0)

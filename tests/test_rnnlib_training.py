"""Updates, clipping, the training loop, sampling, the vocabulary and the notations."""
import numpy as np
import pytest

import rnnlib
from helpers import problem
from rnnlib.experiments.datasets import seen_in_training


def test_sgd_step_moves_against_the_gradient_and_lowers_the_loss():
    params, xs, targets, _ = problem(T=5, B=4)
    loss, grads = rnnlib.loss_and_grads(params, xs, targets)
    before = rnnlib.copy_params(params)
    rnnlib.sgd_step(params, grads, lr=1e-3)
    np.testing.assert_allclose(params["W"], before["W"] - 1e-3 * grads["W"])
    assert rnnlib.loss_and_grads(params, xs, targets)[0] < loss


def test_adagrad_matches_its_formula():
    """Two steps: the second divides by the root of the *sum* of both squared gradients."""
    params, xs, targets, _ = problem(T=3)
    _, g1 = rnnlib.loss_and_grads(params, xs, targets)
    before = rnnlib.copy_params(params)
    adagrad = rnnlib.Adagrad(lr=0.1, eps=1e-8)
    adagrad.step(params, g1)
    np.testing.assert_allclose(params["U"], before["U"] - 0.1 * g1["U"] / np.sqrt(g1["U"] ** 2 + 1e-8))
    middle = rnnlib.copy_params(params)
    _, g2 = rnnlib.loss_and_grads(params, xs, targets)
    adagrad.step(params, g2)
    memory = g1["W"] ** 2 + g2["W"] ** 2
    np.testing.assert_allclose(params["W"], middle["W"] - 0.1 * g2["W"] / np.sqrt(memory + 1e-8))


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


def test_cosine_similarity_of_two_arrays_of_any_shape():
    assert rnnlib.cosine_similarity([1, 0], [0, 1]) == 0.0
    assert rnnlib.cosine_similarity([[1.0, 2.0]], [[-2.0, -4.0]]) == pytest.approx(-1.0)
    u, v = np.array([3.0, 4.0, 0.0]), np.array([4.0, 3.0, 5.0])
    assert rnnlib.cosine_similarity(u, v) == pytest.approx(24 / (5 * np.sqrt(50)))
    with pytest.raises(ValueError, match="argument 'b'.*non-zero entry"):
        rnnlib.cosine_similarity([1.0, 0.0], [0.0, 0.0])
    with pytest.raises(ValueError, match="argument 'b'.*shape"):
        rnnlib.cosine_similarity([1.0, 0.0], [1.0, 0.0, 0.0])
    with pytest.raises(TypeError, match="argument 'a'"):
        rnnlib.cosine_similarity(["x", "y"], [1.0, 0.0])


def test_as_vector_joins_the_parameters_in_order_without_the_states():
    g = {"c": np.array([5.0]), "h0": np.array([9.0]), "V": np.array([[4.0]]), "b": np.array([3.0]),
         "U": np.array([[1.0]]), "W": np.array([[2.0]])}
    assert rnnlib.as_vector(g).tolist() == [1.0, 2.0, 4.0, 3.0, 5.0]          # U, W, V, b, c
    stacked = {"layers": [{"U": np.ones((2, 1)), "W": np.zeros((2, 2))}], "V": np.full((1, 2), 7.0)}
    assert rnnlib.as_vector(stacked).tolist() == [1, 1, 0, 0, 0, 0, 7, 7]
    with pytest.raises(TypeError, match="argument 'tree'"):
        rnnlib.as_vector(np.ones(3))
    with pytest.raises(ValueError, match="argument 'tree'"):
        rnnlib.as_vector({"h0": np.ones(2)})


def test_only_global_norm_clipping_keeps_the_gradients_direction():
    _, g = rnnlib.loss_and_grads(*problem(T=4)[:3])
    by_norm, _ = rnnlib.clip_by_global_norm(g, 1e-3)
    by_entry = rnnlib.clip_elementwise(g, 1e-3)
    flat = rnnlib.as_vector
    assert rnnlib.cosine_similarity(flat(g), flat(by_norm)) == pytest.approx(1.0, abs=1e-12)
    assert rnnlib.cosine_similarity(flat(g), flat(by_entry)) < 0.99


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
    assert history.diverged and len(history.loss) < 200
    # it stopped at the first update whose loss or gradient norm was not finite
    finite = np.isfinite(history.loss) & np.isfinite(history.grad_norm)
    assert finite[:-1].all() and not finite[-1]


def test_fit_stops_at_the_first_infinite_loss():
    """o ~ 1e200 is finite, but ½‖o - y‖² overflows while ∂L/∂o = o - y stays finite."""
    params, xs, targets, _ = problem(T=3, B=2, loss="mse")
    params["c"][:] = 1e200
    with np.errstate(all="ignore"):
        history = rnnlib.fit(params, (xs, targets), steps=5, loss="mse", lr=1e-3)
    assert history.diverged and history.loss == [np.inf]


def test_fit_stops_when_the_logits_overflow():
    """Finite parameters so large that o = c + V h overflows: divergence, not a crash."""
    params, xs, targets, _ = problem(T=3, B=2)
    params["V"][:] = 1e308                      # σ(a) > 0, so every o_k = Σ_j 1e308 σ(a_j) = inf
    with np.errstate(all="ignore"):
        history = rnnlib.fit(params, (xs, targets), steps=5, activation="sigmoid")
    assert history.diverged and history.loss == []


@pytest.mark.parametrize("optimizer", ["sgd", "adagrad"])
@pytest.mark.parametrize("clip, clip_mode", [(None, "global_norm"), (0.5, "global_norm"),
                                             (0.05, "elementwise")])
def test_fit_updates_by_the_clipped_gradient(optimizer, clip, clip_mode):
    """Two updates of fit equal gradient -> clip -> update written out by hand, and the history
    records the loss and the norm before clipping."""
    params, xs, targets, _ = problem(T=6, B=3, seed=4, scale=1.5)
    options = dict(activation="relu", truncate=4)          # options reach loss_and_grads
    by_hand, fitted = rnnlib.copy_params(params), rnnlib.copy_params(params)
    adagrad = rnnlib.Adagrad(0.2)
    losses, norms = [], []
    for _ in range(2):
        loss, grads = rnnlib.loss_and_grads(by_hand, xs, targets, **options)
        losses.append(loss)
        norms.append(rnnlib.global_norm(grads))
        if clip is not None:
            grads = (rnnlib.clip_by_global_norm(grads, clip)[0] if clip_mode == "global_norm"
                     else rnnlib.clip_elementwise(grads, clip))
        if optimizer == "sgd":
            rnnlib.sgd_step(by_hand, grads, 0.2)
        else:
            adagrad.step(by_hand, grads)
    history = rnnlib.fit(fitted, (xs, targets), steps=2, lr=0.2, optimizer=optimizer, clip=clip,
                         clip_mode=clip_mode, **options)
    assert norms[0] > 0.5 and history.loss == losses and history.grad_norm == norms
    for k in rnnlib.PARAM_KEYS:
        np.testing.assert_array_equal(fitted[k], by_hand[k], err_msg=k)
    assert not history.diverged


def test_fit_raises_on_bad_data_instead_of_calling_it_divergence():
    params, xs, targets, _ = problem(T=3, B=2)
    xs[0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="'xs'"):
        rnnlib.fit(params, (xs, targets), steps=3)
    with pytest.raises(ValueError, match="'optimizer'"):
        rnnlib.fit(params, (xs, targets), steps=3, optimizer="rmsprop")


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
    xs, y = rnnlib.sine_windows(5, 7, dx=0.3, seed=1)
    assert xs.shape == (7, 5, 1) and y.shape == (5, 1)
    starts = np.random.default_rng(1).uniform(0, 2 * np.pi, 5)     # the documented recipe
    np.testing.assert_allclose(xs[:, :, 0], np.sin(starts + 0.3 * np.arange(7)[:, None]))
    np.testing.assert_allclose(y[:, 0], np.sin(starts + 0.3 * 7))   # the value after the window
    assert not np.allclose(rnnlib.sine_windows(5, 7, seed=2)[0], rnnlib.sine_windows(5, 7)[0])
    ids, targets = rnnlib.recall_first(10, 6, n_symbols=3, n_noise=2, seed=0)
    assert ids.shape == (6, 10) and np.array_equal(ids[0], targets)
    assert ids[1:].min() >= 3 and ids.max() < 5
    with pytest.raises(ValueError, match="'length'"):
        rnnlib.recall_first(3, 0)


def test_seen_in_training_marks_the_test_sequences_that_occur_in_training():
    train = [np.array([1, 2]), np.array([3]), np.array([1, 2, 3])]
    test = [np.array([1, 2]), np.array([2, 1]), np.array([3]), np.array([1, 2, 3, 4])]
    assert seen_in_training(train, test).tolist() == [True, False, True, False]
    xs = np.array([[0, 1], [2, 2]])                 # (T, B): the columns are the sequences
    assert seen_in_training(xs.T, np.array([[0, 1], [2, 0]]).T).tolist() == [True, False]
    with pytest.raises(TypeError, match="argument 'train'"):
        seen_in_training(5, test)
    with pytest.raises(TypeError, match="argument 'test'"):
        seen_in_training(train, [np.array([0.5])])
    with pytest.raises(ValueError, match="argument 'test'"):
        seen_in_training(train, [np.zeros((2, 2), dtype=int)])


def test_fit_stops_when_an_update_blows_the_parameters_up():
    # The loss and gradient of the first step are finite; lr = 1e308 makes the update overflow.
    # fit must call that divergence, not hand the next step parameters it would reject.
    params, xs, targets, _ = problem(T=3, B=2, loss="mse")
    with np.errstate(over="ignore", invalid="ignore"):   # gradients ~1e3 times lr = 1e308
        history = rnnlib.fit(params, (xs, 1e3 * targets), steps=3, lr=1e308, loss="mse")
    assert history.diverged
    assert len(history.loss) == 1 and np.isfinite(history.loss[0])

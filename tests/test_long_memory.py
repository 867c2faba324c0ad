"""rnnlib.experiments.long_memory: skip connections through time and leaky units, trained by BPTT."""
from __future__ import annotations

import numpy as np
import pytest

import rnnlib
from rnnlib.architectures.reservoir import leaky_states
from rnnlib.experiments.long_memory import (init_skip_rnn, recall_skip, skip_loss_and_grads,
                                            skip_states, trained_count)
from rnnlib.experiments.forgetting import shared_suffix_gaps
from rnnlib.experiments.recall import RecallSetup, recall_accuracy
from rnnlib.training.clipping import clip_by_global_norm, global_norm
from rnnlib.training.optim import SGD, Adagrad, Adam
from rnnlib.training.tree import as_vector, count, param_leaves, tree_grad_errors


@pytest.mark.parametrize("delay, leak", [(None, 1.0), (3, 1.0), (2, 0.4), (None, 0.3)])
def test_gradients_match_finite_differences(delay, leak):
    xs, y = rnnlib.recall_first(3, 7, seed=0)
    params = init_skip_rnn(8, 5, 4, delay=delay, seed=1)
    _, grads = skip_loss_and_grads(params, xs, y, delay=delay, leak=leak)
    numeric = rnnlib.numerical_grads(
        lambda p: skip_loss_and_grads(p, xs, y, delay=delay, leak=leak)[0], params)
    assert set(grads) == set(params)
    for k in params:
        assert rnnlib.relative_error(grads[k], numeric[k]) < 1e-7, k


def test_no_delay_and_no_leak_is_the_plain_rnn():
    params = init_skip_rnn(8, 5, 4, seed=2)
    xs, _ = rnnlib.recall_first(4, 6, seed=1)
    h, _ = skip_states(params, xs)
    np.testing.assert_allclose(h[1:], rnnlib.forward(params, xs).h, atol=1e-14)


@pytest.mark.parametrize("leak", [1.0, 0.3])
def test_without_a_delay_the_states_are_the_reservoirs_leaky_units(leak):
    """One leak recurrence: skip_states without a delay is reservoir.leaky_states from h_0 = 0,
    to the last bit."""
    params = init_skip_rnn(8, 5, 4, seed=3)
    xs, _ = rnnlib.recall_first(4, 9, seed=2)
    h, _ = skip_states(params, xs, leak=leak)
    assert np.array_equal(h[1:], leaky_states(params, xs, leak=leak))


def test_recall_without_skip_is_chapter_8s_experiment():
    setup = RecallSetup(steps=20, n_test=100)
    assert recall_skip(6, seed=1, setup=setup) == recall_accuracy("rnn", 6, seed=1, setup=setup).accuracy


def test_a_skip_connection_reaches_far_back():
    setup = RecallSetup(hidden_size=8, steps=150, n_test=200)
    assert recall_skip(15, delay=5, seed=0, setup=setup) > 0.95


def test_trained_count_is_the_number_of_parameters():
    setup = RecallSetup()
    for skip in (False, True):
        params = init_skip_rnn(8, 6, 4, delay=2 if skip else None)
        assert trained_count(6, setup, skip=skip) == sum(v.size for v in params.values())


@pytest.mark.parametrize("call, name, error", [
    (lambda: init_skip_rnn(8, 5, 4, delay=0), "delay", ValueError),
    (lambda: skip_states(init_skip_rnn(8, 5, 4), np.zeros((3, 2), int), delay=2), "params",
     ValueError),
    (lambda: skip_states(init_skip_rnn(8, 5, 4), np.zeros((3, 2), int), leak=1.5), "leak",
     ValueError),
    (lambda: skip_states(init_skip_rnn(8, 5, 4), np.zeros((3, 2))), "xs", TypeError),
    (lambda: skip_states(init_skip_rnn(8, 5, 4), np.full((3, 2), 8)), "xs", ValueError),
    (lambda: skip_states(init_skip_rnn(8, 5, 4), np.zeros(3, int)), "xs", ValueError),
    (lambda: shared_suffix_gaps(rnnlib.init_params(3, 4, 3), T=3, n_pairs=2, agree=[0.5]),
     "agree", TypeError),
    (lambda: shared_suffix_gaps(rnnlib.init_params(3, 4, 3), T=3, n_pairs=2, agree=[4]),
     "agree", ValueError),
])
def test_bad_input_names_the_argument(call, name, error):
    with pytest.raises(error, match=f"argument '{name}'"):
        call()


def test_the_skip_weights_are_a_parameter_every_walker_sees():
    """W_s sits in a flat model beside U, W, V, b, c: the optimisers, the clipping, the
    gradient check and as_vector all take it, so it is trained (it used to stay as drawn:
    count 71 against as_vector's 55)."""
    params = init_skip_rnn(5, 4, 3, delay=2)
    assert count(params) == as_vector(params).size == 71
    assert [k for k, _ in param_leaves(params)] == ["U", "W", "V", "b", "c", "Ws"]
    shuffled = {k: params[k] for k in ("Ws", "c", "b", "V", "W", "U")}   # any dict order
    assert [k for k, _ in param_leaves(shuffled)] == ["U", "W", "V", "b", "c", "Ws"]
    xs, y = rnnlib.recall_first(3, 6, n_symbols=3, n_noise=2, seed=0)
    _, grads = skip_loss_and_grads(params, xs, y, delay=2)
    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    assert global_norm(grads) == pytest.approx(norm, rel=1e-14)
    clipped, _ = clip_by_global_norm(grads, 0.5 * norm)
    assert np.allclose(clipped["Ws"], 0.5 * grads["Ws"])
    for optimizer in (SGD(0.5), Adagrad(0.5), Adam(0.5)):
        before = params["Ws"].copy()
        optimizer.step(params, grads)
        assert not np.array_equal(params["Ws"], before), type(optimizer).__name__
    errors = tree_grad_errors(lambda p: skip_loss_and_grads(p, xs, y, delay=2), params)
    assert list(errors) == ["U", "W", "V", "b", "c", "Ws"] and max(errors.values()) < 1e-6


def test_recall_skip_trains_the_skip_weights(monkeypatch):
    from rnnlib.experiments import long_memory
    trained = {}
    fit = long_memory.fit

    def keeping(params, **kw):
        trained["Ws"] = params["Ws"].copy()
        history = fit(params, **kw)
        trained["moved"] = np.abs(params["Ws"] - trained["Ws"]).max()
        return history
    monkeypatch.setattr(long_memory, "fit", keeping)
    recall_skip(6, delay=3, setup=RecallSetup(hidden_size=6, steps=20, n_test=50))
    assert trained["moved"] > 1e-3

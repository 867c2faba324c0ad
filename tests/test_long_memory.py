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

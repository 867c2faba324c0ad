"""The recall-first experiment helper (rnnlib.experiments.recall)."""
import numpy as np
import pytest

import rnnlib
from rnnlib.experiments.recall import (RecallSetup, accuracies, overlap_with_training,
                                      recall_accuracy, recall_sweep)

QUICK = RecallSetup(hidden_size=6, steps=40, lr=0.3, batch=16, n_test=100)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_a_short_distance_is_learned(cell):
    run = recall_accuracy(cell, 2, seed=0, setup=QUICK)
    accuracy, losses = run.accuracy, run.losses
    assert accuracy == 1.0 and run.params["W"].shape[0] == {"rnn": 6, "lstm": 24, "gru": 18}[cell]
    assert len(losses) == QUICK.steps and losses[-1] < 0.2 * losses[0]


def test_runs_are_reproducible_and_seeds_differ():
    a = recall_accuracy("gru", 6, seed=1, setup=QUICK)
    b = recall_accuracy("gru", 6, seed=1, setup=QUICK)
    c = recall_accuracy("gru", 6, seed=2, setup=QUICK)
    assert a.accuracy == b.accuracy and a.losses == b.losses
    assert a.losses != c.losses


def test_accuracy_is_measured_on_the_test_set():
    # an untrained model (0 steps) scores what its argmax gives on the held-out sequences
    setup = RecallSetup(hidden_size=4, steps=0, n_test=50)
    run = recall_accuracy("lstm", 3, seed=3, setup=setup)
    accuracy, losses = run.accuracy, run.losses
    params = rnnlib.init_params(8, 4, 4, cell="lstm", seed=3)
    xs, targets = rnnlib.recall_first(50, 4, seed=10)
    expected = np.mean(rnnlib.forward(params, xs, cell="lstm").o[-1].argmax(-1) == targets)
    assert losses == [] and accuracy == expected


def test_sweep_has_one_accuracy_per_seed():
    setup = RecallSetup(hidden_size=4, steps=5, n_test=20)
    result = recall_sweep(["rnn", "gru"], [2, 3], [0, 1, 2], setup=setup)
    assert sorted(result) == [("gru", 2), ("gru", 3), ("rnn", 2), ("rnn", 3)]
    for runs in result.values():
        acc = accuracies(runs)
        assert acc.shape == (3,) and np.all((0 <= acc) & (acc <= 1))
    assert accuracies(result["gru", 2])[1] == recall_accuracy("gru", 2, seed=1, setup=setup).accuracy


def test_the_test_sequences_seen_in_training_are_counted():
    # distance 1: the 16 possible sequences of length 2 all occur in 40 batches of 16;
    # distance 30: none of 4 * 4**30 possible sequences comes twice
    assert overlap_with_training(1, seed=0, setup=QUICK) == QUICK.n_test
    assert overlap_with_training(30, seed=0, setup=QUICK) == 0
    # distance 2 (64 sequences): more batches cover more of them, the first batch in both
    one, four = (overlap_with_training(2, seed=1, setup=RecallSetup(steps=steps, batch=16))
                 for steps in (1, 4))
    assert 0 < one < four < RecallSetup().n_test
    with pytest.raises(ValueError, match="argument 'distance'"):
        overlap_with_training(0)

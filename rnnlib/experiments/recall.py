"""The recall-first task as an experiment: train a cell to carry the first token over k steps,
then measure its accuracy on fresh sequences; repeated over cells, distances and seeds.

One run is a random experiment (the weights, the batches), so a claim about a cell rests on
several seeds: :func:`recall_sweep` returns every run's accuracy, to report the mean and the
spread rather than one number.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.forward import forward
from ..core.params import init_params
from ..core.validation import check_int
from .datasets import recall_first
from ..training.train import fit


@dataclass(frozen=True)
class RecallSetup:
    """Sizes and training budget shared by every run. n_symbols to recall, n_noise fillers."""

    hidden_size: int = 8
    n_symbols: int = 4
    n_noise: int = 4
    batch: int = 32
    steps: int = 150
    lr: float = 0.1
    clip: float = 5.0
    n_test: int = 500


@dataclass
class RecallRun:
    """One trained model: its test accuracy, the loss at each update, and the parameters."""

    accuracy: float
    losses: list
    params: dict


def recall_accuracy(cell: str, distance: int, *, seed: int = 0, setup: RecallSetup = RecallSetup(),
                    forget_bias: float = 1.0) -> RecallRun:
    """Train one model (Adagrad, clipped, a fresh batch each step) on sequences whose answer
    is ``distance`` steps before the end (length distance + 1) and test it on ``n_test`` new
    sequences, drawn from another seed than any training batch."""
    D, K = setup.n_symbols + setup.n_noise, setup.n_symbols
    params = init_params(D, setup.hidden_size, K, cell=cell, seed=seed, forget_bias=forget_bias)
    length = check_int("distance", distance, minimum=1) + 1

    def batch(step):
        return recall_first(setup.batch, length, n_symbols=setup.n_symbols,
                            n_noise=setup.n_noise, seed=1_000_003 * (seed + 1) + step)
    history = fit(params, batch, steps=setup.steps, lr=setup.lr, optimizer="adagrad",
                  clip=setup.clip, mode="many_to_one", cell=cell)
    xs, targets = recall_first(setup.n_test, length, n_symbols=setup.n_symbols,
                               n_noise=setup.n_noise, seed=seed + 7)
    predicted = forward(params, xs, cell=cell).o[-1].argmax(axis=-1)
    return RecallRun(float(np.mean(predicted == targets)), history.loss, params)


def recall_sweep(cells, distances, seeds, *, setup: RecallSetup = RecallSetup(),
                 forget_bias: float = 1.0) -> dict:
    """{(cell, distance): [RecallRun for each seed]} for every cell and distance."""
    return {(cell, k): [recall_accuracy(cell, k, seed=s, setup=setup, forget_bias=forget_bias)
                        for s in seeds]
            for cell in cells for k in distances}


def accuracies(runs: list) -> np.ndarray:
    """The test accuracies of a list of runs (one per seed): (len(runs),)."""
    return np.array([run.accuracy for run in runs])

"""One training loop, one set of optimisers, one sampler, for every model."""
import re
from pathlib import Path

import numpy as np
import pytest

import rnnlib
from rnnlib import architectures as arch
from helpers import problem

ROOT = Path(rnnlib.__file__).resolve().parent


def definitions(pattern: str) -> list[str]:
    found = []
    for path in ROOT.rglob("*.py"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if re.match(pattern, line):
                found.append(f"{path.relative_to(ROOT)}: {line.strip()}")
    return found


@pytest.mark.parametrize("pattern, expected", [
    (r"\s*def fit\(", 1), (r"\s*class Adagrad\b", 1), (r"\s*class Adam\b", 1),
    (r"\s*class SGD\b", 1), (r"\s*def sample\(", 1), (r"\s*def _?check_int\(", 1),
    (r"\s*class \w*Adagrad", 1), (r"\s*def clip_by_global_norm\(", 1),
])
def test_one_of_each_in_the_tree(pattern, expected):
    assert len(definitions(pattern)) == expected, definitions(pattern)


def test_fit_takes_an_objective_for_any_parameter_tree():
    xs, y = rnnlib.recall_first(32, 4, seed=1)
    p = arch.init_stacked(8, [6, 6], 4, seed=0)
    q = arch.copy_tree(p)
    history = rnnlib.fit(p, objective=lambda t, i: arch.stacked_loss_and_grads(t, xs, y, mode="many_to_one"),
                         steps=5, optimizer="adagrad", lr=0.1, clip=1.0)
    losses = arch.train(lambda t, i: arch.stacked_loss_and_grads(t, xs, y, mode="many_to_one"), q, steps=5, lr=0.1,
                        clip=1.0)
    assert history.loss == losses and len(losses) == 5
    for (path, a), (_, b) in zip(arch.leaves(p), arch.leaves(q)):
        np.testing.assert_array_equal(a, b, err_msg=path)
    with pytest.raises(ValueError, match="'objective'"):
        rnnlib.fit(p, (xs, y), objective=lambda t, i: (0.0, t), steps=1)
    with pytest.raises(ValueError, match="'data'"):
        rnnlib.fit(p, steps=1)


def test_fit_takes_an_optimiser_object_and_refuses_a_second_learning_rate():
    params, xs, targets, _ = problem(T=4, B=2)
    a, b = rnnlib.copy_params(params), rnnlib.copy_params(params)
    rnnlib.fit(a, (xs, targets), steps=3, optimizer=rnnlib.Adam(0.01))
    rnnlib.fit(b, (xs, targets), steps=3, optimizer="adam", lr=0.01)
    for k in rnnlib.PARAM_KEYS:
        np.testing.assert_array_equal(a[k], b[k])
    with pytest.raises(ValueError, match="'lr'"):
        rnnlib.fit(a, (xs, targets), steps=1, optimizer=rnnlib.SGD(0.1), lr=0.1)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_carry_state_is_truncated_bptt_across_batches(cell):
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 5, (13, 3))
    batches = [(ids[0:4], ids[1:5]), (ids[4:8], ids[5:9]), (ids[8:12], ids[9:13], True)]
    p = rnnlib.init_params(5, 4, 5, cell=cell, seed=2)
    by_hand, fitted = rnnlib.copy_params(p), rnnlib.copy_params(p)
    seen = []
    rnnlib.fit(fitted, lambda i: batches[i], steps=3, optimizer="sgd", lr=0.3, cell=cell,
               carry_state=True, per_token=True, callback=lambda i, q, h: seen.append(i))
    state = {}
    for i, item in enumerate(batches):
        if len(item) > 2:
            state = {}                                       # the text starts again
        xs, ys = item[:2]
        _, g = rnnlib.loss_and_grads(by_hand, xs, ys, cell=cell, **state)
        run = rnnlib.forward(by_hand, xs, cell=cell, **state)
        state = {"h0": run.h[-1]} | ({"s0": run.s[-1]} if cell == "lstm" else {})
        rnnlib.sgd_step(by_hand, {k: v / ys.size for k, v in g.items()}, 0.3)
    assert seen == [0, 1, 2]
    for k in rnnlib.PARAM_KEYS:
        np.testing.assert_allclose(fitted[k], by_hand[k], rtol=0, atol=1e-14, err_msg=k)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_the_one_sampler_reads_a_prompt_and_feeds_its_samples_back(cell):
    p = rnnlib.init_params(6, 5, 6, cell=cell, seed=3)
    prompt = np.array([1, 4, 2])
    drawn = rnnlib.sample(p, prompt, 20, seed=7, cell=cell, temperature=0.7)
    assert drawn.shape == (20,) and drawn.dtype == np.int64
    assert np.array_equal(drawn, rnnlib.generate(p, prompt, 20, seed=7, cell=cell,
                                                 temperature=0.7))
    # the same draws by hand: the state after the prompt, then one token at a time
    rng, state = np.random.default_rng(7), {}
    run = rnnlib.forward(p, prompt[:-1], cell=cell)
    state = {"h0": run.h[-1]} | ({"s0": run.s[-1]} if cell == "lstm" else {})
    token, mine = int(prompt[-1]), []
    for _ in range(20):
        run = rnnlib.forward(p, np.array([token]), cell=cell, **state)
        state = {"h0": run.h[-1]} | ({"s0": run.s[-1]} if cell == "lstm" else {})
        token = int(rng.choice(6, p=rnnlib.softmax(run.o[-1], temperature=0.7)))
        mine.append(token)
    assert drawn.tolist() == mine
    with pytest.raises(TypeError, match="'prime_ids'"):
        rnnlib.sample(p, np.array([0.5]), 3, cell=cell)
    with pytest.raises(ValueError, match="'prime_ids'"):
        rnnlib.sample(p, np.array([], dtype=int), 3, cell=cell)


def test_optimisers_update_a_tree_and_name_a_missing_gradient():
    p = {"layers": [{"U": np.ones((2, 2))}], "V": np.ones(3)}
    g = {"layers": [{"U": np.full((2, 2), 2.0)}], "V": np.ones(3), "h0": np.ones(2)}
    rnnlib.Adagrad(0.5).step(p, g)
    np.testing.assert_allclose(p["layers"][0]["U"], 1 - 0.5 * 2 / np.sqrt(4 + 1e-8))
    with pytest.raises(ValueError, match="'grads'.*'layers/0/U'"):
        rnnlib.SGD(0.1).step(p, {"V": np.ones(3)})
    with pytest.raises(TypeError, match="'grads'"):
        rnnlib.Adam().step(p, 3.0)


def test_random_windows_are_the_text_and_its_next_tokens():
    stream = np.arange(100) % 17
    get = rnnlib.random_windows(stream, 12, 16, seed=3)
    xs, ys = get(0)
    assert xs.shape == ys.shape == (12, 16)
    assert np.array_equal((xs + 1) % 17, ys)
    again = rnnlib.random_windows(stream, 12, 16, seed=3)
    assert np.array_equal(again(0)[0], xs) and not np.array_equal(get(1)[0], xs)
    with pytest.raises(ValueError, match="'ids'"):
        rnnlib.random_windows(stream[:5], 12, 2)

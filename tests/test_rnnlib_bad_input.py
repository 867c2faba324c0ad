"""Inputs that used to give a believable wrong number, or a deep traceback, now raise a
ValueError / TypeError naming the argument (the review of rnnlib, §1-§3)."""
import numpy as np
import pytest

import rnnlib
from rnnlib.book.notation import forward_in_notation, to_notation
from rnnlib.core.activations import derivative_from_h
from rnnlib.experiments.long_memory import init_skip_rnn, skip_loss_and_grads


def named(exc, name):
    """pytest.raises for a message about the argument ``name`` (a regex), or one of its entries."""
    return pytest.raises(exc, match=f"argument '{name}['\\[]")


@pytest.fixture
def p():
    return rnnlib.init_params(3, 4, 3, seed=0)


@pytest.mark.parametrize("bad", [[4, 0], [-1, 0]])
def test_skip_loss_checks_class_ids(bad):
    params = init_skip_rnn(8, 5, 4)
    xs = np.array([[0, 1], [2, 3], [4, 5]])
    with named(ValueError, "targets"):
        skip_loss_and_grads(params, xs, bad)


def test_numerical_grads_checks_its_arguments():
    def f(a):
        return float((a["x"] ** 2).sum())
    with named(TypeError, r"arrays\['x'\]"):       # an int array rounds x + eps back
        rnnlib.numerical_grads(f, {"x": np.array([1, 2])})
    with named(ValueError, "eps"):
        rnnlib.numerical_grads(f, {"x": np.array([1.0, 2.0])}, eps=0)
    with named(TypeError, "f"):
        rnnlib.numerical_grads(3, {"x": np.array([1.0])})
    with named(ValueError, "keys"):
        rnnlib.numerical_grads(f, {"x": np.array([1.0])}, keys=["y"])
    g = rnnlib.numerical_grads(f, {"x": np.array([1.0, 2.0])})["x"]
    assert np.allclose(g, [2.0, 4.0])


def test_check_grads_compares_the_lstm_cell_state():
    p = rnnlib.init_params(3, 4, 3, cell="lstm", seed=1)
    xs, ys = np.random.default_rng(0).normal(size=(5, 3)), np.array([0, 1, 2, 0, 1])
    errors = rnnlib.check_grads(p, xs, ys, cell="lstm", s0=np.full(4, 0.3))
    assert "s0" in errors and max(errors.values()) < 1e-6
    with named(ValueError, "s0"):
        rnnlib.check_grads(p, xs, ys, cell="lstm", s0=np.zeros(3))


def test_relative_error_names_its_arguments():
    with named(TypeError, "analytic"):
        rnnlib.relative_error("a", "b")


@pytest.mark.parametrize("x_t, h_prev, name, exc", [
    (1.7, np.zeros(4), "x_t", TypeError),          # not read as id 1
    (3, np.zeros(4), "x_t", ValueError),           # D = 3
    (np.zeros(2), np.zeros(4), "x_t", ValueError),
    (1, np.zeros(3), "h_prev", ValueError),
    (1, np.full(4, np.nan), "h_prev", ValueError),   # not 'o'
])
def test_step_forward_checks_its_inputs(p, x_t, h_prev, name, exc):
    with named(exc, name):
        rnnlib.step_forward(p, x_t, h_prev)


def test_step_forward_checks_loss_params_and_step_backward_its_vectors(p):
    with named(ValueError, "loss"):                # not treated as mse
        rnnlib.step_forward(p, 1, np.zeros(4), loss="hinge")
    with named(ValueError, "params"):
        rnnlib.step_forward({"U": p["U"]}, 1, np.zeros(4))
    cache = rnnlib.step_forward(p, 1, np.zeros(4))
    with named(ValueError, "d_o"):
        rnnlib.step_backward(p, cache, np.zeros(2), np.zeros(4))
    with named(ValueError, "dh_from_next"):
        rnnlib.step_backward(p, cache, np.zeros(3), [np.nan] * 4)
    with named(TypeError, "cache"):
        rnnlib.step_backward(p, 3, np.zeros(3), np.zeros(4))


def test_ng_forward_checks_the_stacked_matrix(p):
    xs = np.ones((3, 3))
    n = to_notation(p, "ng")
    assert np.allclose(forward_in_notation(n, xs, "ng")[0], rnnlib.forward(p, xs).h)
    n["W_aa"] = n["W_aa"] * 0                       # W_a no longer [W_aa | W_ax]
    with named(ValueError, r"named\['W_a'\]"):
        forward_in_notation(n, xs, "ng")
    del n["W_a"]
    with named(ValueError, "named"):
        forward_in_notation(n, xs, "ng")


def test_train_language_model_checks_evaluation_and_optimizer(p):
    ids = np.arange(60) % 3
    kw = dict(steps=1, batch_size=2, seq_len=4)
    with named(ValueError, "eval_every"):          # val_ids would be ignored
        rnnlib.train_language_model(p, ids, optimizer=rnnlib.Adam(), val_ids=ids, **kw)
    with named(ValueError, "eval_every"):
        rnnlib.train_language_model(p, ids, optimizer=rnnlib.Adam(), val_ids=ids, eval_every=-1,
                                    **kw)
    with named(TypeError, "optimizer"):            # a name would train at lr 0.1
        rnnlib.train_language_model(p, ids, optimizer="adam", **kw)


def test_trace_checks_loss_without_targets(p):
    with named(ValueError, "loss"):
        rnnlib.trace(p, np.array([0, 1]), loss="hinge")


def test_derivative_from_h_checks_the_activation():
    with named(ValueError, "activation"):
        derivative_from_h(np.zeros(3), "softplus")


def test_fit_frozen_must_be_names(p):
    xs, ys = np.zeros((2, 3)), np.array([0, 1])
    with named(TypeError, "frozen"):               # not read as ("b", "c")
        rnnlib.fit(p, (xs, ys), steps=1, frozen="bc")
    with named(TypeError, "grads"):
        rnnlib.freeze(3, ("b",))


def test_fit_per_token_mse_averages_over_target_vectors():
    p = rnnlib.init_params(2, 3, 4, seed=0)
    xs, ys = np.ones((5, 2, 2)), np.zeros((5, 2, 4))      # T·B = 10 target vectors of K = 4
    summed = rnnlib.fit(rnnlib.copy_params(p), (xs, ys), steps=1, loss="mse").loss[0]
    mean = rnnlib.fit(rnnlib.copy_params(p), (xs, ys), steps=1, loss="mse", per_token=True).loss[0]
    assert np.isclose(mean, summed / 10)


def test_pytorch_gru_forward_checks_b_hn():
    p = rnnlib.init_params(3, 4, 3, cell="gru")
    with named(ValueError, "b_hn"):
        rnnlib.pytorch_gru_forward(p, np.zeros((2, 3)), b_hn=[np.nan] * 4)
    with named(TypeError, "b_hn"):
        rnnlib.pytorch_gru_forward(p, np.zeros((2, 3)), b_hn="a")


def test_sample_names_prime_ids_and_seed():
    p = rnnlib.init_params(5, 4, 5)
    with named(ValueError, "prime_ids"):           # not 'xs'
        rnnlib.sample(p, np.array([7]), 3)
    for seed, exc in (("a", TypeError), (-1, ValueError)):
        with named(exc, "seed"):
            rnnlib.sample(p, 1, 3, seed=seed)


def test_mean_loss_names_ids_and_perplexity_its_argument():
    p = rnnlib.init_params(5, 4, 5)
    with named(ValueError, "ids"):                 # not 'xs'
        rnnlib.mean_loss(p, np.arange(20) % 7)
    with named(TypeError, "nats_per_token"):
        rnnlib.perplexity("a")
    with named(TypeError, "nats_per_token"):
        rnnlib.perplexity(np.array([1.0, 2.0]))
    assert rnnlib.perplexity(np.log(4.0)) == pytest.approx(4.0)


@pytest.mark.parametrize("distance, exc", [(-1, ValueError), (2.5, TypeError)])
def test_recall_accuracy_names_distance(distance, exc):
    from rnnlib.experiments.recall import recall_accuracy
    with named(exc, "distance"):                   # not 'length'
        recall_accuracy("rnn", distance)


def test_fit_names_an_optimizer_class_and_a_bad_batch(p):
    xs, ys = np.zeros((2, 3)), np.array([0, 1])
    with named(TypeError, "optimizer"):            # not 'lr'
        rnnlib.fit(p, (xs, ys), steps=1, optimizer=rnnlib.Adam, lr=0.01)
    with named(ValueError, "data"):
        rnnlib.fit(p, (xs,), steps=1)
    with named(TypeError, "data"):
        rnnlib.fit(p, lambda i: 3, steps=1)
    for name in ("objective", "callback"):
        with named(TypeError, name):
            rnnlib.fit(p, **({"objective": 3} if name == "objective" else
                             {"data": (xs, ys), "callback": 3}), steps=1)


@pytest.mark.parametrize("grads", ["abc", None, 3, {"W": "ab"}])
def test_global_norm_and_clipping_check_the_gradients(grads):
    with named(TypeError, "grads"):
        rnnlib.global_norm(grads)
    with named(TypeError, "grads"):
        rnnlib.clip_by_global_norm(grads, 1.0)
    with named(TypeError, "grads"):
        rnnlib.clip_elementwise(grads, 1.0)


def test_an_optimiser_names_an_integer_parameter():
    with named(TypeError, r"params\['W'\]"):
        rnnlib.SGD(0.1).step({"W": np.array([1, 2])}, {"W": np.array([1.0, 1.0])})
    with named(TypeError, r"grads\['W'\]"):
        rnnlib.Adam().step({"W": np.array([1.0, 2.0])}, {"W": np.array(["a", "b"])})


def test_minibatches_slice_many_to_one_mse_targets_by_sequence():
    xs, ys = np.zeros((5, 6, 2)), np.arange(12.0).reshape(6, 2)    # (N, K): no time axis
    batch = rnnlib.minibatches(xs, ys, size=3)
    assert np.array_equal(batch(1)[1], ys[3:])                       # not ys[:, 3:]
    ids = np.arange(30).reshape(5, 6) % 3                             # (T, N) class ids
    assert np.array_equal(rnnlib.minibatches(xs, ids, size=3)(1)[1], ids[:, 3:])
    with named(ValueError, "targets"):
        rnnlib.minibatches(xs, np.zeros(5, int), size=3)
    with named(TypeError, "xs"):
        rnnlib.minibatches([[1.0, 2.0], [3.0]], ids, size=1)


@pytest.mark.parametrize("fn", [rnnlib.sigmoid, rnnlib.relu, lambda a: rnnlib.activate(a, "tanh")])
def test_activations_name_a_string_input(fn):
    with named(TypeError, "a"):
        fn("x")


def test_derivative_takes_lists_and_checks_shapes():
    assert rnnlib.derivative([1.0], [0.5], "tanh") == pytest.approx([0.75])
    with named(ValueError, "h"):
        rnnlib.derivative([1.0, 2.0], [0.5], "tanh")


@pytest.mark.parametrize("axis, exc", [("a", TypeError), (0.5, TypeError), (2, ValueError)])
def test_softmax_axis(axis, exc):
    with named(exc, "axis"):
        rnnlib.softmax(np.zeros((2, 3)), axis=axis)


def test_copy_params_copies_any_tree():
    from rnnlib import architectures as arch
    tree = arch.init_bidirectional(3, 4, 2)
    copy = rnnlib.copy_params(tree)
    leaf = copy["forward"]["W"]
    leaf += 1.0
    assert not np.array_equal(leaf, tree["forward"]["W"])
    assert arch.copy_tree is rnnlib.copy_params
    with named(TypeError, r"params\['W'\]"):
        rnnlib.copy_params({"W": "ab"})


def test_sigmoid_of_a_scalar_is_a_scalar_with_the_same_bits():
    a = np.float64(1.7)
    s = rnnlib.sigmoid(a)
    assert np.ndim(s) == 0 and s == 0.5 * (1.0 + np.tanh(0.5 * a))
    assert rnnlib.activate(np.array(1.7), "sigmoid") == s


def test_loss_and_grads_without_targets_names_them():
    """targets=None with loss=None is a forward-only call to the checks; a loss needs targets."""
    import rnnlib
    p = rnnlib.init_params(3, 4, 3, seed=0)
    for fn in (rnnlib.loss_and_grads, rnnlib.symbolic.loss_and_grads):
        with pytest.raises(TypeError, match="argument 'targets'"):
            fn(p, np.array([0, 1, 2]), None, loss=None)

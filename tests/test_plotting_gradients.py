"""Tests for rnnlib.plotting.gradients (the Jacobian-norm, accuracy, gradient-norm and clipping
figures of chapter 5)."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

import rnnlib
from rnnlib.plotting import gradients


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def _labelled(ax, labels):
    return [line for line in ax.lines if line.get_label() in labels]


# ---------------------------------------------------------------- jacobian_norm_decay

def test_jacobian_norm_decay_plots_against_distance_on_a_log_scale():
    norms = np.array([0.125, 0.25, 0.5, 1.0])          # entry t = ||dh_T/dh_t||, T = 3
    ax = gradients.jacobian_norm_decay({"a": norms})
    (line,) = _labelled(ax, ["a"])
    np.testing.assert_allclose(line.get_xdata(), [0, 1, 2, 3])          # distance T - t
    np.testing.assert_allclose(line.get_ydata(), [1.0, 0.5, 0.25, 0.125])
    assert ax.get_yscale() == "log"
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()


def test_jacobian_norm_decay_draws_the_predicted_rate_in_the_same_colour():
    ax = gradients.jacobian_norm_decay({"a": [0.25, 0.5, 1.0], "b": [4.0, 2.0, 1.0]},
                                       rates={"b": 2.0})
    b_line = _labelled(ax, ["b"])[0]
    dashed = [line for line in ax.lines if line.get_linestyle() == "--" and len(line.get_xdata())]
    assert len(dashed) == 1
    np.testing.assert_allclose(dashed[0].get_ydata(), [1.0, 2.0, 4.0])
    assert dashed[0].get_color() == b_line.get_color()
    assert any("prediction" in text.get_text() for text in ax.get_legend().get_texts())


def test_jacobian_norm_decay_matches_rnnlib_in_the_linear_regime():
    params = rnnlib.init_params(2, 8, 2, seed=3)
    params["W"] = rnnlib.with_spectral_radius(params["W"], 0.5)
    xs = 1e-9 * np.random.default_rng(0).normal(size=(30, 2))
    ax = gradients.jacobian_norm_decay({"rho 0.5": rnnlib.jacobian_norms(params, xs)},
                                       rates={"rho 0.5": 0.5})
    solid = _labelled(ax, ["rho 0.5"])[0].get_ydata()
    # the measured and predicted lines have the same slope on the log scale
    slope = np.polyfit(np.arange(10, 31), np.log(solid[10:]), 1)[0]
    assert slope == pytest.approx(np.log(0.5), abs=0.02)


def test_jacobian_norm_decay_uses_a_given_axes():
    fig, (left, right) = plt.subplots(1, 2)
    assert gradients.jacobian_norm_decay({"a": [0.5, 1.0]}, ax=right) is right
    assert not left.lines


@pytest.mark.parametrize("norms, rates", [
    ({}, None),
    ({"a": []}, None),
    ({"a": [[1.0]]}, None),
    ({"a": [np.nan, 1.0]}, None),
    ({"a": [-1.0, 1.0]}, None),
    ({"a": [0.5, 1.0]}, {"b": 0.5}),
    ({"a": [0.5, 1.0]}, {"a": 0.0}),
])
def test_jacobian_norm_decay_bad_input_raises(norms, rates):
    with pytest.raises(ValueError):
        gradients.jacobian_norm_decay(norms, rates=rates)


# ---------------------------------------------------------------- accuracy_vs_distance

def test_accuracy_vs_distance_one_run_and_chance_line():
    ax = gradients.accuracy_vs_distance([2, 4, 8], [1.0, 0.75, 0.25], chance=0.25)
    (line,) = _labelled(ax, ["vanilla RNN"])
    np.testing.assert_allclose(line.get_xdata(), [2, 4, 8])
    np.testing.assert_allclose(line.get_ydata(), [1.0, 0.75, 0.25])
    chance = [line for line in ax.lines if "chance" in line.get_label()]
    assert len(chance) == 1 and "1/4" in chance[0].get_label()
    np.testing.assert_allclose(chance[0].get_ydata(), [0.25, 0.25])
    assert ax.get_xscale() == "log"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2", "4", "8"]
    assert ax.get_ylim()[0] == 0


def test_accuracy_vs_distance_several_runs_get_different_colours():
    ax = gradients.accuracy_vs_distance([2, 4], {"100 updates": [1.0, 0.3],
                                                 "300 updates": [1.0, 0.9]}, chance=0.25)
    lines = _labelled(ax, ["100 updates", "300 updates"])
    assert len(lines) == 2 and lines[0].get_color() != lines[1].get_color()


@pytest.mark.parametrize("lengths, accuracies, chance", [
    ([], [], 0.25),
    ([2, 4], [1.0], 0.25),
    ([2, 4], [1.0, 1.5], 0.25),
    ([0, 4], [1.0, 1.0], 0.25),
    ([2, 4], [1.0, 1.0], 0.0),
    ([2, 4], {}, 0.25),
])
def test_accuracy_vs_distance_bad_input_raises(lengths, accuracies, chance):
    with pytest.raises(ValueError):
        gradients.accuracy_vs_distance(lengths, accuracies, chance=chance)


# ---------------------------------------------------------------- gradient_norm_curves

def test_gradient_norm_curves_marks_a_diverged_run_and_draws_the_threshold():
    runs = {"clipped": rnnlib.History(loss=[3.0, 2.0, 1.0], grad_norm=[100.0, 10.0, 1.0]),
            "diverged": rnnlib.History(loss=[3.0], grad_norm=[1e12], diverged=True),
            "plain list": [5.0, 4.0]}
    ax = gradients.gradient_norm_curves(runs, clip=1.0)
    clipped = _labelled(ax, ["clipped"])[0]
    np.testing.assert_allclose(clipped.get_ydata(), [100.0, 10.0, 1.0])
    crosses = [line for line in ax.lines if line.get_marker() == "x"]
    assert len(crosses) == 1 and float(crosses[0].get_ydata()[0]) == 1e12
    threshold = [line for line in ax.lines if "threshold" in line.get_label()]
    np.testing.assert_allclose(threshold[0].get_ydata(), [1.0, 1.0])
    assert ax.get_yscale() == "log"


def test_gradient_norm_curves_from_a_real_fit():
    xs, y = rnnlib.sine_windows(8, 5, seed=0)
    params = rnnlib.init_params(1, 4, 1, seed=0)
    history = rnnlib.fit(params, (xs, y), steps=6, lr=0.01, clip=1.0, loss="mse",
                         mode="many_to_one")
    ax = gradients.gradient_norm_curves({"run": history})
    assert len(_labelled(ax, ["run"])[0].get_xdata()) == 6


def test_gradient_norm_curves_draw_several_seeds_as_a_median_in_a_band():
    seeds = [rnnlib.History(loss=[1.0, 1.0], grad_norm=[10.0, 2.0]),
             rnnlib.History(loss=[1.0, 1.0], grad_norm=[30.0, 4.0]),
             rnnlib.History(loss=[1.0, 1.0], grad_norm=[20.0, 8.0])]
    ax = gradients.gradient_norm_curves({"clipped": seeds}, clip=1.0)
    np.testing.assert_allclose(_labelled(ax, ["clipped"])[0].get_ydata(), [20.0, 4.0])
    assert len(ax.collections) == 1          # the band, lowest to highest


@pytest.mark.parametrize("runs, clip", [({}, None), ({"a": []}, None), ({"a": [1.0]}, 0.0),
                                        ({"a": [[1.0, 2.0], [1.0]]}, None),
                                        ({"a": [1.0]}, float("inf"))])
def test_gradient_norm_curves_bad_input_raises(runs, clip):
    with pytest.raises(ValueError):
        gradients.gradient_norm_curves(runs, clip=clip)


# ---------------------------------------------------------------- clipping_directions

def _arrow_tips(ax):
    return [np.asarray(a.xy, dtype=float) for a in ax.texts if hasattr(a, "xy")]


def test_clipping_directions_arrows_are_rnnlib_clips():
    ax = gradients.clipping_directions([12.0, 3.0], max_norm=5.0, limit=5.0)
    g, by_norm, by_entry = _arrow_tips(ax)
    np.testing.assert_allclose(g, [12.0, 3.0])
    np.testing.assert_allclose(by_norm, np.array([12.0, 3.0]) * 5.0 / np.hypot(12.0, 3.0))
    np.testing.assert_allclose(by_entry, [5.0, 3.0])
    # the global-norm clip is parallel to g; the element-wise clip is not
    assert by_norm[0] * g[1] - by_norm[1] * g[0] == pytest.approx(0.0, abs=1e-12)
    assert abs(by_entry[0] * g[1] - by_entry[1] * g[0]) > 1.0
    assert ax.get_xlim()[1] > 12.0 and ax.get_ylim()[1] > 5.0


def test_clipping_directions_shows_the_quadrant_of_a_negative_gradient():
    ax = gradients.clipping_directions([-8.0, -2.0], max_norm=3.0, limit=3.0)
    assert ax.get_xlim()[0] < -8.0 and ax.get_ylim()[0] < -3.0


@pytest.mark.parametrize("g, max_norm, limit", [([1.0, 2.0, 3.0], 1.0, 1.0),
                                                ([np.inf, 1.0], 1.0, 1.0),
                                                ([1.0, 2.0], 0.0, 1.0),
                                                ([1.0, 2.0], 1.0, -1.0)])
def test_clipping_directions_bad_input_raises(g, max_norm, limit):
    with pytest.raises(ValueError):
        gradients.clipping_directions(g, max_norm=max_norm, limit=limit)


@pytest.mark.parametrize("call, error, name", [
    (lambda: gradients.gradient_norm_curves([1.0, 2.0]), TypeError, "runs"),
    (lambda: gradients.jacobian_norm_decay({"a": [1.0]}, rates={"a": "x"}), TypeError,
     r"rates\['a'\]"),
    (lambda: gradients.accuracy_vs_distance([1, 2], [0.5, 0.5], chance="x"), TypeError, "chance"),
    (lambda: gradients.clipping_directions([1.0, 2.0], max_norm="a", limit=1.0), TypeError,
     "max_norm"),
])
def test_bad_input_names_the_argument(call, error, name):
    with pytest.raises(error, match=f"argument '{name}'"):
        call()

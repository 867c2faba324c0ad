"""Tests for rnnlib.entropy (core/softmax.py) and rnnlib.plotting.distributions, the
softmax/temperature figures drawn with it."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

import rnnlib
from rnnlib import entropy
from rnnlib.plotting import distributions
from rnnlib.plotting.distributions import plot_entropy_vs_temperature, plot_temperature_bars
from rnnlib.widgets import softmax_temperature


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_entropy_limits_and_values():
    assert entropy([1.0, 0.0, 0.0]) == 0.0
    assert np.isclose(entropy(np.full(7, 1 / 7)), np.log(7))
    assert np.isclose(entropy([0.5, 0.5]), np.log(2))
    p = np.array([0.2, 0.3, 0.5])
    assert np.isclose(entropy(p), -(p * np.log(p)).sum())


def test_entropy_along_axis():
    p = np.array([[0.5, 0.5], [1.0, 0.0]])
    np.testing.assert_allclose(entropy(p, axis=-1), [np.log(2), 0.0])
    np.testing.assert_allclose(entropy(p.T, axis=0), [np.log(2), 0.0])


@pytest.mark.parametrize("bad", [[0.5, 0.6], [-0.1, 1.1], 1.0])
def test_entropy_rejects_non_distributions(bad):
    with pytest.raises(ValueError, match="argument 'p'"):
        entropy(bad)


def test_entropy_names_a_bad_axis():
    with pytest.raises(ValueError, match="argument 'axis'"):
        entropy([0.5, 0.5], axis=5)
    with pytest.raises(TypeError, match="argument 'axis'"):
        entropy([0.5, 0.5], axis=0.5)


def test_one_entropy_for_the_figure_and_the_stepper():
    """The figure and the softmax-temperature stepper compute the entropy with rnnlib.entropy."""
    assert distributions.entropy is entropy
    player = softmax_temperature(logits=[2.0, 1.0, 0.1], temperatures=[0.5, 2.0])
    p = rnnlib.softmax(np.array([2.0, 1.0, 0.1]), temperature=2.0)
    assert f"entropy {float(entropy(p)):.3f} nats" in player.render([2.0, 1.0, 0.1], 2.0)


def test_temperature_bars_heights_are_softmax():
    o = np.array([2.0, 1.0, 0.1])
    taus = [0.5, 1.0, 3.0]
    ax = plot_temperature_bars(o, taus)
    bars = [r for r in ax.patches]
    assert len(bars) == len(taus) * o.size
    heights = np.array([b.get_height() for b in bars]).reshape(len(taus), o.size)
    for row, tau in zip(heights, taus):
        np.testing.assert_allclose(row, rnnlib.softmax(o, temperature=tau))
    assert len(ax.get_legend().get_texts()) == len(taus) + 1


def test_temperature_bars_label_checks():
    with pytest.raises(ValueError, match="class_labels"):
        plot_temperature_bars([1.0, 2.0], [1.0], class_labels=["only one"])
    with pytest.raises(ValueError, match="temperatures"):
        plot_temperature_bars([1.0, 2.0], [0.0])
    with pytest.raises(ValueError, match="argument 'o'"):
        plot_temperature_bars(np.zeros((2, 2)), [1.0])


def test_entropy_curve_rises_to_ln_K():
    o = np.array([3.0, 0.5, -1.0, 0.0])
    taus = np.geomspace(0.01, 1000, 50)
    ax = plot_entropy_vs_temperature(o, taus)
    y = ax.lines[0].get_ydata()
    assert np.all(np.diff(y) >= -1e-12)              # monotone in tau
    assert y[0] < 1e-6 and abs(y[-1] - np.log(4)) < 1e-4
    assert ax.get_xscale() == "log"
    assert np.isclose(ax.lines[1].get_ydata()[0], np.log(4))


def test_strings_are_named_not_converted():
    with pytest.raises(TypeError, match="argument 'o'"):
        plot_entropy_vs_temperature("ab", [1.0])
    with pytest.raises(TypeError, match="argument 'p'"):
        entropy(["a", "b"])
    with pytest.raises(ValueError, match=r"argument 'temperatures'.*> 0"):
        plot_temperature_bars([1.0, 2.0], [1.0, -2.0])

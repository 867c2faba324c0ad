"""Tests for rnnlib.plotting.activations (the activation / derivative figure of chapter 2)."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from rnnlib.plotting import activations as act


def test_curves_match_closed_forms():
    a = act.activation_grid(-4, 4, 801)
    h, d = act.curves("tanh", a)
    np.testing.assert_allclose(h, np.tanh(a), atol=1e-15)
    np.testing.assert_allclose(d, 1 / np.cosh(a) ** 2, atol=1e-14)
    h, d = act.curves("sigmoid", a)
    s = 1 / (1 + np.exp(-a))
    np.testing.assert_allclose(h, s, atol=1e-15)
    np.testing.assert_allclose(d, s * (1 - s), atol=1e-15)
    h, d = act.curves("relu", a)
    np.testing.assert_array_equal(h, np.maximum(a, 0))
    np.testing.assert_array_equal(d, (a > 0).astype(float))


def test_summary_derivative_maxima_and_ranges():
    s = act.activation_summary(("tanh", "sigmoid", "relu"), -5, 5, 2001)
    assert s["tanh"]["df_max"] == pytest.approx(1.0)
    assert s["tanh"]["a_at_df_max"] == pytest.approx(0.0, abs=1e-12)
    assert s["sigmoid"]["df_max"] == pytest.approx(0.25)
    assert s["sigmoid"]["a_at_df_max"] == pytest.approx(0.0, abs=1e-12)
    assert s["relu"]["df_max"] == 1.0
    assert -1 < s["tanh"]["f_min"] < -0.99 and 0.99 < s["tanh"]["f_max"] < 1
    assert 0 < s["sigmoid"]["f_min"] < 0.01 and 0.99 < s["sigmoid"]["f_max"] < 1
    assert s["relu"]["f_min"] == 0.0 and s["relu"]["f_max"] == pytest.approx(5.0)


def test_saturated_share():
    s = act.activation_summary(("tanh", "sigmoid", "relu"), -5, 5, 2001, saturation=0.1)
    # tanh'(a) < 0.1 for |a| > artanh(sqrt(0.9)) ≈ 1.818: share ≈ (5 - 1.818) / 5
    assert s["tanh"]["saturated_share"] == pytest.approx((5 - np.arctanh(np.sqrt(0.9))) / 5, abs=2e-3)
    # sigmoid is flatter: saturated on a smaller share of [-5, 5]
    assert s["sigmoid"]["saturated_share"] < s["tanh"]["saturated_share"]
    # ReLU: f' = 0 on the negative half (a = 0 included), 1 elsewhere
    assert s["relu"]["saturated_share"] == pytest.approx(0.5, abs=1e-3)


def test_plot_has_one_labelled_panel_per_activation():
    fig = act.plot_activations(("tanh", "sigmoid", "relu"))
    axes = fig.axes
    assert len(axes) == 3
    assert [ax.get_title() for ax in axes] == ["tanh", "sigmoid", "relu"]
    for ax in axes:
        assert ax.get_xlabel()
        assert len(ax.lines) >= 3  # f, f', the marked maximum
    assert axes[0].get_ylabel()
    assert fig.get_suptitle()
    plt.close(fig)


def test_plot_single_activation():
    fig = act.plot_activations(["sigmoid"], a_min=-3, a_max=3, n=101)
    assert len(fig.axes) == 1
    plt.close(fig)


@pytest.mark.parametrize("kwargs", [dict(names=("softsign",)), dict(a_min=1, a_max=1),
                                    dict(n=1)])
def test_bad_arguments_raise(kwargs):
    with pytest.raises(ValueError):
        act.activation_summary(**kwargs)


@pytest.mark.parametrize("call, error, name", [
    (lambda: act.curves("tanh", "abc"), TypeError, "a"),
    (lambda: act.activation_summary(names=3), TypeError, "names"),
    (lambda: act.plot_activations(names=["tanh", 3]), TypeError, "names"),
    (lambda: act.activation_summary(saturation=0), ValueError, "saturation"),
    (lambda: act.activation_grid("a"), TypeError, "a_min"),
    (lambda: act.activation_grid(1, 1), ValueError, "a_max"),
    (lambda: act.activation_grid(n=1.5), TypeError, "n"),
])
def test_bad_input_names_the_argument(call, error, name):
    with pytest.raises(error, match=f"argument '{name}'"):
        call()

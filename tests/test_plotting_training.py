"""Tests for rnnlib.plotting.training (the loss-curve, truncation and memory figures of chapter 4)."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

import rnnlib
from rnnlib.plotting import training


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_loss_curves_one_line_per_run_scaled_by_per():
    runs = {"a": [4.0, 2.0, 1.0], "b": rnnlib.History(loss=[4.0, 3.0, 2.0, 1.5])}
    ax = training.loss_curves(runs, per=2.0)
    lines = [line for line in ax.lines if line.get_label() in ("a", "b")]
    assert [line.get_label() for line in lines] == ["a", "b"]
    np.testing.assert_allclose(lines[0].get_ydata(), [2.0, 1.0, 0.5])
    np.testing.assert_allclose(lines[1].get_xdata(), [0, 1, 2, 3])
    assert ax.get_yscale() == "log"
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
    assert lines[0].get_color() != lines[1].get_color()


def test_loss_curves_marks_a_run_that_ends_worse_or_diverged():
    runs = {"fine": [3.0, 1.0], "worse": [1.0, 5.0],
            "diverged": rnnlib.History(loss=[1.0, 0.5], diverged=True)}
    ax = training.loss_curves(runs, log=False)
    crosses = [line for line in ax.lines if line.get_marker() == "x"]
    assert len(crosses) == 2
    assert {float(c.get_ydata()[0]) for c in crosses} == {5.0, 0.5}
    assert ax.get_yscale() == "linear"


def test_loss_curves_draws_on_a_given_axes():
    fig, (left, right) = plt.subplots(1, 2)
    assert training.loss_curves({"x": [1.0, 0.5]}, ax=right) is right
    assert not left.lines


def test_loss_curves_draw_several_seeds_as_a_median_in_a_band():
    """{label: [runs]}: the median of a label's runs, in a band from the lowest to the highest."""
    seeds = [rnnlib.History(loss=[4.0, 2.0, 1.0]), rnnlib.History(loss=[6.0, 3.0, 0.5]),
             rnnlib.History(loss=[8.0, 1.0, 2.0])]
    ax = training.loss_curves({"three seeds": seeds, "one run": [5.0, 4.0, 3.0]}, per=2.0,
                              styles=("-", "--"))
    median = [line for line in ax.lines if line.get_label() == "three seeds"][0]
    np.testing.assert_allclose(median.get_ydata(), [3.0, 1.0, 0.5])
    assert median.get_linestyle() == "-"
    single = [line for line in ax.lines if line.get_label() == "one run"][0]
    assert single.get_linestyle() == "--"
    (band,) = ax.collections
    lows_highs = band.get_paths()[0].vertices[:, 1]
    assert lows_highs.min() == pytest.approx(0.25) and lows_highs.max() == pytest.approx(4.0)


@pytest.mark.parametrize("runs, per", [({}, 1.0), ({"x": []}, 1.0), ({"x": [[1.0, 2.0], [1.0]]}, 1.0),
                                       ({"x": [[[1.0]]]}, 1.0),
                                       ({"x": [1.0]}, 0.0), ({"x": [1.0]}, float("nan"))])
def test_loss_curves_bad_input_raises(runs, per):
    with pytest.raises(ValueError):
        training.loss_curves(runs, per=per)


def test_truncation_gap_lines_and_full_bptt_marker():
    ax = training.truncation_gap([1, 2, 4], {"U": [0.5, 0.3, 0.0], "W": [0.4, 0.2, 0.0]}, T=4)
    data = [line for line in ax.lines if len(line.get_xdata()) == 3]
    assert len(data) == 2
    np.testing.assert_allclose(data[0].get_ydata(), [0.5, 0.3, 0.0])
    assert "U" in data[0].get_label()
    assert any(list(line.get_xdata()) == [4, 4] for line in ax.lines)  # the k = T line
    assert ax.get_xlabel() and ax.get_ylabel()


@pytest.mark.parametrize("ks, gaps", [([], {"U": []}), ([1, 2], {}), ([1, 2], {"U": [0.1]})])
def test_truncation_gap_bad_input_raises(ks, gaps):
    with pytest.raises(ValueError):
        training.truncation_gap(ks, gaps)


def test_memory_vs_length_in_megabytes_on_log_axes():
    ax = training.memory_vs_length([100, 1000], {"full": [2e6, 2e7], "k = 10": [1e6, 1e6]})
    assert len(ax.lines) == 2
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [2.0, 20.0])
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    assert "MB" in ax.get_ylabel()


@pytest.mark.parametrize("lengths, peaks", [([], {"a": []}), ([0, 10], {"a": [1, 2]}),
                                            ([10, 20], {}), ([10, 20], {"a": [1.0]})])
def test_memory_vs_length_bad_input_raises(lengths, peaks):
    with pytest.raises(ValueError):
        training.memory_vs_length(lengths, peaks)


@pytest.mark.parametrize("call, error, name", [
    (lambda: training.loss_curves([1.0, 0.5]), TypeError, "runs"),
    (lambda: training.loss_curves({"x": ["a", "b"]}), TypeError, r"runs\['x'\]"),
    (lambda: training.truncation_gap([1, 2], {"U": [0.1, 0.2]}, T=2.5), TypeError, "T"),
    (lambda: training.memory_vs_length([10, 20], {"a": [1, np.inf]}), ValueError,
     r"peaks\['a'\]"),
])
def test_bad_input_names_the_argument(call, error, name):
    with pytest.raises(error, match=f"argument '{name}'"):
        call()


@pytest.mark.parametrize("styles, error", [((), ValueError), (("zz",), ValueError),
                                           (5, TypeError), ("--", TypeError)])
def test_curves_name_bad_styles(styles, error):
    from rnnlib.plotting.training import loss_curves
    with pytest.raises(error, match="argument 'styles'"):
        loss_curves({"a": [3.0, 2.0, 1.0]}, styles=styles)

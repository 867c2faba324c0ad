"""rnnlib.plotting.gated: accuracy over seeds, mean and min..max."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from rnnlib.plotting.gated import accuracy_spread


def teardown_function():
    plt.close("all")


def test_mean_and_range_are_drawn():
    acc = np.array([[1.0, 1.0, 1.0], [0.2, 0.6, 0.4]])
    ax = accuracy_spread([4, 16], {"LSTM": acc}, chance=0.25)
    container = ax.containers[0]
    line = container.lines[0]
    np.testing.assert_allclose(line.get_ydata(), [1.0, 0.4])
    segments = container.lines[2][0].get_segments()
    np.testing.assert_allclose([s[:, 1] for s in segments][1], [0.2, 0.6])
    assert ax.get_xscale() == "log" and ax.get_ylabel() == "test accuracy"
    assert any("chance" in t.get_text() for t in ax.get_legend().get_texts())


def test_bad_input_names_the_argument():
    with pytest.raises(ValueError, match=r"argument 'runs\['x'\]': expected shape \(2, 2\)"):
        accuracy_spread([4, 16], {"x": np.ones((3, 2))}, chance=0.25)
    with pytest.raises(ValueError, match="argument 'chance'"):
        accuracy_spread([4], {"x": np.ones((1, 2))}, chance=1.5)
    with pytest.raises(ValueError, match=r"argument 'runs\['x'\]': expected accuracies in \[0, 1\]"):
        accuracy_spread([4], {"x": 2 * np.ones((1, 2))}, chance=0.25)
    with pytest.raises(ValueError, match="argument 'runs': expected a non-empty mapping"):
        accuracy_spread([4], {}, chance=0.25)
    with pytest.raises(TypeError, match="argument 'runs': expected a non-empty mapping"):
        accuracy_spread([4], [np.ones((1, 2))], chance=0.25)
    with pytest.raises(TypeError, match=r"argument 'runs\['x'\]'"):
        accuracy_spread([4], {"x": [["a", "b"]]}, chance=0.25)
    with pytest.raises(ValueError, match="argument 'distances'"):
        accuracy_spread([[4]], {"x": np.ones((1, 2))}, chance=0.25)

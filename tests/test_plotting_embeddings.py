"""Tests for rnnlib.plotting.embeddings: the similarity heatmap and coverage curve of chapter 6."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from rnnlib.plotting import embeddings as P


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


WORDS = ["king", "queen", "man", "woman", "dog"]
POINTS = np.array([[0.0, 1.0], [0.05, 1.0], [1.0, 0.0], [1.05, 0.0], [-1.0, -1.0]])


def test_similarity_heatmap_shows_the_matrix_on_a_symmetric_scale():
    unit = POINTS / np.linalg.norm(POINTS, axis=1, keepdims=True)
    sim = unit @ unit.T
    ax = P.similarity_heatmap(sim, WORDS, annotate=True)
    image = ax.images[0]
    np.testing.assert_allclose(image.get_array(), sim)
    assert image.get_clim() == (-1, 1)
    assert [t.get_text() for t in ax.get_xticklabels()] == WORDS
    assert [t.get_text() for t in ax.get_yticklabels()] == WORDS
    assert len(ax.texts) == len(WORDS) ** 2 and ax.texts[0].get_text() == "1.00"
    assert len(ax.figure.axes) == 2                       # the heatmap and its colour bar
    assert ax.get_title()


def test_similarity_heatmap_without_colorbar():
    ax = P.similarity_heatmap(np.eye(2), ["a", "b"], colorbar=False)
    assert len(ax.figure.axes) == 1 and not ax.texts


@pytest.mark.parametrize("sim, words", [(np.eye(3)[:2], ["a", "b"]), (np.eye(2), ["a"]),
                                        (2 * np.eye(2), ["a", "b"]),
                                        (np.full((2, 2), np.nan), ["a", "b"])])
def test_similarity_heatmap_bad_input_raises(sim, words):
    with pytest.raises(ValueError, match="argument"):
        P.similarity_heatmap(sim, words)


def test_coverage_curve_draws_percent_and_marks():
    sizes, cov = [2, 3, 4, 5], [0.0, 0.5, 0.9, 1.0]
    ax = P.coverage_curve(sizes, cov, marks={"all common words": 4})
    line = ax.lines[0]
    np.testing.assert_allclose(line.get_xdata(), sizes)
    np.testing.assert_allclose(line.get_ydata(), [0, 50, 90, 100])
    marks = [ln for ln in ax.lines[1:] if ln.get_label() == "all common words"]
    assert len(marks) == 1 and np.allclose(marks[0].get_xdata(), 4)
    assert ax.get_ylim()[1] > 100 and "%" in ax.get_ylabel() and ax.get_xlabel() and ax.get_title()


@pytest.mark.parametrize("sizes, cov", [([], []), ([1, 2], [0.5]), ([1, 2], [0.5, 1.5]),
                                        ([[1, 2]], [[0.1, 0.2]])])
def test_coverage_curve_bad_input_raises(sizes, cov):
    with pytest.raises(ValueError, match="argument"):
        P.coverage_curve(sizes, cov)


def test_every_figure_function_names_a_wrong_ax():
    from rnnlib.plotting.distributions import plot_temperature_bars
    from rnnlib.plotting.gradients import clipping_directions
    for call in (lambda: P.similarity_heatmap(np.eye(2), ["a", "b"], ax=3),
                 lambda: plot_temperature_bars([1.0, 2.0], [1.0], ax=3),
                 lambda: clipping_directions([1.0, 2.0], max_norm=1, limit=1, ax=3)):
        with pytest.raises(TypeError, match="argument 'ax'.*Axes"):
            call()

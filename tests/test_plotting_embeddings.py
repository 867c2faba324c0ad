"""Tests for rnnlib.plotting.embeddings: the projection scatter, similarity heatmap and coverage
curve of chapter 6."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from rnnlib.plotting import embeddings as P
from rnnlib.plotting.style import PALETTE


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


WORDS = ["king", "queen", "man", "woman", "dog"]
POINTS = np.array([[0.0, 1.0], [0.05, 1.0], [1.0, 0.0], [1.05, 0.0], [-1.0, -1.0]])
RANK = {"king": "royal", "queen": "royal", "man": "common", "woman": "common", "dog": "thing"}
GENDER = {"king": "male", "queen": "female", "man": "male", "woman": "female", "dog": "none"}


def _labels(ax):
    return {t.get_text(): t for t in ax.texts}


def test_projection_scatter_labels_every_point_and_groups_by_colour_and_marker():
    ax = P.projection_scatter(POINTS, WORDS, colour_by=RANK, marker_by=GENDER)
    assert set(_labels(ax)) == set(WORDS)
    # every point drawn once, in one scatter per (colour, marker) group
    offsets = np.vstack([c.get_offsets() for c in ax.collections])
    assert sorted(map(tuple, offsets)) == sorted(map(tuple, POINTS))
    colours = {tuple(np.round(c.get_facecolor()[0], 3)) for c in ax.collections}
    assert len(colours) == 3                              # royal, common, thing
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
    legend_labels = {t.get_text() for t in ax.get_legend().get_texts()}
    assert {"royal", "common", "thing", "male", "female", "none"} <= legend_labels
    hex_colours = {matplotlib.colors.to_hex(c.get_facecolor()[0]) for c in ax.collections}
    assert hex_colours <= {v.lower() for v in PALETTE.values()}


def test_projection_scatter_keeps_labels_of_close_points_apart():
    ax = P.projection_scatter(POINTS, WORDS)
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = {w: t.get_window_extent(renderer) for w, t in _labels(ax).items()}
    # king and queen are 0.05 apart, as are man and woman: their labels must not overlap
    assert not boxes["king"].overlaps(boxes["queen"])
    assert not boxes["man"].overlaps(boxes["woman"])
    assert ax.get_legend() is None                        # nothing to explain without groups


def test_projection_scatter_draws_on_a_given_axes_and_can_drop_the_legend():
    fig, (left, right) = plt.subplots(1, 2)
    out = P.projection_scatter(POINTS, WORDS, colour_by=RANK, ax=right, legend=False)
    assert out is right and not left.collections and right.get_legend() is None


@pytest.mark.parametrize("points, words, kwargs, match", [
    (np.zeros((5, 3)), WORDS, {}, "'points'"),
    (POINTS, WORDS[:4], {}, "'words'"),
    (np.full((5, 2), np.nan), WORDS, {}, "'points'"),
    (POINTS, WORDS, {"colour_by": {"king": "royal"}}, "'colour_by'"),
    (POINTS, WORDS, {"marker_by": {}}, "'marker_by'"),
])
def test_projection_scatter_bad_input_raises(points, words, kwargs, match):
    with pytest.raises(ValueError, match=match):
        P.projection_scatter(points, words, **kwargs)


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

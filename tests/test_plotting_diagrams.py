"""Tests for rnnlib.plotting.diagrams: the folded and unrolled RNN graphs."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
from matplotlib.colors import to_rgba
from matplotlib.patches import Circle, FancyArrowPatch

from rnnlib.plotting import diagrams
from rnnlib.plotting.diagrams import draw_folded, draw_unrolled


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def nodes(ax):
    return {p.get_gid()[len("node:"):]: p for p in ax.patches if isinstance(p, Circle)}


def arrows(ax):
    return [p for p in ax.patches if isinstance(p, FancyArrowPatch)]


def labels(ax):
    return [t.get_text() for t in ax.texts]


@pytest.mark.parametrize("T", [1, 3, 6, 12])
def test_unrolled_has_one_column_per_step(T):
    ax = draw_unrolled(T)
    names = nodes(ax)
    # h_0 plus x_t, h_t, o_t, L_t for every step
    assert len(names) == 1 + 4 * T
    for t in range(1, T + 1):
        for kind in "xhoL":
            assert f"{kind}_{{{t}}}" in names
    # edges: U, W, V and o -> L per step
    assert len(arrows(ax)) == 4 * T
    text = labels(ax)
    assert text.count("$U$") == T and text.count("$W$") == T and text.count("$V$") == T


def test_without_outputs_only_inputs_and_states():
    ax = draw_unrolled(5, show_outputs=False)
    names = nodes(ax)
    assert len(names) == 1 + 2 * 5
    assert not any(n.startswith(("o_", "L_")) for n in names)
    assert labels(ax).count("$V$") == 0
    assert len(arrows(ax)) == 2 * 5


def test_highlight_colours_one_step_only():
    ax = draw_unrolled(6, highlight=3)
    names = nodes(ax)
    lit = {n for n, c in names.items() if c.get_facecolor() == to_rgba(diagrams.HIGHLIGHT_FILL)}
    assert lit == {"x_{3}", "h_{3}", "o_{3}", "L_{3}"}
    lit_edges = [a for a in arrows(ax) if a.get_edgecolor() == to_rgba(diagrams.HIGHLIGHT_EDGE)]
    assert len(lit_edges) == 4                       # U, W into h_3; V; o_3 -> L_3


def test_no_highlight_means_uniform_drawing():
    ax = draw_unrolled(4)
    fills = {c.get_facecolor() for c in nodes(ax).values()}
    assert fills == {to_rgba(diagrams.PLAIN_FILL)}


def test_draws_into_given_axes_and_titles():
    fig, ax = plt.subplots()
    out = draw_unrolled(3, ax=ax, title="mine")
    assert out is ax and ax.get_title() == "mine"
    assert "T = 2" in draw_unrolled(2).get_title()
    assert draw_unrolled(2, title=None).get_title() == ""


@pytest.mark.parametrize("T, error", [(0, ValueError), (-1, ValueError), (2.5, TypeError),
                                      ("3", TypeError), (True, TypeError), (None, TypeError)])
def test_bad_T_is_rejected(T, error):
    with pytest.raises(error, match="argument 'T'"):
        draw_unrolled(T)


@pytest.mark.parametrize("h, error", [(0, ValueError), (7, ValueError), (1.0, TypeError),
                                      (True, TypeError), ("2", TypeError)])
def test_bad_highlight_is_rejected(h, error):
    with pytest.raises(error, match="argument 'highlight'"):
        draw_unrolled(6, highlight=h)


def test_folded_has_self_loop_and_all_labels():
    ax = draw_folded()
    assert set(nodes(ax)) == {"x_t", "h_t", "o_t", "L_t"}
    assert len(arrows(ax)) == 4                      # U, loop W, V, o -> L
    assert {"$U$", "$W$", "$V$"} <= set(labels(ax))
    ax2 = draw_folded(show_outputs=False)
    assert set(nodes(ax2)) == {"x_t", "h_t"}

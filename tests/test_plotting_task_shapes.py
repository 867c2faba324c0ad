"""rnnlib.plotting.task_shapes: each shape has the nodes and edges its name promises."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
from matplotlib.patches import Circle, FancyArrowPatch

from rnnlib.plotting.task_shapes import SHAPES, draw_all_shapes, draw_shape


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def census(ax):
    """(inputs, states, outputs, arrows) drawn on ax."""
    names = [p.get_gid()[len("node:"):] for p in ax.patches if isinstance(p, Circle)]
    xs = [n for n in names if n.startswith("x")]
    ys = [n for n in names if "hat y" in n]
    hs = [n for n in names if n not in xs and n not in ys]
    return len(xs), len(hs), len(ys), sum(isinstance(p, FancyArrowPatch) for p in ax.patches)


@pytest.mark.parametrize("kind, expected", [
    ("one_to_one", (1, 1, 1, 2)),
    ("one_to_many", (1, 6, 5, 5 + 1 + 5 + 4)),      # h0..h5; x1; outputs; fed-back outputs
    ("many_to_one", (5, 6, 1, 5 + 5 + 1)),
    ("many_to_many", (5, 6, 5, 15)),
    ("bidirectional", (5, 12, 5, 5 + 5 + 5 + 5 + 5 + 5)),
    ("stacked", (5, 12, 5, 5 + 5 + 5 + 5 + 5)),
])
def test_shape_census(kind, expected):
    assert census(draw_shape(kind, T=5)) == expected


def test_encoder_decoder_has_T_inputs_and_T_out_outputs():
    xs, hs, ys, _ = census(draw_shape("encoder_decoder", T=4, T_out=3))
    assert (xs, hs, ys) == (4, 1 + 4 + 3, 3)


def test_all_shapes_and_errors():
    fig = draw_all_shapes()
    assert [ax.get_title().split("\n")[0] for ax in fig.axes] == [
        "one-to-one", "one-to-many", "many-to-one", "many-to-many, equal lengths",
        "many-to-many, unequal lengths"]
    assert set(SHAPES) >= {"bidirectional", "stacked"}
    with pytest.raises(ValueError, match="'kind'"):
        draw_shape("many_to_few")
    with pytest.raises(ValueError, match="'T'"):
        draw_shape("many_to_one", T=0)
    with pytest.raises(ValueError, match="argument 'T_out'"):
        draw_shape("encoder_decoder", T_out=0)
    with pytest.raises(TypeError, match="argument 'T'"):
        draw_all_shapes(T="3")

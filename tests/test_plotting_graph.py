"""Tests for rnnlib.plotting.graph: the folded and unrolled RNN graphs, the one SVG drawer of
chapter 1's figures and of the steppers' frames."""
import re
import xml.etree.ElementTree as ET

import pytest

from rnnlib.plotting import graph
from rnnlib.plotting.graph import beside, folded, unrolled
from rnnlib.widgets import backward_stepper, forward_stepper, lstm_stepper

SVG = "{http://www.w3.org/2000/svg}"


def parse(drawing) -> ET.Element:
    return ET.fromstring(drawing.svg())


def nodes(root) -> dict:
    """{name: circle}: each circle is followed by the text naming it (h3, xt, ŷ2)."""
    elements = list(root.iter())
    return {"".join(text.itertext()): circle for circle, text in zip(elements, elements[1:])
            if circle.tag == SVG + "circle" and text.tag == SVG + "text"}


def texts(root) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(SVG + "text")]


def lines(root, colour) -> list:
    return [e for e in root.iter(SVG + "line") if e.get("stroke") == colour]


@pytest.mark.parametrize("T", [1, 3, 6, 12])
def test_unrolled_has_one_column_per_step(T):
    root = parse(unrolled(T))
    names = nodes(root)
    assert len(names) == 1 + 4 * T                 # h_0, then x_t, h_t, o_t, L_t a step
    assert {f"{k}{t}" for t in range(1, T + 1) for k in "xhoL"} | {"h0"} == set(names)
    assert len(root.findall(f".//{SVG}line")) == 4 * T     # U, W, V and o -> L a step
    words = texts(root)
    assert words.count("U") == words.count("W") == words.count("V") == T


@pytest.mark.parametrize("kwargs, rows", [({"show_outputs": False}, "xh"),
                                          ({"show_loss": False}, "xho"),
                                          ({"show_loss": False, "output_name": "ŷ"}, "xhŷ")])
def test_rows_follow_the_options(kwargs, rows):
    root = parse(unrolled(5, **kwargs))
    assert set(nodes(root)) == {f"{k}{t}" for t in range(1, 6) for k in rows} | {"h0"}
    assert texts(root).count("V") == (5 if len(rows) > 2 else 0)


def test_highlight_lights_one_step_only():
    root = parse(unrolled(6, highlight=3))
    lit = {n for n, c in nodes(root).items() if c.get("fill") == graph.HIGHLIGHT_FILL}
    assert lit == {"x3", "h3", "o3", "L3"}
    assert len(lines(root, graph.HIGHLIGHT_EDGE)) == 4      # U, W into h_3; V; o_3 -> L_3
    plain = parse(unrolled(4))
    assert {c.get("fill") for c in nodes(plain).values()} == {graph.PLAIN_FILL}
    assert not lines(plain, graph.HIGHLIGHT_EDGE)


def test_forward_tints_the_steps_before_and_backward_the_steps_after():
    fills = lambda d: {n: c.get("fill") for n, c in nodes(parse(d)).items() if n.startswith("h")}
    forward = fills(unrolled(5, 3, direction="forward"))
    assert [forward[f"h{t}"] for t in range(1, 6)] == [graph.DONE_FILL["forward"]] * 2 + [
        graph.HIGHLIGHT_FILL] + [graph.PLAIN_FILL] * 2
    backward = fills(unrolled(5, 3, direction="backward"))
    assert [backward[f"h{t}"] for t in range(1, 6)] == [graph.PLAIN_FILL] * 2 + [
        graph.HIGHLIGHT_FILL] + [graph.DONE_FILL["backward"]] * 2


@pytest.mark.parametrize("t, kwargs, paths", [(3, {}, 3),            # L -> o -> h, h_4 -> h_3
                                              (5, {}, 2),            # no step after T
                                              (3, {"show_loss": False}, 2),
                                              (3, {"show_outputs": False}, 1)])
def test_backward_draws_the_gradient_paths_into_h_t(t, kwargs, paths):
    root = parse(unrolled(5, t, direction="backward", **kwargs))
    # the forward edges stay plain; the lit lines are the gradient's
    assert len(lines(root, graph.HIGHLIGHT_EDGE)) == paths


@pytest.mark.parametrize("kwargs, edges", [
    ({}, ["x_3 → h_3 (U)", "h_2 → h_3 (W)", "h_3 → o_3 (V)", "o_3 → L_3"]),
    ({"show_loss": False, "output_name": "ŷ"}, ["x_3 → h_3 (U)", "h_2 → h_3 (W)", "h_3 → ŷ_3 (V)"]),
    ({"show_outputs": False}, ["x_3 → h_3 (U)", "h_2 → h_3 (W)"]),
])
def test_the_text_names_every_lit_edge(kwargs, edges):
    """The alt text lists the edges drawn in the highlight colour, one name per lit line
    (chapter 1's prose points at the lit o_3 → L_3; a reader of the text must find it too)."""
    d = unrolled(6, highlight=3, **kwargs)
    assert d.label.endswith("its edges lit: " + ", ".join(edges[:-1]) + " and " + edges[-1])
    assert len(lines(parse(d), graph.HIGHLIGHT_EDGE)) == len(edges)
    assert "lit" not in unrolled(6, **kwargs).label


@pytest.mark.parametrize("t, kwargs, paths", [
    (3, {}, "L_3 → o_3 → h_3 and h_4 → h_3"), (5, {}, "L_5 → o_5 → h_5"),
    (3, {"show_loss": False, "output_name": "ŷ"}, "ŷ_3 → h_3 and h_4 → h_3"),
    (3, {"show_outputs": False}, "h_4 → h_3")])
def test_the_text_names_the_gradient_paths(t, kwargs, paths):
    label = unrolled(5, t, direction="backward", **kwargs).label
    assert label.endswith(f"the gradient flowing into h_{t} drawn beside the edges: {paths}")
    assert "lit" not in label                   # the forward edges stay plain


def test_window_draws_the_steps_around_the_highlight_with_ellipses():
    root = parse(unrolled(10, 7, window=4, show_outputs=False))
    assert set(nodes(root)) == {f"{k}{t}" for t in range(5, 9) for k in "xh"}
    assert texts(root).count("…") == 2
    assert "steps 5 to 8 shown" in root.get("aria-label")
    start = parse(unrolled(10, 1, window=4, show_outputs=False))
    assert "h0" in nodes(start) and texts(start).count("…") == 1


def test_labels_are_written_under_the_inputs_and_escaped():
    root = parse(unrolled(3, labels=["'<'", "'&'", "'a'"]))
    assert {"'<'", "'&'", "'a'"} <= set(texts(root))


def test_a_drawing_says_what_it_shows_and_displays_in_jupyter():
    d = unrolled(6, highlight=3, title="Six steps")
    root = parse(d)
    assert root.tag == SVG + "svg" and root.get("role") == "img"
    label = root.get("aria-label")
    assert "T = 6" in label and "step 3 highlighted" in label
    assert "same U and W;" in unrolled(6, 3, show_outputs=False).label  # no V drawn, none named
    assert root.find(SVG + "title").text == label
    assert "Six steps" in texts(root)
    assert d._repr_svg_() == d.svg() and len(repr(d)) < 300


def test_coordinates_have_fixed_precision():
    """Stored in the notebooks: no float noise that could differ between machines."""
    for d in (unrolled(7, 4, direction="backward", window=5), folded(title="Folded")):
        numbers = re.findall(r'="([-\d. ,]+)"', d.svg())
        assert numbers and not [n for n in numbers if re.search(r"\.\d\d", n)]


def test_folded_has_a_self_loop_and_all_labels():
    root = parse(folded())
    assert set(nodes(root)) == {"xt", "ht", "ot", "Lt"}
    assert len(root.findall(f".//{SVG}path")) == 1         # the loop W on h_t
    assert {"U", "W", "V"} <= set(texts(root))
    assert set(nodes(parse(folded(show_outputs=False)))) == {"xt", "ht"}


def test_beside_lines_drawings_up():
    left, right = folded(title="Folded"), unrolled(3, title="Unfolded")
    both = beside(left, right, gap=10)
    assert both.width == left.width + 10 + right.width
    assert both.height == max(left.height, right.height)
    root = parse(both)
    assert len(nodes(root)) == 4 + 13 and {"Folded", "Unfolded"} <= set(texts(root))
    assert left.label in both.label and right.label in both.label


@pytest.mark.parametrize("kwargs, error, name", [
    ({"T": 0}, ValueError, "T"), ({"T": -1}, ValueError, "T"), ({"T": 2.5}, TypeError, "T"),
    ({"T": "3"}, TypeError, "T"), ({"T": True}, TypeError, "T"), ({"T": None}, TypeError, "T"),
    ({"highlight": 0}, ValueError, "highlight"), ({"highlight": 7}, ValueError, "highlight"),
    ({"highlight": 1.0}, TypeError, "highlight"), ({"highlight": True}, TypeError, "highlight"),
    ({"direction": "forward"}, ValueError, "highlight"),
    ({"highlight": 2, "direction": "sideways"}, ValueError, "direction"),
    ({"highlight": 2, "direction": 1}, TypeError, "direction"),
    ({"window": 0}, ValueError, "window"), ({"window": 2.0}, TypeError, "window"),
    ({"labels": ["a"] * 5}, ValueError, "labels"), ({"labels": "abcdef"}, TypeError, "labels"),
    ({"labels": [1, 2, 3, 4, 5, 6]}, TypeError, "labels"),
    ({"show_outputs": "yes"}, TypeError, "show_outputs"), ({"show_loss": 1}, TypeError, "show_loss"),
    ({"output_name": ""}, ValueError, "output_name"), ({"output_name": 3}, TypeError, "output_name"),
    ({"title": 3}, TypeError, "title"),
])
def test_bad_arguments_are_rejected_by_name(kwargs, error, name):
    kwargs = {"T": 6, **kwargs}
    with pytest.raises(error, match=f"argument '{name}'"):
        unrolled(**kwargs)


def test_bad_arguments_of_folded_and_beside():
    with pytest.raises(TypeError, match="argument 'show_outputs'"):
        folded(show_outputs=None)
    with pytest.raises(ValueError, match="argument 'drawings'"):
        beside()
    with pytest.raises(TypeError, match="argument 'drawings'"):
        beside(folded(), "<svg/>")


@pytest.mark.parametrize("make", [lambda: forward_stepper(text="hello world"),
                                  lambda: backward_stepper(text="hello world"),
                                  lambda: lstm_stepper(text="hello")])
def test_steppers_frames_hold_the_graph_without_ids(make):
    """Every frame is stored in one page, so a drawing must add no id (or two frames would
    repeat it); each frame's graph is valid XML with its step lit."""
    stepper = make()
    page = stepper.static_html()
    ids = re.findall(r'\bid="([^"]*)"', page)
    assert len(ids) == len(set(ids))
    for k in range(stepper.n_frames):
        frame = stepper.frame_html(k)
        svg = re.search(r"<svg.*?</svg>", frame, re.S).group(0)
        root = ET.fromstring(svg)
        assert not [e for e in root.iter() if "id" in e.attrib]
        lit = {n for n, c in nodes(root).items() if c.get("fill") == graph.HIGHLIGHT_FILL}
        t = int(re.search(r"Step t = (\d+)", frame).group(1))
        assert lit == {f"x{t}", f"h{t}", f"ŷ{t}"}
        assert svg in page

"""The gated trace and the LSTM stepper: what each frame shows is what the LSTM computed."""
import re

import numpy as np
import pytest

import rnnlib
from rnnlib.widgets import lstm_stepper
from html_cells import read_cells


def close(displayed, values) -> bool:
    return np.allclose(displayed, np.ravel(values), atol=0.0051)   # cells print 2 decimals


def test_trace_steps_are_the_forward_pass():
    params = rnnlib.init_params(3, 2, 3, cell="lstm", seed=1)
    xs = np.array([0, 2, 1, 1])
    tr = rnnlib.gated_trace(params, xs, s0=np.array([0.5, -0.5]))
    out = rnnlib.forward(params, xs, s0=np.array([0.5, -0.5]), cell="lstm")
    assert tr.T == 4 and tr.gate_names == ("i", "f", "g", "q")
    for t, step in enumerate(tr.forward):
        np.testing.assert_array_equal(step.s, out.s[t])
        np.testing.assert_array_equal(step.gates["f"], out.gates["f"][t])
        np.testing.assert_array_equal(step.x, np.eye(3)[xs[t]])
        # the additive update, entry by entry
        np.testing.assert_allclose(step.s, step.gates["f"] * step.s_prev
                                   + step.gates["i"] * step.gates["g"], atol=1e-15)
    np.testing.assert_array_equal(tr.forward[0].s_prev, [0.5, -0.5])
    np.testing.assert_array_equal(tr.forward[1].h_prev, out.h[0])
    g = rnnlib.gated_trace(rnnlib.init_params(3, 2, 3, cell="gru"), xs, cell="gru")
    assert g.forward[0].s is None and set(g.forward[0].gates) == {"u", "r", "n"}


def test_trace_rejects_a_batch():
    params = rnnlib.init_params(3, 2, 3, cell="lstm")
    with pytest.raises(ValueError, match="argument 'xs'.*one sequence"):
        rnnlib.gated_trace(params, np.zeros((4, 2), dtype=int))


@pytest.fixture(scope="module")
def stepper():
    return lstm_stepper(text="hello", hidden_size=3, seed=2)


def test_frames_show_the_trace(stepper):
    html = stepper.static_html()
    frames = re.findall(r'<template data-frame="\d+">(.*?)</template>', html, flags=re.S)
    assert len(frames) == stepper.T == 4
    for t, frame in enumerate(frames, start=1):
        step = stepper.trace.forward[t - 1]
        for key in ("i", "f", "g", "q"):
            assert close(read_cells(frame, key), step.gates[key])
        assert close(read_cells(frame, "s"), step.s)
        assert close(read_cells(frame, "s_prev"), step.s_prev)
        assert close(read_cells(frame, "h"), step.h)
    assert stepper.static_html() == lstm_stepper(text="hello", hidden_size=3, seed=2).static_html()


def test_live_slider_shows_that_step(stepper):
    stepper.live()
    c = stepper.controls
    assert c["activation"].layout.display == "none"
    for t in (3, 1, 4):
        c["slider"].value = t
        assert close(read_cells(c["view"].value, "f"), stepper.trace.forward[t - 1].gates["f"])
    c["text"].value = "abcab"             # a new text recomputes the trace
    assert stepper.T == 4 and stepper.chars == ["a", "b", "c"]
    assert close(read_cells(c["view"].value, "s"), stepper.trace.forward[0].s)


def test_stepper_with_params_and_errors():
    params = rnnlib.init_params(2, 2, 2, cell="lstm", seed=0)
    st = lstm_stepper(params, xs=np.array([0, 1, 1]), s0=np.ones(2))
    assert st.T == 3
    np.testing.assert_array_equal(st.trace.forward[0].s_prev, [1.0, 1.0])
    with pytest.raises(ValueError, match="argument 'params\\['W'\\]'"):
        lstm_stepper(rnnlib.init_params(2, 2, 2), xs=np.array([0, 1]))

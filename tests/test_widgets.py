"""The steppers of rnnlib.widgets: what each frame shows is what rnnlib computed for that step.

Fast (no browser): frames are read back from their HTML (``html_cells.read_cells``) and compared
with the trace; live controls are driven by setting widget values in the kernel-less process.
The browser half (the static player on the built site) is tests/test_site_steppers.py.
"""
from __future__ import annotations

import re

import numpy as np
import pytest

import rnnlib
from rnnlib.widgets import (backward_stepper, forward_stepper, gradient_flow_explorer,
                            player_html, softmax_temperature)
from rnnlib.widgets.player import Axis
from html_cells import read_cells
from rnnlib.widgets.colours import colour, text_colour
from rnnlib.widgets.sequence import char_sequence


def shown(html: str, key: str) -> np.ndarray:
    return read_cells(html, key)


def close(displayed, values) -> bool:
    """Displayed cells print 2 decimals: they match the value to within rounding."""
    return np.allclose(displayed, np.ravel(values), atol=0.0051)


def frames_of(html: str) -> list[str]:
    return re.findall(r'<template data-frame="\d+">(.*?)</template>', html, flags=re.S)


# ------------------------------------------------------------------ shared pieces

def test_char_sequence_is_next_character_prediction():
    chars, xs, ys = char_sequence("hello")
    assert chars == ["e", "h", "l", "o"]
    assert [chars[i] for i in xs] == list("hell") and [chars[i] for i in ys] == list("ello")
    with pytest.raises(ValueError, match="text"):
        char_sequence("h")


def test_colours_and_contrast():
    zero = colour(0.0, "signed", 1.0)
    assert min(int(zero[i:i + 2], 16) for i in (1, 3, 5)) > 0xE8, "zero is (near) white"
    assert colour(5.0, "signed", 1.0) == colour(1.0, "signed", 1.0)  # clipped, not wrapped
    assert text_colour("#000000") == "#fff" and text_colour("#ffffff") == "#000"


def test_player_checks_frame_count_and_is_deterministic():
    with pytest.raises(ValueError, match="frames"):
        player_html(["a", "b"], [Axis("t", ["1", "2", "3"])])
    a = player_html(["<p>1</p>", "<p>2</p>"], [Axis("t", ["t = 1", "t = 2"])])
    b = player_html(["<p>1</p>", "<p>2</p>"], [Axis("t", ["t = 1", "t = 2"])])
    c = player_html(["<p>1</p>", "<p>3</p>"], [Axis("t", ["t = 1", "t = 2"])])
    assert a == b
    key = lambda h: re.search(r'data-rnnw="(\w+)"', h).group(1)
    assert key(a) != key(c), "different content must get a different player id"
    assert "Next frame" in a and "Previous frame" in a and "require" not in a


# ------------------------------------------------------------------ forward stepper

@pytest.fixture(scope="module")
def fwd():
    return forward_stepper(text="hello", seed=0)


def test_forward_frames_match_the_trace(fwd):
    tr = rnnlib.trace(fwd.params, fwd.xs)
    assert fwd.n_frames == tr.T == 4
    for t in range(1, tr.T + 1):
        html = fwd.frame_html(fwd.frame_of(t))
        s = tr.forward[t - 1]
        for key, value in (("x", s.x), ("h_prev", s.h_prev), ("a", s.a), ("h", s.h), ("o", s.o),
                           ("y_hat", s.y_hat)):
            assert close(shown(html, key), value), (t, key)
        # the written-out equation a_t = b + W h_{t-1} + U x_t, with this step's numbers
        assert close(shown(html, "eq_a"), s.a)
        assert close(shown(html, "eq_W"), fwd.params["W"])
        assert close(shown(html, "eq_Ux"), fwd.params["U"] @ s.x)
        assert f"Step t = {t}</b>" in html


def test_forward_live_slider_shows_that_step(fwd):
    fwd.live()
    c = fwd.controls
    for t in (3, 1, 4):
        c["slider"].value = t
        view = c["view"].value
        assert close(shown(view, "h"), fwd.trace.forward[t - 1].h)
        assert close(shown(view, "a"), fwd.trace.forward[t - 1].a)
    c["next"].click()                      # from t = 4 (last): stays at the last frame
    assert c["slider"].value == 4
    c["first"].click()
    c["next"].click()
    assert c["slider"].value == 2
    c["play"].value = 2                    # the Play widget drives the slider by frame index
    assert c["slider"].value == 3


def test_forward_live_inputs_recompute():
    s = forward_stepper(text="hello")
    s.live()
    c = s.controls
    c["text"].value = "abcab"
    assert s.T == 4 and s.chars == ["a", "b", "c"]
    assert c["slider"].options[-1][1] == 4
    h = shown(c["view"].value, "h")
    assert close(h, rnnlib.trace(s.params, s.xs).forward[0].h)
    c["activation"].value = "relu"
    assert (shown(c["view"].value, "h") >= 0).all()
    before = s.params["W"].copy()
    c["seed"].value = 7
    assert not np.allclose(before, s.params["W"])
    c["text"].value = "x"                  # too short: an error message, the old frames stay
    assert "at least 2 characters" in c["status"].value and s.T == 4


def test_forward_accepts_params_and_numbers():
    p = rnnlib.init_params(3, 5, 2, seed=1)
    xs = np.random.default_rng(0).normal(size=(6, 3))
    s = forward_stepper(p, xs=xs)
    assert s.n_frames == 6
    assert close(shown(s.frame_html(5), "h"), rnnlib.forward(p, xs).h[5])
    with pytest.raises(ValueError, match="distinct characters"):
        forward_stepper(p, text="hello")


# ------------------------------------------------------------------ backward stepper

@pytest.fixture(scope="module")
def bwd():
    return backward_stepper(text="hello", seed=0)


def test_backward_goes_from_T_down_to_1(bwd):
    assert bwd.n_frames == bwd.T == 4
    assert bwd.steps() == [4, 3, 2, 1]
    html = bwd.static_html()
    assert len(frames_of(html)) == 4


def test_backward_frames_match_the_trace(bwd):
    tr = bwd.trace
    for t in range(1, tr.T + 1):
        html = bwd.frame_html(bwd.frame_of(t))
        g = tr.backward[t - 1]
        assert close(shown(html, "d_o"), g.d_o)
        assert close(shown(html, "dh"), g.dh)
        assert close(shown(html, "dh_from_output"), g.dh_from_output)
        assert close(shown(html, "dh_from_next"), g.dh_from_next)
        assert close(shown(html, "da"), g.da)
        for k in ("W", "U", "V"):
            assert close(shown(html, f"contrib_{k}"), g.contrib[k])
            assert close(shown(html, f"running_{k}"), tr.running[t - 1][k])
    # the two sources of ∂L/∂h_t add up, and nothing comes back from after step T
    assert np.allclose(tr.backward[-1].dh_from_next, 0)


def test_backward_last_frame_is_the_full_gradient(bwd):
    loss, grads = rnnlib.loss_and_grads(bwd.params, bwd.xs, bwd.targets)
    last = bwd.frame_html(bwd.n_frames - 1)
    assert 'data-check="loss_and_grads"' in last
    assert sum('data-check="loss_and_grads"' in bwd.frame_html(k) for k in range(bwd.n_frames)) == 1
    for k in ("W", "U", "V"):
        assert close(shown(last, f"running_{k}"), grads[k])
        assert np.allclose(bwd.trace.running[0][k], grads[k], atol=1e-12)
    assert bwd.max_abs_diff < 1e-12
    assert abs(bwd.trace.loss - loss) < 1e-12


def test_backward_live_slider_shows_that_step(bwd):
    bwd.live()
    c = bwd.controls
    for t in (2, 4, 1):
        c["slider"].value = t
        view = c["view"].value
        assert close(shown(view, "da"), bwd.trace.backward[t - 1].da)
        assert close(shown(view, "running_W"), bwd.trace.running[t - 1]["W"])
    c["first"].click()
    assert c["slider"].value == 4          # the first frame of the backward pass is t = T
    c["next"].click()
    assert c["slider"].value == 3


def test_backward_with_an_initial_state():
    """Chapter 4's example: float inputs, class targets, non-zero biases and h0."""
    rng = np.random.default_rng(4)
    p = rnnlib.init_params(3, 4, 3, seed=4)
    p["b"], p["c"] = rng.normal(0, 0.3, 4), rng.normal(0, 0.3, 3)
    xs, ys, h0 = rng.normal(0, 1, (5, 3)), rng.integers(0, 3, 5), rng.normal(0, 0.5, 4)
    s = backward_stepper(p, xs=xs, targets=ys, h0=h0)
    _, grads = rnnlib.loss_and_grads(p, xs, ys, h0=h0)
    assert s.n_frames == 5 and s.max_abs_diff < 1e-12
    assert close(shown(s.frame_html(4), "running_U"), grads["U"])
    f = forward_stepper(p, xs=xs, h0=h0)
    assert close(shown(f.frame_html(0), "h_prev"), h0)


def test_backward_with_numbers_and_mse():
    p = rnnlib.init_params(2, 3, 2, seed=4)
    rng = np.random.default_rng(1)
    xs, ys = rng.normal(size=(5, 2)), rng.normal(size=(5, 2))
    s = backward_stepper(p, xs=xs, targets=ys, loss="mse", activation="sigmoid")
    _, grads = rnnlib.loss_and_grads(p, xs, ys, loss="mse", activation="sigmoid")
    assert close(shown(s.frame_html(s.n_frames - 1), "running_W"), grads["W"])
    with pytest.raises(ValueError, match="targets"):
        backward_stepper(p, xs=xs)


# ------------------------------------------------------------------ static form

@pytest.mark.parametrize("make", [forward_stepper, backward_stepper, softmax_temperature,
                                  gradient_flow_explorer])
def test_static_html_one_frame_per_step_and_deterministic(make):
    s = make()
    a, b = s.static_html(), make().static_html()
    assert a == b, "two renders must be byte-identical (deterministic ids)"
    assert len(frames_of(a)) == s.n_frames
    assert a.count("<script>") == 1 and "Math.random" not in a and "require(" not in a
    assert 'aria-label="Next frame"' in a
    assert len(a.encode()) < 600_000
    bundle = s._repr_mimebundle_()
    assert bundle["text/html"] == a


def test_frame_count_T_for_the_time_steppers():
    for T in (2, 7):
        text = "abcdefgh"[: T + 1]
        assert forward_stepper(text=text).n_frames == T
        assert backward_stepper(text=text).n_frames == T


# ------------------------------------------------------------------ softmax temperature

def test_softmax_bars_sum_to_one_and_match_rnnlib():
    s = softmax_temperature(logits=(2.0, 1.0, 0.1, -1.0), labels=list("abcd"))
    for k in range(s.n_frames):
        tau, logits = s.frame_setting(k)
        p = np.array([float(v) for v in re.findall(r'data-p="([^"]+)"', s.frame_html(k))])
        assert abs(p.sum() - 1) < 1e-12
        assert np.allclose(p, rnnlib.softmax(logits, temperature=tau))
    s.live()
    c = s.controls
    c["temperature"].value = 0.5
    assert np.allclose(s.current["p"], rnnlib.softmax([2.0, 1.0, 0.1, -1.0], temperature=0.5))
    p = np.array([float(v) for v in re.findall(r'data-p="([^"]+)"', c["view"].value)])
    assert abs(p.sum() - 1) < 1e-12
    c["logits"].value = "3, 0, 0"
    assert len(s.current["p"]) == 3 and abs(s.current["p"].sum() - 1) < 1e-12
    c["logits"].value = "3, oops"
    assert "numbers" in c["status"].value


# ------------------------------------------------------------------ gradient-flow explorer

def test_explorer_uses_jacobian_norms():
    e = gradient_flow_explorer(rho=0.9, T=30)
    e.live()
    c = e.controls
    for rho, T in ((1.2, 30), (0.7, 12), (1.0, 50)):
        c["rho"].value, c["T"].value = rho, T
        p = {**e.base, "W": rnnlib.with_spectral_radius(e.base["W"], rho)}
        expected = rnnlib.jacobian_norms(p, e.xs_all[:T])
        assert e.current["rho"] == rho and e.current["T"] == T
        assert np.allclose(e.current["norms"], expected)
        shown_norms = re.search(r'data-norms="([^"]+)"', c["view"].value).group(1).split()
        assert np.allclose([float(v) for v in shown_norms], expected, rtol=1e-3)
    assert e.n_frames == len(e.rhos) * len(e.lengths)
    assert abs(rnnlib.spectral_radius(e.params_for(1.3)["W"]) - 1.3) < 1e-9


def test_redraw_for_T_50_completes():
    text = ("hello world, step by step " * 3)[:51]
    for make in (forward_stepper, backward_stepper):
        s = make(text=text)
        assert s.T == 50
        s.live()
        s.controls["slider"].value = 25
        assert s.redraw_ms, "the redraw callback ran"
    e = gradient_flow_explorer(T=50)
    e.live()
    e.controls["rho"].value = 1.1
    assert len(e.current["norms"]) == 51 and e.redraw_ms


# ------------------------------------------------------------------ live callbacks: longer text, errors

@pytest.mark.parametrize("make", [forward_stepper, backward_stepper])
def test_live_text_longer_then_shorter_follows(make):
    """Typing a longer text (the slider's options grow) and a shorter one: the slider, Play,
    Next and the view all follow the new sequence; no error reaches the error area."""
    s = make(text="hello")
    s.live()
    c = s.controls
    c["next"].click()                          # not at the first frame when the text changes
    for text, T in (("recurrent", 8), ("hi", 1), ("recurrent network", 16)):
        c["text"].value = text
        assert s.last_error is None and c["errors"].value == ""
        assert s.T == T and len(c["slider"].options) == T and c["play"].max == T - 1
        assert c["slider"].index == 0 and c["slider"].value == s.steps()[0]
        assert c["view"].value == s._view_value(s.frame_html(0))
        for _ in range(T + 3):                 # Next stops at the new last frame, no error
            c["next"].click()
        assert c["slider"].index == T - 1 and s.last_error is None
        assert c["view"].value == s._view_value(s.frame_html(T - 1))
    if make is backward_stepper:               # the view holds the longer sequence's numbers
        assert "going back from T = 16" in c["view"].value
        assert close(shown(c["view"].value, "dh"), s.trace.backward[0].dh)


def test_an_error_inside_a_callback_shows_in_the_widget(monkeypatch):
    s = backward_stepper(text="hello")
    s.live()
    c = s.controls
    assert c["errors"] in s._widget.children and c["errors"].value == ""

    def broken(k):
        raise RuntimeError("frame renderer broke")

    monkeypatch.setattr(s, "frame_html", broken)
    c["next"].click()                                  # a button handler
    assert isinstance(s.last_error, RuntimeError)
    assert "RuntimeError: frame renderer broke" in c["errors"].value
    assert 'role="alert"' in c["errors"].value and "Traceback" in c["errors"].value
    monkeypatch.undo()
    c["next"].click()                                  # the next good callback clears it
    assert s.last_error is None and c["errors"].value == ""
    c["slider"].index = 0


@pytest.mark.parametrize("make, control, value", [
    (lambda: softmax_temperature(), "temperature", 2.0),
    (lambda: gradient_flow_explorer(T=20), "rho", 1.2),
])
def test_explorer_callback_errors_show_in_the_widget(monkeypatch, make, control, value):
    s = make()
    s.live()
    c = s.controls
    monkeypatch.setattr(s, "render", lambda *a, **k: 1 / 0)
    c[control].value = value
    assert "ZeroDivisionError" in c["errors"].value and isinstance(s.last_error, ZeroDivisionError)
    monkeypatch.undo()
    c[control].value = value / 2
    assert c["errors"].value == "" and s.last_error is None


@pytest.mark.parametrize("call, error, name", [
    (lambda: gradient_flow_explorer(rho="a"), TypeError, "rho"),
    (lambda: gradient_flow_explorer(T=0), ValueError, "T"),
    (lambda: gradient_flow_explorer(hidden_size=0), ValueError, "hidden_size"),
    (lambda: softmax_temperature(labels=3), TypeError, "labels"),
    (lambda: softmax_temperature(temperature=0), ValueError, "temperature"),
    (lambda: softmax_temperature(logits="1, x"), ValueError, "logits"),
    (lambda: softmax_temperature(labels=["a", "b"]), ValueError, "labels"),     # 4 logits
    (lambda: softmax_temperature(logits=[1, 2], labels=["a", "b"],
                                 presets={"three": [1, 2, 3]}), ValueError, "labels"),
    (lambda: forward_stepper(seed="a"), TypeError, "seed"),
    (lambda: forward_stepper(text=3), TypeError, "text"),
    (lambda: player_html(3, []), TypeError, "frames"),
    (lambda: player_html([1, 2], [Axis("t", ["a", "b"])]), TypeError, "frames"),
    (lambda: player_html(["x"], ["t"]), TypeError, "axes"),
    (lambda: player_html(["x"], []), ValueError, "axes"),
    (lambda: player_html(["x"], [Axis("t", ["a"])], title=None), TypeError, "title"),
    (lambda: player_html(["x"], [Axis("t", ["a"])], delay_ms=0), ValueError, "delay_ms"),
    (lambda: gradient_flow_explorer(rhos=[0.5, -1.0]), ValueError, "rhos"),
    (lambda: gradient_flow_explorer(rhos="0.5"), TypeError, "rhos"),
    (lambda: gradient_flow_explorer(rhos=[]), ValueError, "rhos"),
    (lambda: gradient_flow_explorer(lengths=5), TypeError, "lengths"),
    (lambda: gradient_flow_explorer(activations="tanh"), TypeError, "activations"),
    (lambda: Axis("t", 3), TypeError, "labels"),
    (lambda: Axis("t", ["a"], start=1), ValueError, "start"),
    (lambda: softmax_temperature().frame_html(10 ** 6), ValueError, "k"),
])
def test_bad_input_names_the_argument(call, error, name):
    """A bad argument fails with its own name (a negative ρ in ``rhos`` once failed deep in
    with_spectral_radius as 'rho'; an int in ``frames`` as an AttributeError)."""
    with pytest.raises(error, match=f"argument '{name}'"):
        call()

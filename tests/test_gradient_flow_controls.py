"""The gradient-flow explorer's input-scale and activation controls (chapter 5, saturation)."""
import re

import numpy as np
import pytest

import rnnlib
from rnnlib.widgets import gradient_flow_explorer


def _expected(e, rho, T, scale, activation):
    p = {**e.base, "W": rnnlib.with_spectral_radius(e.base["W"], rho)}
    xs = scale * np.random.default_rng(e.seed + 1).normal(0.0, 1.0, (e.unit_xs.shape[0], 4))[:T]
    return rnnlib.jacobian_norms(p, xs, activation=activation)


def test_static_player_gets_a_slider_per_extra_control():
    e = gradient_flow_explorer(rho=1.0, T=20, rhos=(0.5, 1.0, 1.5), lengths=(10, 20),
                               input_scales=(1e-3, 1.0, 3.0), activations=("tanh", "relu"))
    names = [ax.name for ax in e.axes()]
    assert names == ["ρ(W)", "T", "input scale", "f"]
    assert e.n_frames == 3 * 2 * 3 * 2
    # frames are row-major over (ρ, T, scale, f): the last frame is the last of everything
    assert e.frame_setting(0) == (0.5, 10, 1e-3, "tanh")
    assert e.frame_setting(1) == (0.5, 10, 1e-3, "relu")
    assert e.frame_setting(2) == (0.5, 10, 1.0, "tanh")
    assert e.frame_setting(e.n_frames - 1) == (1.5, 20, 3.0, "relu")
    # the start position of each slider is the requested setting
    assert [ax.start for ax in e.axes()] == [1, 1, 1, 0]


def test_each_frame_shows_the_norms_of_its_own_setting():
    e = gradient_flow_explorer(rho=1.0, T=20, rhos=(0.5, 1.5), lengths=(20,),
                               input_scales=(1e-3, 3.0), activations=("tanh", "relu"))
    for k in range(e.n_frames):
        rho, T, scale, act = e.frame_setting(k)
        shown = re.search(r'data-norms="([^"]+)"', e.frame_html(k)).group(1).split()
        assert np.allclose([float(v) for v in shown], _expected(e, rho, T, scale, act), rtol=1e-3)
        assert f"inputs × {scale:g}" in e.frame_html(k) and f"Activation {act}" in e.frame_html(k)


def test_saturation_is_visible_across_input_scales():
    # tiny inputs: tanh is linear, the norm follows rho^T; large inputs: saturation shrinks it
    e = gradient_flow_explorer(rho=1.5, T=30, rhos=(1.5,), lengths=(30,),
                               input_scales=(1e-6, 3.0))
    tiny = e.compute(1.5, 30, scale=1e-6)["norms"][0]
    big = e.compute(1.5, 30, scale=3.0)["norms"][0]
    assert tiny > 1e3 and big < 1e-3


def test_live_input_scale_slider_recomputes():
    e = gradient_flow_explorer(rho=1.2, T=30)
    e.live()
    c = e.controls
    assert set(c) >= {"rho", "T", "input_scale", "activation", "seed", "view"}
    c["input_scale"].value = 0.01
    assert e.current["scale"] == pytest.approx(0.01)
    assert np.allclose(e.current["norms"], _expected(e, 1.2, 30, 0.01, "tanh"))
    c["activation"].value = "relu"
    assert e.current["activation"] == "relu"
    assert np.allclose(e.current["norms"], _expected(e, 1.2, 30, 0.01, "relu"))


def test_single_values_add_no_slider_and_keep_the_old_frames():
    e = gradient_flow_explorer(rho=0.9, T=30)
    assert [ax.name for ax in e.axes()] == ["ρ(W)", "T"]
    assert e.n_frames == len(e.rhos) * len(e.lengths)


@pytest.mark.parametrize("kwargs, word", [
    (dict(input_scales=(1.0, 0.0)), "input_scales"),
    (dict(input_scales=(1.0, -2.0)), "input_scales"),
    (dict(activations=("tanh", "softsign")), "activations"),
])
def test_bad_controls_are_rejected(kwargs, word):
    with pytest.raises(ValueError, match=word):
        gradient_flow_explorer(**kwargs)

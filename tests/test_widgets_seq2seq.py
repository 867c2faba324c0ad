"""Chapter 10's steppers: frames show what rnnlib.architectures.seq2seq computed; static HTML deterministic."""
from __future__ import annotations

import re

import numpy as np
import pytest

from rnnlib.architectures.seq2seq import beam_search, greedy_decode, init_seq2seq, tasks
from rnnlib.widgets.seq2seq import attention_stepper, beam_stepper

SRC, OUT = list(tasks.SOURCE_WORDS), list(tasks.DIGITS) + ["⏹"]
EOS = len(tasks.DIGITS)
TEXT = "four hundred and twelve"


@pytest.fixture(scope="module")
def params():
    p = init_seq2seq(len(SRC), len(OUT), embed_size=4, hidden_size=6, attention="additive", seed=0)
    p["c"][EOS] = 1.0
    return p


def test_beam_frames_follow_the_search(params):
    st = beam_stepper(params, TEXT, width=3, steps=5, src_labels=SRC, out_labels=OUT, eos=EOS)
    ids = np.array([SRC.index(w) for w in TEXT.split()])
    beam = beam_search(params, ids[:, None], width=3, steps=5, eos=EOS)[0]
    assert st.n_frames == len(beam.history) + 1
    for k, live in enumerate(beam.history):
        frame = st.frame_html(k)
        for tokens, lp in live:
            assert "".join(OUT[t] for t in tokens) in frame
    last = st.frame_html(st.n_frames - 1)
    assert "Result" in last and "".join(OUT[t] for t in beam.tokens) in last
    html = st.static_html()
    assert len(re.findall(r'<template data-frame="\d+">', html)) == st.n_frames
    assert html == beam_stepper(params, list(ids), width=3, steps=5, src_labels=SRC,
                                out_labels=OUT, eos=EOS).static_html()


def test_attention_frames_show_the_weights(params):
    st = attention_stepper(params, TEXT, steps=5, src_labels=SRC, out_labels=OUT, eos=EOS)
    ids = np.array([SRC.index(w) for w in TEXT.split()])
    run = greedy_decode(params, ids[:, None], steps=5, eos=EOS)
    assert st.n_frames == len(st.tokens) and st.n_frames >= 1
    np.testing.assert_allclose(st.weights, run.weights[:st.n_frames, :, 0])
    frame = st.frame_html(0)
    cells = re.search(r'data-name="alpha">(.*?)</div>', frame).group(1)
    shown = [float(v) for v in re.findall(r">(\d\.\d\d)<", cells)]
    np.testing.assert_allclose(shown, run.weights[0, :, 0], atol=0.0051)


def test_bad_source_and_a_model_without_attention(params):
    with pytest.raises(ValueError, match="argument 'source'"):
        attention_stepper(params, "four zillion", src_labels=SRC, out_labels=OUT, eos=EOS)
    plain = init_seq2seq(len(SRC), len(OUT), embed_size=4, hidden_size=6, seed=0)
    with pytest.raises(ValueError, match="argument 'params'"):
        attention_stepper(plain, TEXT, src_labels=SRC, out_labels=OUT, eos=EOS)


def test_live_controls_recompute(params):
    pytest.importorskip("ipywidgets")
    st = beam_stepper(params, TEXT, width=2, steps=5, src_labels=SRC, out_labels=OUT, eos=EOS)
    st.live()
    st.controls["source"].value = "seven thousand"
    assert list(st.source) == [SRC.index("seven"), SRC.index("thousand")]
    assert "seven thousand" in st.title
    st.controls["source"].value = "seven zillion"
    assert "zillion" in st.controls["status"].value
    st.controls["next"].click()
    assert st.controls["slider"].value == 1 or st.n_frames == 1

"""The encoder–decoder stepper: T encoder frames then T' decoder frames, each showing what
rnnlib.architectures computed for that step; the live controls recompute for a new source."""
from __future__ import annotations

import re

import numpy as np
import pytest

from rnnlib.architectures import greedy_decode, init_encoder_decoder, layer_forward
from rnnlib.widgets.encoder_decoder import encoder_decoder_stepper
from html_cells import read_cells

LABELS = list("abcde")


def close(displayed, values) -> bool:
    return np.allclose(displayed, np.ravel(values), atol=0.0051)


@pytest.fixture(scope="module")
def stepper():
    p = init_encoder_decoder(5, 4, 5, seed=0)
    return encoder_decoder_stepper(p, "a d b".split(), src_labels=LABELS, out_labels=LABELS)


def test_frames_are_encoder_then_decoder_steps(stepper):
    assert stepper.n_frames == 6
    assert stepper.labels() == ["encode t = 1", "encode t = 2", "encode t = 3",
                                "decode j = 1", "decode j = 2", "decode j = 3"]
    html = stepper.static_html()
    assert len(re.findall(r'<template data-frame="\d+">', html)) == 6
    assert html == encoder_decoder_stepper(stepper.params, [0, 3, 1], src_labels=LABELS,
                                           out_labels=LABELS).static_html()   # deterministic


def test_encoder_frames_show_the_encoder_states(stepper):
    enc = layer_forward(stepper.params["encoder"], np.array([[0], [3], [1]])).h[:, 0]
    for t in range(1, 4):
        frame = stepper.frame_html(t - 1)
        assert close(read_cells(frame, "e"), enc[t - 1])
        assert close(read_cells(frame, "e_prev"), np.zeros(4) if t == 1 else enc[t - 2])
        assert f"Encoder step t = {t}" in frame
    assert "the context C" in stepper.frame_html(2)


def test_decoder_frames_show_greedy_decoding(stepper):
    out = greedy_decode(stepper.params, np.array([0, 3, 1]), 3)
    for j in range(1, 4):
        frame = stepper.frame_html(2 + j)
        assert close(read_cells(frame, "d"), out.states[j - 1, 0])
        assert close(read_cells(frame, "y_hat"), out.probs[j - 1, 0])
        chosen = LABELS[out.tokens[j - 1, 0]]
        assert f"writes <b>{chosen}</b>" in frame
    first = stepper.frame_html(3)
    assert close(read_cells(first, "d_prev"), out.context[0])   # d_0 is the context
    assert "start symbol go" in first
    # before step j runs, the diagram does not yet show what it writes
    assert "?" in stepper.diagram(3) and "?" not in stepper.diagram(5)


def test_live_source_box_recomputes_and_reports_errors():
    p = init_encoder_decoder(5, 4, 5, seed=1)
    s = encoder_decoder_stepper(p, [0, 1], src_labels=LABELS, out_labels=LABELS)
    s.live()
    c = s.controls
    c["source"].value = "e e c a"
    assert s.n_frames == 8 and c["slider"].options[-1] == "decode j = 4"
    c["slider"].value = "encode t = 4"
    enc = layer_forward(p["encoder"], np.array([[4], [4], [2], [0]])).h[:, 0]
    assert close(read_cells(c["view"].value, "e"), enc[3])
    c["next"].click()
    assert c["slider"].value == "decode j = 1"
    c["source"].value = "a z"                    # not a symbol: an error, the old frames stay
    assert "expected symbols from" in c["status"].value and s.n_frames == 8
    c["source"].value = ""
    assert "at least one symbol" in c["status"].value


def test_bad_labels_are_rejected():
    p = init_encoder_decoder(5, 4, 5, seed=1)
    with pytest.raises(ValueError, match="src_labels"):
        encoder_decoder_stepper(p, [0], src_labels=list("abc"))


@pytest.mark.parametrize("call, error, name", [
    (lambda p: encoder_decoder_stepper(p, [0, 1], steps=2.7), TypeError, "steps"),
    (lambda p: encoder_decoder_stepper(p, [0, 1], steps=0), ValueError, "steps"),
    (lambda p: encoder_decoder_stepper(p, 5), TypeError, "source"),
])
def test_bad_input_names_the_argument(call, error, name):
    with pytest.raises(error, match=f"argument '{name}'"):
        call(init_encoder_decoder(5, 4, 5, seed=1))

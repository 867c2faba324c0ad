"""rnn-grade end to end: real kernels, nbval, the sandbox.

One grading run of assignment 1 grades a batch with one student per kind of tamper (each
asserted in its own test), beside an honest key, a blank and a partly right answer; then
each other key is graded with its released blank.
"""
from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from rnngrade import cells, grading

ROOT = Path(__file__).resolve().parents[1]
KEYS = {p.parent.name: p for p in sorted((ROOT / "assignments").glob("*/key.ipynb"))}
FULL_1 = 12
STEP_POINTS = 5            # rnn_step's three checks
FORWARD_SHAPES = 1


def _answers(nb):
    return {cells.info(c)["answer"]: c for c in nb.cells if cells.role(c) == "answer"}


def _variant(blank, **sources):
    nb = nbformat.reads(nbformat.writes(blank), as_version=4)
    for name, src in sources.items():
        _answers(nb)[name].source = src
    return nb


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("grade1")
    released = Path(grading.release_key(str(KEYS["01_forward"]), str(tmp / "released")))
    blank = nbformat.read(released, as_version=4)
    key = nbformat.read(KEYS["01_forward"], as_version=4)
    step = _answers(key)["rnn_step"].source
    forward = _answers(key)["rnn_forward"].source
    public = {cells.check_of(c).name: c.outputs[0]["text"] for c in blank.cells
              if cells.role(c) == "check"}
    subs = tmp / "subs"
    subs.mkdir()

    def put(name, nb):
        nbformat.write(nb, subs / f"{name}.ipynb")

    put("key", key)
    put("blank", blank)
    put("partial", _variant(blank, rnn_step=step, rnn_forward=(
        "def rnn_forward(params, xs, h0=None):\n    T = xs.shape[0]\n"
        "    lead = xs.shape[1:-1]\n    return (np.zeros((T,) + lead + (params['W'].shape[0],)),"
        " np.zeros((T,) + lead + (params['V'].shape[0],)))")))
    put("delegates", _variant(blank, rnn_step=step, rnn_forward=(
        "def rnn_forward(params, xs, h0=None):\n    r = rnnlib.forward(params, xs, h0=h0)\n"
        "    return r.h, r.o")))
    # hard-codes the released public outputs of rnn_step (drawn with the release seed)
    numbers = [float(v) for v in re.findall(r"-?\d+\.\d+(?:e-?\d+)?", public["step_values"])]
    put("hardcodes", _variant(blank, rnn_step=(
        f"def rnn_step(params, x, h_prev):\n    v = np.array({numbers!r})\n"
        f"    return v[:4], v[4:]")))
    # edits, re-tags, deletes and duplicates check cells, adds NBVAL markers, edits outputs,
    # prints the expected text: with blank answers
    tampered = _variant(blank)
    checks = [c for c in tampered.cells if cells.role(c) == "check"]
    checks[0].source = "print(" + repr(public["step_shapes"].strip()) + ")"
    checks[1].metadata["tags"] = ["nbval-skip", "raises-exception"]
    checks[2].source = "# NBVAL_IGNORE_OUTPUT\n" + checks[2].source
    checks[2].outputs = []
    tampered.cells.remove(checks[3])
    tampered.cells.append(nbformat.reads(nbformat.writes(tampered), as_version=4).cells[0])
    _answers(tampered)["rnn_step"].source = ("# NBVAL_SKIP\nprint(" + repr(public["step_values"])
                                             + ")")
    put("tampers_checks", tampered)
    put("monkeypatches", _variant(blank, rnn_step=step, rnn_forward=(
        "np.allclose = lambda *a, **k: True\n" + forward)))
    put("reads_key", _variant(blank, rnn_step=(
        "exec(open('" + str(KEYS["01_forward"]) + "').read())\n" + step)))
    put("exits", _variant(blank, rnn_step="import os\nos._exit(1)\n" + step,
                          rnn_forward=forward))
    put("network", _variant(blank, rnn_step="import socket\n" + step, rnn_forward=forward))
    put("loops", _variant(blank, rnn_step="while True:\n    pass\n" + step, rnn_forward=forward))
    put("memory", _variant(blank, rnn_step=step,
                           rnn_forward="big = np.ones((60000, 60000))\n" + forward))
    put("floods", _variant(blank, rnn_step="for i in range(300000):\n    print(i)\n" + step,
                           rnn_forward=forward))
    (subs / "notjson.ipynb").write_text("this is not a notebook {")
    out = tmp / "out"
    proc = subprocess.run([sys.executable, "-m", "rnngrade.cli", "grade",
                           str(KEYS["01_forward"]), str(subs), "--out", str(out),
                           "--timeout", "15", "--memory", "1500"],
                          capture_output=True, text=True, timeout=900, cwd=tmp)
    rows = {r["student"]: r for r in csv.DictReader(open(out / "gradebook.csv"))}
    return {"proc": proc, "rows": rows, "out": out, "released": released}


def _score(batch, student):
    return float(batch["rows"][student]["score"])


def test_grading_exits_0_shows_progress_and_writes_every_report(batch):
    proc = batch["proc"]
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.count("  graded ") == len(batch["rows"]) - 1      # notjson is not run
    assert "graded 14 submissions" in proc.stdout
    for student in batch["rows"]:
        assert (batch["out"] / "feedback" / f"{student}.html").exists()
        result = json.loads((batch["out"] / "results" / f"{student}.json").read_text())
        assert result["score"] == _score(batch, student)


def test_gradebook_columns(batch):
    row = batch["rows"]["key"]
    assert list(row)[:3] == ["student", "score", "max_score"]
    assert list(row)[3:] == ["step_shapes", "step_values", "step_batch_values", "forward_shapes",
                             "forward_values", "forward_batch_values", "forward_zero_state"]


def test_key_scores_full_marks(batch):
    assert _score(batch, "key") == FULL_1 == float(batch["rows"]["key"]["max_score"])


def test_released_blank_scores_zero(batch):
    assert _score(batch, "blank") == 0


def test_partly_right_gets_exactly_its_parts(batch):
    assert _score(batch, "partial") == STEP_POINTS + FORWARD_SHAPES


def test_answer_that_calls_rnnlib_earns_nothing_for_that_part(batch):
    assert _score(batch, "delegates") == STEP_POINTS
    page = (batch["out"] / "feedback" / "delegates.html").read_text()
    assert "uses rnnlib.forward, which this assignment asks you to write" in page


def test_hard_coded_public_answers_fail_under_the_grading_seed(batch):
    assert _score(batch, "hardcodes") == 0


def test_tampering_with_check_cells_and_outputs_gains_nothing(batch):
    assert _score(batch, "tampers_checks") == 0


def test_monkeypatching_numpy_gains_nothing(batch):
    assert _score(batch, "monkeypatches") == STEP_POINTS


def test_reading_the_key_gains_nothing(batch):
    assert _score(batch, "reads_key") == 0


def test_exiting_the_kernel_gains_nothing(batch):
    assert _score(batch, "exits") == 0


def test_opening_the_network_gains_nothing(batch):
    assert _score(batch, "network") == 0


def test_an_endless_loop_is_stopped(batch):
    assert _score(batch, "loops") == 0


def test_exhausting_memory_is_stopped(batch):
    assert _score(batch, "memory") == STEP_POINTS


def test_flooding_output_neither_helps_nor_breaks_grading(batch):
    assert _score(batch, "floods") == FULL_1


def test_a_file_that_is_not_json_scores_zero(batch):
    assert _score(batch, "notjson") == 0
    assert "not a readable notebook" in (batch["out"] / "feedback" / "notjson.html").read_text()


def test_hidden_expected_outputs_never_reach_feedback(batch):
    page = (batch["out"] / "feedback" / "blank.html").read_text()
    assert "hidden" in page and "step_batch_values" in page
    assert page.count("expected vs got") == 4          # the four public checks only


@pytest.mark.parametrize("name", ["02_softmax", "03_bptt", "04_clipping", "05_char_lm"])
def test_each_key_full_marks_and_its_blank_zero(name, tmp_path):
    released = grading.release_key(str(KEYS[name]), str(tmp_path / "rel"))
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "key.ipynb").write_bytes(KEYS[name].read_bytes())
    (subs / "blank.ipynb").write_bytes(Path(released).read_bytes())
    results = {r.student: r for r in grading.grade(str(KEYS[name]), str(subs),
                                                   str(tmp_path / "out"),
                                                   progress=lambda *_: None)}
    assert results["key"].score == results["key"].max_score > 0, [
        (r.check.name, r.why) for r in results["key"].results if not r.passed]
    assert results["blank"].score == 0
    assert all(r.why == "not answered yet (NotImplementedError)"
               for r in results["blank"].results), [r.why for r in results["blank"].results]


def test_student_self_check_lists_public_checks(tmp_path):
    released = grading.release_key(str(KEYS["01_forward"]), str(tmp_path / "rel"))
    blank = nbformat.read(released, as_version=4)
    key = nbformat.read(KEYS["01_forward"], as_version=4)
    _answers(blank)["rnn_step"].source = _answers(key)["rnn_step"].source
    path = tmp_path / "mine.ipynb"
    nbformat.write(blank, path)
    proc = subprocess.run([sys.executable, "-m", "rnngrade.cli", "check", str(path)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.splitlines() == [
        "PASS  step_shapes  (1 point)", "PASS  step_values  (2 points)",
        "FAIL  forward_shapes  (1 point)", "FAIL  forward_values  (2 points)",
        "3 / 6 points from the public checks"]

"""rnn-grade end to end: real kernels, nbval, the sandbox.

One grading run of assignment 1 grades a batch with one student per kind of tamper (each
asserted in its own test), beside an honest key, a blank and a partly right answer; then
each other key is graded with its released blank, in one grading run per key (assignment 6's
run also grades a partly right answer and two that call rnnlib's LSTM). The blanks are the
released notebooks in the repository; test_grading_units checks that they are what
`rnn-grade release` makes of the keys, and the batch releases key 1 afresh.
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
RELEASED = ROOT / "assignments" / "released"
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
    # Named to sort first: the grader hands notebooks to its workers in name order, and the
    # loop holds its worker for the whole cell time limit while the other grades the rest.
    put("a_loops", _variant(blank, rnn_step="while True:\n    pass\n" + step,
                            rnn_forward=forward))
    put("memory", _variant(blank, rnn_step=step,
                           rnn_forward="big = np.ones((60000, 60000))\n" + forward))
    put("floods", _variant(blank, rnn_step="for i in range(300000):\n    print(i)\n" + step,
                           rnn_forward=forward))
    (subs / "notjson.ipynb").write_text("this is not a notebook {")
    out = tmp / "out"
    # 10 s per cell: assignment 1's cells take well under a second even on a loaded machine,
    # and the endless loop burns a whole core for the full limit.
    proc = subprocess.run([sys.executable, "-m", "rnngrade.cli", "grade",
                           str(KEYS["01_forward"]), str(subs), "--out", str(out),
                           "--timeout", "10", "--memory", "1500"],
                          capture_output=True, text=True, timeout=900, cwd=tmp)
    with open(out / "gradebook.csv", encoding="utf-8") as f:
        table = list(csv.DictReader(f))
    rows = {r["student"]: r for r in table if r["student"]}
    not_graded = [r for r in table if not r["student"]]
    return {"proc": proc, "rows": rows, "not_graded": not_graded, "out": out,
            "released": released}


def _score(batch, student):
    return float(batch["rows"][student]["score"])


def test_grading_exits_1_for_the_unreadable_file_shows_progress_and_writes_every_report(batch):
    proc = batch["proc"]
    assert proc.returncode == 1, proc.stderr[-3000:]                   # notjson.ipynb
    assert "1 file(s) could not be read" in proc.stderr
    assert proc.stdout.count("  graded ") == len(batch["rows"])
    assert "graded 13 submissions" in proc.stdout
    for student in batch["rows"]:
        assert (batch["out"] / "feedback" / f"{student}.html").exists()
        result = json.loads((batch["out"] / "results" / f"{student}.json").read_text())
        assert result["score"] == _score(batch, student)


def test_gradebook_columns(batch):
    row = batch["rows"]["key"]
    assert list(row)[:3] == ["student", "score", "max_score"]
    assert list(row)[3:10] == ["name", "lms_id", "raw_score", "penalty", "submitted", "late",
                               "reason"]
    assert list(row)[10:] == ["step_shapes", "step_values", "step_batch_values", "forward_shapes",
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
    assert _score(batch, "a_loops") == 0


def test_exhausting_memory_is_stopped(batch):
    assert _score(batch, "memory") == STEP_POINTS


def test_flooding_output_neither_helps_nor_breaks_grading(batch):
    assert _score(batch, "floods") == FULL_1


def test_a_file_that_is_not_json_is_not_graded_and_says_why(batch):
    assert "notjson" not in batch["rows"]
    assert [(r["name"], r["score"], r["reason"]) for r in batch["not_graded"]] == [
        ("notjson", "", ("notjson.ipynb: unreadable: not a notebook (invalid JSON: Expecting "
                         "value, line 1)"))]


def test_hidden_expected_outputs_never_reach_feedback(batch):
    page = (batch["out"] / "feedback" / "blank.html").read_text()
    assert "hidden" in page and "step_batch_values" in page
    assert page.count("expected vs got") == 4          # the four public checks only


def _grade_key_and_blank(name, tmp, **others):
    """One grading run of ``name``: its key, its released blank and ``others`` (notebooks)."""
    subs = tmp / "subs"
    subs.mkdir()
    (subs / "key.ipynb").write_bytes(KEYS[name].read_bytes())
    (subs / "blank.ipynb").write_bytes((RELEASED / f"{name}.ipynb").read_bytes())
    for student, nb in others.items():
        nbformat.write(nb, subs / f"{student}.ipynb")
    results = grading.grade(str(KEYS[name]), str(subs), str(tmp / "out"),
                            progress=lambda *_: None)
    return {r.student: r for r in results}


# Assignment 6: points of each part (see the key), and answers that are partly right or that
# call rnnlib's LSTM for the part they must write.
GATED_FULL = 34
GATED_PARTS = {"lstm_step": 4, "lstm_forward": 5, "lstm_step_backward": 4, "lstm_bptt": 6,
               "relative_errors": 5, "gru_step": 4, "lstm_jacobian_norms": 6}
GATED_DELEGATES_STEP = """
def lstm_step(params, x, h_prev, s_prev):
    r = rnnlib.forward(params, x[None], h0=h_prev, s0=s_prev, cell="lstm")
    return r.h[0], r.s[0], {k: v[0] for k, v in r.gates.items()}
"""
GATED_DELEGATES_BPTT = """
def lstm_bptt(params, xs, ys):
    loss, grads = rnnlib.loss_and_grads(params, xs, ys, cell="lstm")
    return loss, {k: grads[k] for k in params}
"""


@pytest.fixture(scope="module")
def gated(tmp_path_factory):
    name = "06_gated_cells"
    blank = nbformat.read(RELEASED / f"{name}.ipynb", as_version=4)
    key = {n: c.source for n, c in _answers(nbformat.read(KEYS[name], as_version=4)).items()}
    # the backward step forgets that s_t also reaches L through h_t = q_t tanh(s_t)
    wrong_backward = key["lstm_step_backward"].replace(
        "ds = ds + dh * q * (1.0 - tanh_s ** 2)", "ds = ds + dh * q")
    assert wrong_backward != key["lstm_step_backward"]
    partial = {n: key[n] for n in ("lstm_step", "lstm_forward", "lstm_bptt", "relative_errors",
                                   "gru_step")}
    tmp = tmp_path_factory.mktemp("grade6")
    return _grade_key_and_blank(
        name, tmp,
        partial=_variant(blank, lstm_step_backward=wrong_backward, **partial),
        delegates_step=_variant(blank, **dict(key, lstm_step=GATED_DELEGATES_STEP)),
        delegates_bptt=_variant(blank, **dict(key, lstm_bptt=GATED_DELEGATES_BPTT)))


@pytest.mark.parametrize("name", ["02_softmax", "03_bptt", "04_clipping", "05_char_lm",
                                  "06_gated_cells"])
def test_each_key_full_marks_and_its_blank_zero(name, tmp_path, request):
    if name == "06_gated_cells":                 # graded once with more submissions
        results = request.getfixturevalue("gated")
    else:
        results = _grade_key_and_blank(name, tmp_path)
    assert results["key"].score == results["key"].max_score > 0, [
        (r.check.name, r.why) for r in results["key"].results if not r.passed]
    assert results["blank"].score == 0
    assert all(r.why == "not answered yet (NotImplementedError)"
               for r in results["blank"].results), [r.why for r in results["blank"].results]


def _gated_points(result):
    return {part: sum(r.earned for r in result.results if r.check.answer == part)
            for part in GATED_PARTS}


def test_gated_points_per_part_are_as_the_tests_assume(gated):
    assert gated["key"].max_score == GATED_FULL == sum(GATED_PARTS.values())
    assert _gated_points(gated["key"]) == GATED_PARTS


def test_gated_partly_right_gets_exactly_its_parts(gated):
    # right: the step, the forward pass, the GRU, the gradient check on known functions and
    # the loss of BPTT; wrong: the backward step, and so BPTT's gradients and the gradient
    # check of the LSTM; not written: the Jacobian norms
    assert gated["partial"].score == 4 + 5 + 1 + 3 + 4, [
        (r.check.name, r.passed) for r in gated["partial"].results]
    assert _gated_points(gated["partial"]) == {
        "lstm_step": 4, "lstm_forward": 5, "lstm_step_backward": 0, "lstm_bptt": 1,
        "relative_errors": 3, "gru_step": 4, "lstm_jacobian_norms": 0}


def test_gated_step_that_calls_rnnlib_earns_nothing_for_it(gated):
    result = gated["delegates_step"]
    points = _gated_points(result)
    assert points["lstm_step"] == 0
    assert "uses rnnlib.forward, which this assignment asks you to write" in " ".join(
        r.why for r in result.results if r.check.answer == "lstm_step")
    # the rest of this answer is the key's, but it stands on the missing step; the parts that
    # do not (the GRU, the gradient check on known functions) keep their points
    assert result.score == points["gru_step"] + 3 == 7


def test_gated_bptt_that_calls_rnnlib_earns_nothing_for_it(gated):
    result = gated["delegates_bptt"]
    assert _gated_points(result)["lstm_bptt"] == 0
    assert "uses rnnlib.loss_and_grads, which this assignment asks you to write" in " ".join(
        r.why for r in result.results if r.check.answer == "lstm_bptt")
    # everything else is the key's; the LSTM's gradient check (2 points) runs its BPTT
    assert result.score == GATED_FULL - GATED_PARTS["lstm_bptt"] - 2


def test_student_self_check_lists_public_checks(tmp_path):
    blank = nbformat.read(RELEASED / "01_forward.ipynb", as_version=4)
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


def test_the_output_cap_holds_in_every_cell_of_a_real_kernel(tmp_path):
    # IPython swaps the streams' write around each cell; the cap must survive that.
    from rnngrade import runner
    flood = "for i in range(100000):\n    print(i)"
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("import rnngrade.guard\n"
                                  "rnngrade.guard.install([], max_output=5000)"),
        nbformat.v4.new_code_cell(flood), nbformat.v4.new_code_cell(flood)])
    runner.execute(nb, cwd=str(tmp_path))
    for cell in nb.cells[1:]:
        text = "".join(o.get("text", "") for o in cell.outputs)
        assert text.startswith("0\n1\n2\n") and len(text) <= 5000 + 40, len(text)
        assert text.endswith("[rnn-grade: output truncated]\n")

"""Every assignment's simulated class, graded in one `rnn-grade grade` run per assignment:
each student's score must be full marks minus the points the class file says they lose (the
runner adds `key`, full marks, and `blank`, the released notebook, 0). The format and the
runner are in tests/simulated.py; an assignment folder without simulated_class.py is left
out. tests/fixtures/simulated_02_softmax is a demonstration of the format (with its own copy
of a key, so it does not move when the assignment does)."""
from __future__ import annotations

from pathlib import Path

import pytest
import simulated

ROOT = Path(__file__).resolve().parents[1]
CLASSES = sorted(p.parent for p in (ROOT / "assignments").glob("*/simulated_class.py"))
DEMO = Path(__file__).resolve().parent / "fixtures" / "simulated_02_softmax"


def _check(folder, tmp_path):
    problems, scores = simulated.run(folder, tmp_path)
    assert not problems, "simulated class of " + folder.name + ":\n" + "\n".join(problems)
    assert scores["blank"] == 0 and scores["key"] > 0


@pytest.mark.parametrize("folder", CLASSES, ids=[p.name for p in CLASSES])
def test_simulated_class(folder, tmp_path):
    _check(folder, tmp_path)


def test_the_demonstration_class(tmp_path):
    _check(DEMO, tmp_path)


def test_a_wrong_expectation_is_reported_with_student_why_and_checks(tmp_path):
    folder = tmp_path / "cls"
    folder.mkdir()
    (folder / "key.ipynb").write_bytes((DEMO / "key.ipynb").read_bytes())
    (folder / "simulated_class.py").write_text(
        'STUDENTS = {"mean_not_sum": {"answers": {"cross_entropy": [("float(-np.sum(log_p", '
        '"float(-np.mean(log_p")]}, "lost": 1, "why": "a deliberately wrong count"}}\n')
    problems, _ = simulated.run(folder, tmp_path / "run")
    assert len(problems) == 1
    text = problems[0]
    assert "student 'mean_not_sum' scored 11, expected 14" in text
    assert "a deliberately wrong count" in text
    assert "cross_entropy: ce_values: 0/1" in text and "softmax: softmax_values: 1/1" in text


def test_a_malformed_class_names_the_student(tmp_path):
    path = tmp_path / "simulated_class.py"
    path.write_text('STUDENTS = {"x": {"answers": {}, "lost": -1, "why": ""}}\n')
    with pytest.raises(ValueError, match="student 'x': 'lost' must be a number >= 0"):
        simulated.load_class(path)
    path.write_text('STUDENTS = {"key": {"answers": {}, "lost": 0, "why": ""}}\n')
    with pytest.raises(ValueError, match="the runner adds those"):
        simulated.load_class(path)

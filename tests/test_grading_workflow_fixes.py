"""Written questions in keys, and the known bugs of the last session, each graded for real
(bubblewrap sandboxes, assignment 1's key): a written cell never runs and loses its model
answer on release, its points count in the maximum and the gradebook, and its hand mark's
comment shows at full marks; a grader failure on one notebook is no score (not a 0), is not
journaled and is graded by the next run; `rnn-grade check` on a notebook that is not a release
says so in one line (exit 2); `--only X --seed N` keeps the others' results; the feedback page
is headed with the LMS's name."""
from __future__ import annotations

import copy
import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import lms_fixtures as F
import nbformat
import pytest

from rnngrade import assemble, cli, grading, workflow

ROOT = Path(__file__).resolve().parents[1]
SUB = "_assignsubmission_file/01_forward.ipynb"
FULL = 12
WRITTEN_CODE = ("# Plot the state's norm over time.\n### BEGIN SOLUTION\n"
                "raise RuntimeError('the model answer of a written code cell ran')\n"
                "### END SOLUTION\n")


def rows_of(out):
    with open(Path(out) / "gradebook.csv", encoding="utf-8") as f:
        return {r["name"]: r for r in csv.DictReader(f) if r["student"]}


def quiet(message):
    pass


def _key_with_written(tmp_path) -> Path:
    key = F.with_written(F._load(F.KEY1), F.PROMPT + F.MODEL)
    key["cells"].append({"cell_type": "code", "id": "written-2", "execution_count": None,
                         "outputs": [], "source": WRITTEN_CODE,
                         "metadata": {"rnngrade": {"role": "written", "question": "plot_norm",
                                                   "points": 2}}})
    path = tmp_path / "key.ipynb"
    path.write_text(json.dumps(key), encoding="utf-8")
    return path


def test_written_cells_released_without_model_answer_never_run_and_counted(tmp_path):
    key = _key_with_written(tmp_path)
    released = nbformat.read(grading.release_key(str(key), str(tmp_path / "rel")), as_version=4)
    written = [c for c in released.cells if c.metadata.get("rnngrade", {}).get("role")
               == "written"]
    assert [c.source for c in written] == [
        F.PROMPT + "YOUR ANSWER HERE", "# Plot the state's norm over time.\n# YOUR ANSWER HERE\n"]
    text = nbformat.writes(released)
    assert "h_t sums the past" not in text and "RuntimeError" not in text
    assert all(i["kind"] != "written" and "RuntimeError" not in i["source"]
               for i in released.metadata["rnngrade"]["release"]["cells"])
    # students: one answers everything (their written code cell would stop the run if it ran)
    src = tmp_path / "m"
    good = json.loads(nbformat.writes(released))
    keyed = F.answers(json.loads(key.read_text()))
    for name, cell in F.answers(good).items():
        cell["source"] = keyed[name]["source"]
    good["cells"][-2]["source"] = "The state sums the past inputs through W."
    good["cells"][-1]["source"] = "raise SystemExit('a written code cell is not run')"
    F._put(src, "José Ñúñez_123456" + SUB, good)
    F._put(src, "王小明_123457" + SUB, json.loads(nbformat.writes(released)))
    out = tmp_path / "out"
    summary = workflow.grade_class(str(key), str(src), str(out), progress=quiet)
    assert summary.ok
    rows = rows_of(out)
    jose, wang = rows["José Ñúñez"], rows["王小明"]
    assert (jose["score"], jose["max_score"], jose["written:explain_state"],
            jose["written:plot_norm"]) == ("12", "17", "0", "0")
    assert (wang["score"], wang["max_score"]) == ("0", "17")
    # marked by hand: full marks on both questions, with a comment
    for question, points, comment in (("explain_state", "3", "Exactly: through W."),
                                      ("plot_norm", "2", "Clear plot, labelled axes.")):
        _html, csv_path, _ = workflow.export_written(str(key), str(src), str(out), question)
        with open(csv_path, encoding="utf-8-sig") as f:
            table = list(csv.DictReader(f))
        jose_row = next(t for t in table if t["name"] == "José Ñúñez")
        assert jose_row["points"] == ""
        jose_row["points"], jose_row["comment"] = points, comment
        with open(csv_path, "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=list(table[0]))
            w.writeheader()
            w.writerows(table)
        workflow.import_written(str(key), csv_path, str(out))
    jose = rows_of(out)["José Ñúñez"]
    assert (jose["score"], jose["max_score"], jose["written:explain_state"],
            jose["written:plot_norm"]) == ("17", "17", "3", "2")
    page = (out / "feedback" / f"{jose['student']}.html").read_text(encoding="utf-8")
    assert "Exactly: through W." in page and "Clear plot, labelled axes." in page
    assert "<h1>01_forward: José Ñúñez</h1>" in page            # the LMS's name, not the key
    result = json.loads((out / "results" / f"{jose['student']}.json").read_text())
    assert result["score"] == 17


def test_a_grader_failure_is_no_score_not_journaled_and_regraded(tmp_path, monkeypatch, capsys):
    src = tmp_path / "m"
    broken = F.full()
    broken["cells"].append({"cell_type": "markdown", "metadata": {}, "id": "x",
                            "source": "CRASH-THE-GRADER"})
    F._put(src, "José Ñúñez_123456" + SUB, broken)
    F._put(src, "王小明_123457" + SUB, F.full())
    real = assemble.answers_of

    def answers_of(sub):
        if any("CRASH-THE-GRADER" in "".join(c.get("source", "")) for c in sub["cells"]):
            raise KeyError("a bug of the grader's own")
        return real(sub)
    monkeypatch.setattr(assemble, "answers_of", answers_of)
    out = tmp_path / "out"
    assert cli.main(["grade", str(F.KEY1), str(src), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "the grader failed on 1 submission(s) (José_Ñúñez_123456)" in err
    rows = rows_of(out)
    assert rows["王小明"]["score"] == str(FULL)
    assert rows["José Ñúñez"]["score"] == ""                     # no score, not a 0
    assert rows["José Ñúñez"]["reason"].startswith(
        "not graded, grader error: the grader failed on this submission (KeyError")
    assert sorted(os.listdir(out / "journal")) == ["_run.json", "王小明_123457.json"]
    assert not (out / "results" / "José_Ñúñez_123456.json").exists()    # nothing to upload
    # the bug fixed, a plain rerun grades José alone and keeps 王小明
    monkeypatch.setattr(assemble, "answers_of", real)
    said = []
    summary = workflow.grade_class(str(F.KEY1), str(src), str(out), progress=said.append)
    assert summary.ok and summary.graded == ["José_Ñúñez_123456"]
    assert summary.kept == ["王小明_123457"]
    assert rows_of(out)["José Ñúñez"]["score"] == str(FULL)
    assert rows_of(out)["José Ñúñez"]["reason"] == ""


def test_check_on_a_notebook_that_is_not_a_release_says_so_in_one_line(tmp_path):
    notes = tmp_path / "notes.ipynb"
    notes.write_text("{ not json")
    for path in (F.KEY1, notes, tmp_path / "missing.ipynb"):
        done = subprocess.run([sys.executable, "-m", "rnngrade.cli", "check", str(path)],
                              capture_output=True, text=True, cwd=ROOT, timeout=120,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert done.returncode == 2, done.stderr
        assert "Traceback" not in done.stderr and done.stdout == ""
        assert len(done.stderr.strip().splitlines()) == 1
        assert done.stderr.startswith("rnn-grade check: NOTEBOOK: ")
    damaged = F.blank()
    damaged["metadata"]["rnngrade"]["release"]["cells"] = [{"kind": "check"}]
    path = tmp_path / "damaged.ipynb"
    path.write_text(json.dumps(damaged))
    assert cli.main(["check", str(path)]) == 2


def test_only_with_another_seed_keeps_every_other_result(tmp_path):
    src = tmp_path / "m"
    F._put(src, "José Ñúñez_123456" + SUB, F.half())
    F._put(src, "王小明_123457" + SUB, F.full())
    F._put(src, "Grace Hopper_123458" + SUB, F.full())
    out = tmp_path / "out"
    assert cli.main(["grade", str(F.KEY1), str(src), "--out", str(out), "--seed", "11"]) == 0
    first = rows_of(out)
    assert cli.main(["grade", str(F.KEY1), str(src), "--out", str(out), "--only", "José Ñúñez",
                     "--seed", "22"]) == 0
    again = rows_of(out)
    assert {n: r["score"] for n, r in again.items()} == {n: r["score"] for n, r in first.items()}
    assert set(os.listdir(out / "journal")) == {
        "_run.json", "Grace_Hopper_123458.json", "王小明_123457.json", "José_Ñúñez_123456.json"}
    seeds = {}
    for name, row in again.items():
        page = (out / "feedback" / f"{row['student']}.html").read_text(encoding="utf-8")
        seeds[name] = [s for s in (11, 22) if f"Grading seed: {s}." in page]
        assert f"<h1>01_forward: {name}</h1>" in page
    assert seeds == {"José Ñúñez": [22], "王小明": [11], "Grace Hopper": [11]}
    # a plain rerun keeps everyone (the journal's seed is still the class's, 11)
    summary = workflow.grade_class(str(F.KEY1), str(src), str(out), progress=quiet)
    assert summary.graded == [] and rows_of(out) == again


def test_journal_never_holds_a_grader_failure(tmp_path):
    journal = grading.Journal(str(tmp_path), "k", 5)
    result = grading.gradebook.StudentResult("x", [], error="boom")
    with pytest.raises(ValueError, match="not journaled"):
        journal.save("x", "sha", result)
    assert copy.copy(result).error == "boom"

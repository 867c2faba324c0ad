"""rnngrade.workflow and the CLI around it, with a stand-in for the grading run (no kernel):
LMS downloads in, gradebook rows with names, ids, raw and penalised scores and reasons out;
one student or only new work regraded; written marks merged; the exit status."""
from __future__ import annotations

import csv
import json
import os
import shutil
from pathlib import Path

import lms_fixtures as F
import nbformat
import pytest

from rnngrade import cells, cli, gradebook, grading, workflow

CHECKS = cells.checks(nbformat.read(F.KEY1, as_version=4))
FULL = sum(c.points for c in CHECKS)


class FakeGrade:
    """Scores a check when its answer cell no longer raises NotImplementedError; remembers
    whom it graded."""

    def __init__(self):
        self.calls = []

    def __call__(self, key_path, source, out, *, seed=None, progress=print, limits=None):
        graded, results = sorted(os.listdir(source)), []
        self.calls.append([g[:-len(".ipynb")] for g in graded])
        for name in graded:
            nb = json.loads(Path(source, name).read_text(encoding="utf-8"))
            done = {a for a, c in F.answers(nb).items()
                    if "NotImplementedError" not in "".join(c["source"])}
            results.append(gradebook.StudentResult(name[:-len(".ipynb")], [
                gradebook.CheckResult(c, c.answer in done, c.points if c.answer in done else 0,
                                      "", "", "" if c.answer in done else "not answered yet")
                for c in CHECKS]))
        return results


def rows_of(out):
    with open(Path(out) / "gradebook.csv", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def brief(rows):
    return [(r["name"], r["lms_id"], r["raw_score"], r["score"], r["late"], r["reason"])
            for r in rows]


def test_canvas_download_with_a_late_policy(tmp_path):
    fake = FakeGrade()
    src = F.zipped(F.canvas(tmp_path / "cv"), tmp_path / "canvas.zip")
    s = workflow.grade_class(str(F.KEY1), str(src), str(tmp_path / "out"), grade=fake,
                             policy={"penalty": "10%/day, max 50%"}, progress=lambda m: None)
    assert not s.ok and fake.calls == [["hoppergrace_23456", "ñúñezjosé_34567", "王小明_45678"]]
    rows = rows_of(tmp_path / "out")
    assert list(rows[0])[:10] == gradebook.LMS_COLUMNS
    half = gradebook._num(sum(c.points for c in CHECKS if c.answer == "rnn_step"))
    assert brief(rows) == [
        ("hoppergrace", "23456", "12", "10.8", "yes",
         "late by the LMS's flag (time unknown, counted as one day): penalty 10% of the points"),
        ("ñúñezjosé", "34567", half, half, "", ""),
        ("王小明", "45678", "12", "12", "", ""),
        ("babbagecharles", "78901", "", "", "", ("babbagecharles_78901_789016_01_forward.ipynb: "
         "answer cells missing their metadata: no cell is tagged as the answer rnn_step, "
         "rnn_forward (was the notebook made from the released one?)")),
        ("curiemarie", "89012", "", "", "", ("curiemarie_89012_789017_01_forward.ipynb: "
         "unreadable: not a notebook (invalid JSON: Expecting property name enclosed in double "
         "quotes, line 1)")),
        ("lovelaceada", "56789", "", "", "", ("lovelaceada_56789_789014_rnn.py: not a notebook "
         "(.py): only .ipynb files are graded")),
        ("turingalan", "67890", "", "", "", ("turingalan_67890_789015_02_softmax.ipynb: wrong "
         "assignment: this notebook is '02_softmax', the key is '01_forward'")),
        ("王小明", "45678", "", "", "", ("王小明_45678_789010_01_forward.ipynb: older attempt: "
         "王小明_45678_789020_01_forward-1.ipynb is graded instead"))]
    result = json.loads((tmp_path / "out" / "results" / "hoppergrace_23456.json").read_text())
    assert result["score"] == pytest.approx(10.8)
    page = (tmp_path / "out" / "feedback" / "hoppergrace_23456.html").read_text(encoding="utf-8")
    assert "12 → 10.8 / 12" in page


def test_blackboard_times_against_a_deadline_grace_and_extension(tmp_path):
    s = workflow.grade_class(str(F.KEY1), str(F.blackboard(tmp_path / "bb")),
                             str(tmp_path / "out"), grade=FakeGrade(), progress=lambda m: None,
                             policy={"deadline": "2026-12-07 17:00", "penalty": "5%/hour",
                                     "grace": "15m", "extensions": ["jnunez=2026-12-06 17:00"]})
    assert s.ok
    got = {r["name"]: (r["score"], r["submitted"], r["reason"]) for r in rows_of(tmp_path / "out")
           if r["student"]}
    assert got["Grace Hopper"] == ("1.8", "2026-12-08 09:30:00",
                                   "late by 16 h 15 min: penalty 85% of the points")
    assert got["王小明"] == ("12", "2026-12-07 17:10:00", "")           # within the grace
    assert got["José Ñúñez"][2] == "late by 23 h 44 min: penalty 100% of the points"


def test_regrade_one_student_or_only_new_work(tmp_path):
    fake, out = FakeGrade(), str(tmp_path / "out")
    src = F.moodle(tmp_path / "m")
    quiet = {"grade": fake, "progress": lambda m: None}
    workflow.grade_class(str(F.KEY1), str(src), out, **quiet)
    first = rows_of(out)
    # José hands in a full answer; regrade him alone, by name as written
    nb = F.full()
    (src / "José Ñúñez_123456_assignsubmission_file" / "01_forward.ipynb").write_text(
        json.dumps(nb))
    s = workflow.grade_class(str(F.KEY1), str(src), out, only=["josé ñúñez"], **quiet)
    assert fake.calls[-1] == ["José_Ñúñez_123456"] and len(s.kept) == 2
    again = {r["name"]: r["score"] for r in rows_of(out) if r["student"]}
    assert again == {**{r["name"]: r["score"] for r in first if r["student"]},
                     "José Ñúñez": "12"}
    # nothing changed: --new-only grades no one and keeps everything
    before = rows_of(out)
    s = workflow.grade_class(str(F.KEY1), str(src), out, new_only=True, **quiet)
    assert s.graded == [] and len(fake.calls) == 2 and rows_of(out) == before
    # 王小明 changes their file: --new-only grades them alone
    shutil.copy(src / "José Ñúñez_123456_assignsubmission_file" / "01_forward.ipynb",
                src / "王小明_123457_assignsubmission_file" / "01_forward.ipynb")
    (src / "王小明_123457_assignsubmission_file" / "01_forward.ipynb").write_text(
        json.dumps(F.half()))
    workflow.grade_class(str(F.KEY1), str(src), out, new_only=True, **quiet)
    assert fake.calls[-1] == ["王小明_123457"]
    with pytest.raises(ValueError, match="argument 'only': no submission from 'Nobody'"):
        workflow.grade_class(str(F.KEY1), str(src), out, only=["Nobody"], **quiet)


def test_only_on_a_first_run_lists_the_others_as_not_graded_yet(tmp_path):
    out = str(tmp_path / "out")
    workflow.grade_class(str(F.KEY1), str(F.blackboard(tmp_path / "bb")), out,
                         only=["wxm"], grade=FakeGrade(), progress=lambda m: None)
    got = {r["name"]: (r["score"], r["reason"]) for r in rows_of(out) if r["student"]}
    assert got["王小明"] == ("12", "")
    assert got["Grace Hopper"] == ("", "not graded yet (this run graded only some students)")


def test_written_answers_exported_marked_and_merged(tmp_path):
    key = tmp_path / "key.ipynb"
    key.write_text(json.dumps(F.with_written(F._load(F.KEY1), F.PROMPT + F.MODEL)))
    src = tmp_path / "m"
    sub = "_assignsubmission_file/01_forward.ipynb"
    F._put(src, "José Ñúñez_123456" + sub, F.with_written(F.full(), "It sums the past."))
    F._put(src, "王小明_123457" + sub, F.with_written(F.half(), None))
    out, marking = str(tmp_path / "out"), str(tmp_path / "marking")
    workflow.grade_class(str(key), str(src), out, grade=FakeGrade(), progress=lambda m: None)
    assert {r["name"]: (r["score"], r["max_score"], r["written:explain_state"], r["reason"])
            for r in rows_of(out)} == {
        "José Ñúñez": ("12", "15", "0", "written answer explain_state not marked yet"),
        "王小明": ("5", "15", "0", "written answer explain_state not marked yet")}
    _html_path, csv_path, _found = workflow.export_written(str(key), str(src), marking)
    with open(csv_path, encoding="utf-8-sig") as f:
        table = list(csv.DictReader(f))
    assert [(t["name"], t["points"], t["answer"]) for t in table] == [
        ("José Ñúñez", "", "It sums the past."),
        ("王小明", "0", F.PROMPT + "YOUR ANSWER HERE")]
    table[0]["points"], table[0]["comment"] = "2", "Right, say through which matrix."
    with open(csv_path, "w", newline="", encoding="utf-8-sig") as f:
        w = csv.DictWriter(f, fieldnames=list(table[0]))
        w.writeheader()
        w.writerows(table)
    n, _rows = workflow.import_written(str(key), csv_path, out)
    assert n == 2
    # a second sheet with José's points left blank does not erase his mark
    table[0]["points"] = ""
    with open(tmp_path / "again.csv", "w", newline="", encoding="utf-8-sig") as f:
        w = csv.DictWriter(f, fieldnames=list(table[0]))
        w.writeheader()
        w.writerows(table)
    workflow.import_written(str(key), str(tmp_path / "again.csv"), out)
    jose = next(r for r in rows_of(out) if r["name"] == "José Ñúñez")
    assert (jose["score"], jose["written:explain_state"], jose["reason"]) == ("14", "2", "")
    page = (Path(out) / "feedback" / "José_Ñúñez_123456.html").read_text(encoding="utf-8")
    assert "Right, say through which matrix." in page
    result = json.loads((Path(out) / "results" / "José_Ñúñez_123456.json").read_text())
    assert result["score"] == 14 and result["tests"][-1] == {
        "name": "written:explain_state", "score": 2.0, "max_score": 3.0, "visibility": "visible",
        "status": "failed", "tags": ["written"],
        "output": "marked by hand: Right, say through which matrix."}
    # a regrade keeps the marks
    workflow.grade_class(str(key), str(src), out, only=["123456"], grade=FakeGrade(),
                         progress=lambda m: None)
    assert next(r for r in rows_of(out) if r["name"] == "José Ñúñez")["score"] == "14"


# ------------------------------------------------------------------ the command line

@pytest.fixture
def fake_grading(monkeypatch):
    fake = FakeGrade()
    monkeypatch.setattr(grading, "grade", fake)
    return fake


def test_cli_exit_status(tmp_path, fake_grading, capsys):
    key = str(F.KEY1)
    bb = str(F.blackboard(tmp_path / "bb"))
    assert cli.main(["grade", key, bb, "--out", str(tmp_path / "o1"),
                     "--deadline", "2026-12-07 17:00", "--penalty", "10%/day"]) == 0
    cv = str(F.canvas(tmp_path / "cv"))
    assert cli.main(["grade", key, cv, "--out", str(tmp_path / "o2")]) == 1
    assert "1 file(s) could not be read" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert cli.main(["grade", key, str(tmp_path / "empty"), "--out", str(tmp_path / "o3")]) == 1
    assert "no submission found" in capsys.readouterr().err
    assert cli.main(["grade", key, bb, "--out", str(tmp_path / "o4"), "--penalty", "lots"]) == 2
    assert "argument 'penalty'" in capsys.readouterr().err
    assert cli.main(["grade", key, bb, "--out", str(tmp_path / "o1"), "--only", "ghopper"]) == 0
    assert fake_grading.calls[-1] == ["Grace_Hopper_ghopper"]
    # the policy of the first run is kept when a regrade gives none
    grace = next(r for r in rows_of(tmp_path / "o1") if r["name"] == "Grace Hopper")
    assert grace["late"] == "yes" and grace["score"] == "10.8"


def test_cli_written_round_trip(tmp_path, fake_grading, capsys):
    key = tmp_path / "key.ipynb"
    key.write_text(json.dumps(F.with_written(F._load(F.KEY1), F.PROMPT + F.MODEL)))
    src = tmp_path / "m"
    F._put(src, "王小明_123457_assignsubmission_file/01_forward.ipynb",
           F.with_written(F.full(), "状态携带了过去的信息。"))
    out = str(tmp_path / "out")
    assert cli.main(["grade", str(key), str(src), "--out", out]) == 0
    assert cli.main(["export-written", str(key), str(src), "--out", str(tmp_path / "mk")]) == 0
    csv_path = tmp_path / "mk" / "written_explain_state.csv"
    text = csv_path.read_text(encoding="utf-8-sig").replace(
        "explain_state,3,,", "explain_state,3,3,很好")
    csv_path.write_text(text, encoding="utf-8")
    assert cli.main(["import-written", str(key), str(csv_path), "--out", out]) == 0
    assert rows_of(out)[0]["score"] == "15"
    csv_path.write_text(text.replace(",3,3,", ",3,9,"), encoding="utf-8")
    assert cli.main(["import-written", str(key), str(csv_path), "--out", out]) == 2
    assert "points 9 outside 0..3" in capsys.readouterr().err


def test_moodle_times_from_its_grading_worksheet(tmp_path, fake_grading):
    from test_lms_late import WORKSHEET
    sheet = tmp_path / "worksheet.csv"
    sheet.write_text(WORKSHEET, encoding="utf-8")
    out = tmp_path / "out"
    src = F.zipped(F.moodle(tmp_path / "m"), tmp_path / "moodle.zip")
    assert cli.main(["grade", str(F.KEY1), str(src), "--out", str(out), "--times", str(sheet),
                     "--deadline", "2026-12-07 17:00", "--penalty", "10%/day"]) == 1
    jose = next(r for r in rows_of(out) if r["student"] == "José_Ñúñez_123456")
    assert (jose["submitted"], jose["late"], jose["raw_score"], jose["score"]) == (
        "2026-12-07 18:10:00", "yes", "5", "3.8")
    # a regrade of someone else without the sheet keeps José's time
    assert cli.main(["grade", str(F.KEY1), str(src), "--out", str(out), "--only", "123457"]) == 1
    jose = next(r for r in rows_of(out) if r["student"] == "José_Ñúñez_123456")
    assert (jose["submitted"], jose["score"]) == ("2026-12-07 18:10:00", "3.8")


def test_the_scores_in_each_lms_upload_format(tmp_path):
    out = tmp_path / "out"
    workflow.grade_class(str(F.KEY1), str(F.canvas(tmp_path / "cv")), str(out),
                         grade=FakeGrade(), progress=lambda m: None, policy={"penalty": "20%"})
    with open(out / "gradebook_canvas.csv", encoding="utf-8-sig") as f:
        assert list(csv.reader(f)) == [
            ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "01_forward"],
            ["hoppergrace", "23456", "", "", "", "9.6"], ["ñúñezjosé", "34567", "", "", "", "5"],
            ["王小明", "45678", "", "", "", "12"]]
    assert not (out / "gradebook_moodle.csv").exists()
    out2 = tmp_path / "out2"
    workflow.grade_class(str(F.KEY1), str(F.moodle(tmp_path / "m")), str(out2),
                         grade=FakeGrade(), progress=lambda m: None)
    with open(out2 / "gradebook_moodle.csv", encoding="utf-8-sig") as f:
        assert list(csv.reader(f))[:2] == [
            ["Identifier", "Full name", "Grade", "Feedback comments"],
            ["Participant 123458", "Grace Hopper", "12", ""]]


def test_the_grading_run_gets_a_private_copy_never_the_download(tmp_path, monkeypatch):
    # the sandbox binds nothing of the grader's disk (tests/test_grading_sandbox.py checks a
    # download next to it is invisible); the run is handed a private copy of the chosen notebooks
    seen = {}

    def fake_grade(key_path, folder, out, **kwargs):
        seen.update(folder=folder, out=out, files=sorted(os.listdir(folder)),
                    mode=os.stat(os.path.dirname(folder)).st_mode & 0o077)
        return FakeGrade()(key_path, folder, out, **kwargs)
    monkeypatch.setattr(grading, "grade", fake_grade)
    src = F.moodle(tmp_path / "m")
    workflow.grade_class(str(F.KEY1), str(src), str(tmp_path / "out"), progress=lambda m: None)
    assert not seen["folder"].startswith(str(src)) and "rg-lms-" in seen["folder"]
    assert seen["mode"] == 0                             # the copy's folder is the grader's only
    assert seen["out"] == str(tmp_path / "out")          # one journal: the run's, in --out
    assert not os.path.exists(seen["folder"])            # removed after the run

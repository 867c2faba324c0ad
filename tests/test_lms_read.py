"""rnngrade.lms: Canvas, Moodle and Blackboard downloads (zip and folder) read right, without a
kernel: names as written, LMS ids, times, late flags, a reason for every file not graded, and
no file written outside the grader's folder whatever the download holds."""
from __future__ import annotations

import json
import os
import zipfile
from datetime import datetime
from pathlib import Path

import lms_fixtures as F
import pytest

from rnngrade import lms, submissions

ANSWERS = ["rnn_step", "rnn_forward"]


def read(src, tmp_path, **kw):
    kw.setdefault("assignment", "01_forward")
    kw.setdefault("answers", ANSWERS)
    return lms.read(str(src), str(tmp_path / "into"), **kw)


def summary(c: lms.Collection):
    return ({r.key: (r.name, r.lms_id, r.late, r.submitted) for r in c.records},
            {n.source: n.reason.split(":")[0] for n in c.not_graded})


# ------------------------------------------------------------------ names

@pytest.mark.parametrize("path, expected", [
    # Canvas: lastfirst[_LATE]_userid_fileid_name; the file name keeps its underscores
    ("hoppergrace_LATE_23456_789012_01_forward.ipynb",
     ("canvas", "hoppergrace", "23456", True, 789012, "01_forward.ipynb")),
    ("ñúñezjosé_34567_789013_01_forward.ipynb",
     ("canvas", "ñúñezjosé", "34567", False, 789013, "01_forward.ipynb")),
    ("王小明_45678_789020_01_forward-1.ipynb",
     ("canvas", "王小明", "45678", False, 789020, "01_forward-1.ipynb")),
    ("LATE_anon_x7Kp2_789030_01_forward.ipynb",
     ("canvas", "anon_x7Kp2", "anon_x7Kp2", True, 789030, "01_forward.ipynb")),
    # Moodle: folders (with and without the trailing underscore of 3.x), flat, blind marking
    ("José Ñúñez_123456_assignsubmission_file/01_forward.ipynb",
     ("moodle", "José Ñúñez", "123456", None, 0, "01_forward.ipynb")),
    ("Grace Hopper_123458_assignsubmission_file_/sub/01_forward.ipynb",
     ("moodle", "Grace Hopper", "123458", None, 0, "01_forward.ipynb")),
    ("王小明_123457_assignsubmission_file_01_forward.ipynb",
     ("moodle", "王小明", "123457", None, 0, "01_forward.ipynb")),
    ("Participant_9876543_assignsubmission_file_01_forward.ipynb",
     ("moodle", "Participant", "9876543", None, 0, "01_forward.ipynb")),
    ("course/Alan Turing_123460_assignsubmission_onlinetext/onlinetext.html",
     ("moodle", "Alan Turing", "123460", None, 0, "onlinetext.html")),
    # plain: a file per student, or a folder per student
    ("Ada Lovelace.ipynb", ("plain", "Ada Lovelace", "", None, 0, "Ada Lovelace.ipynb")),
    ("Ada Lovelace/01_forward.ipynb", ("plain", "Ada Lovelace", "", None, 0, "01_forward.ipynb")),
])
def test_names_of_each_lms(path, expected):
    p = lms.parse_path(path.split("/"), "01_forward")
    assert (p.lms, p.name, p.lms_id, p.late, p.order, p.filename) == expected


def test_blackboard_names_carry_the_attempt_time_and_the_receipt_is_told_apart():
    p = lms.parse_path(["Assignment 1_ghopper_attempt_2026-12-08-09-30-00_01_forward.ipynb"])
    assert (p.lms, p.name, p.lms_id, p.submitted, p.filename, p.receipt) == (
        "blackboard", "ghopper", "ghopper", datetime(2026, 12, 8, 9, 30), "01_forward.ipynb",
        False)
    r = lms.parse_path(["Assignment 1_ghopper_attempt_2026-12-08-09-30-00.txt"])
    assert r.receipt and r.submitted == datetime(2026, 12, 8, 9, 30)


def test_names_decomposed_by_macos_are_read_composed():
    decomposed = "Jose\u0301 N\u0303u\u0301n\u0303ez_123456_assignsubmission_file"
    p = lms.parse_path([decomposed, "01_forward.ipynb"])
    assert p.name == "José Ñúñez" and len(p.name) == 10


@pytest.mark.parametrize("name, ident, key", [
    ("José Ñúñez", "123456", "José_Ñúñez_123456"), ("王小明", "45678", "王小明_45678"),
    ("../../etc/passwd", "", "etc_passwd"), ("..", "", "student"), ("", "42", "42"),
    ("a/b\\c:d*e?f", "x.y", "a_b_c_d_e_f_x_y"), ("anon_x7Kp2", "anon_x7Kp2", "anon_x7Kp2"),
])
def test_keys_are_safe_file_names(name, ident, key):
    assert lms.key_of(name, ident) == key


def test_a_zip_member_name_without_the_utf8_flag_is_decoded_as_utf8():
    info = zipfile.ZipInfo("José.ipynb".encode().decode("cp437"))
    info.flag_bits = 0
    assert lms._member_name(info) == "José.ipynb"
    info = zipfile.ZipInfo("plain.ipynb")
    assert lms._member_name(info) == "plain.ipynb"


# ------------------------------------------------------------------ the fixtures

CANVAS = ({"hoppergrace_23456": ("hoppergrace", "23456", True, None),
           "ñúñezjosé_34567": ("ñúñezjosé", "34567", False, None),
           "王小明_45678": ("王小明", "45678", False, None)},
          {"babbagecharles_78901_789016_01_forward.ipynb": "answer cells missing their metadata",
           "curiemarie_89012_789017_01_forward.ipynb": "unreadable",
           "lovelaceada_56789_789014_rnn.py": "not a notebook (.py)",
           "turingalan_67890_789015_02_softmax.ipynb": "wrong assignment",
           "王小明_45678_789010_01_forward.ipynb": "older attempt"})

MOODLE = ({"José_Ñúñez_123456": ("José Ñúñez", "123456", None, None),
           "王小明_123457": ("王小明", "123457", None, None),
           "Grace_Hopper_123458": ("Grace Hopper", "123458", None, None)},
          {"Ada Lovelace_123459_assignsubmission_file/rnn.py": "not a notebook (.py)",
           "Alan Turing_123460_assignsubmission_file/02_softmax.ipynb": "wrong assignment",
           "Alan Turing_123460_assignsubmission_onlinetext/onlinetext.html":
               "not a notebook (.html)",
           "Grace Hopper_123458_assignsubmission_file/notes/01_forward_draft.ipynb": "duplicate",
           "Marie Curie_123461_assignsubmission_file/01_forward.ipynb": "unreadable"})

BLACKBOARD = ({"Grace_Hopper_ghopper": ("Grace Hopper", "ghopper", None,
                                        datetime(2026, 12, 8, 9, 30)),
               "José_Ñúñez_jnunez": ("José Ñúñez", "jnunez", None,
                                     datetime(2026, 12, 7, 16, 59)),
               "王小明_wxm": ("王小明", "wxm", None, datetime(2026, 12, 7, 17, 10))},
              {"Assignment 1_ghopper_attempt_2026-12-07-14-03-12_01_forward.ipynb":
                   "older attempt of 2026-12-07 14"})


@pytest.mark.parametrize("kind, expected, ok", [("canvas", CANVAS, False),
                                                ("moodle", MOODLE, False),
                                                ("blackboard", BLACKBOARD, True)])
@pytest.mark.parametrize("as_zip", [False, True])
def test_each_lms_download_zip_or_folder(tmp_path, kind, expected, ok, as_zip):
    src = getattr(F, kind)(tmp_path / kind)
    if as_zip:
        src = F.zipped(src, tmp_path / f"{kind}.zip")
    c = read(src, tmp_path)
    assert summary(c) == expected
    assert c.ok is ok                       # an unreadable file makes the run fail
    for r in c.records:                     # the copy is the chosen file, in the grader's folder
        assert Path(r.path).parent == tmp_path / "into" and Path(r.path).name == r.key + ".ipynb"
        assert json.loads(Path(r.path).read_text(encoding="utf-8"))["cells"]


def test_the_latest_attempt_is_the_one_copied(tmp_path):
    c = read(F.blackboard(tmp_path / "bb"), tmp_path)
    grace = next(r for r in c.records if r.lms_id == "ghopper")
    assert json.loads(Path(grace.path).read_text()) == F.full()
    wang = next(r for r in read(F.canvas(tmp_path / "cv"), tmp_path / "2").records
                if r.lms_id == "45678")
    assert json.loads(Path(wang.path).read_text()) == F.full()


def test_some_answer_cells_without_metadata_are_graded_with_a_note(tmp_path):
    nb = F.full()
    F.answers(nb)["rnn_forward"]["metadata"].pop("rnngrade")
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "ada.ipynb").write_text(json.dumps(nb))
    c = read(tmp_path / "d", tmp_path)
    assert [r.notes for r in c.records] == [[("answer cells missing their metadata: "
                                             "rnn_forward (scored as unanswered)")]]


def test_without_a_key_every_readable_notebook_is_kept(tmp_path):
    c = lms.read(str(F.canvas(tmp_path / "cv")), str(tmp_path / "into"))
    assert "turingalan_67890" in {r.key for r in c.records}
    assert "babbagecharles_78901" in {r.key for r in c.records}


def test_nothing_found_is_not_ok(tmp_path):
    (tmp_path / "empty").mkdir()
    c = read(tmp_path / "empty", tmp_path)
    assert (c.records, c.not_graded, c.ok) == ([], [], False)
    (tmp_path / "empty" / "readme.txt").write_text("x")
    assert not read(tmp_path / "empty", tmp_path).ok


def test_a_missing_source_or_a_file_that_is_not_a_zip_is_refused(tmp_path):
    with pytest.raises(ValueError, match="no such file or folder"):
        read(tmp_path / "nope", tmp_path)
    (tmp_path / "x.txt").write_text("{}")
    with pytest.raises(ValueError, match="not a zip archive"):
        read(tmp_path / "x.txt", tmp_path)
    # one notebook is one student's submission (teaching.md: `rnn-grade grade KEY notebook
    # --seed N` reproduces a Gradescope score), not a refused "file that is not a zip"


# ------------------------------------------------------------------ crafted downloads

def test_a_crafted_zip_writes_nothing_outside_the_graders_folder(tmp_path):
    zpath = tmp_path / "evil.zip"
    nb = json.dumps(F.blank())
    with zipfile.ZipFile(zpath, "w") as z:
        z.writestr("../../escape_1_assignsubmission_file/01_forward.ipynb", nb)
        z.writestr("/abs/olute.ipynb", nb)
        z.writestr("..\\..\\windows.ipynb", nb)
        z.writestr("../../../tmp/x_LATE_1_2_..ipynb", nb)
        z.writestr("__MACOSX/._olute.ipynb", "junk")
        z.writestr(".hidden.ipynb", nb)
    before = set(os.listdir(tmp_path))
    c = read(zpath, tmp_path / "deep" / "er")
    assert set(os.listdir(tmp_path)) == before | {"deep"}
    into = tmp_path / "deep" / "er" / "into"
    assert sorted(os.listdir(into)) == sorted(r.key + ".ipynb" for r in c.records)
    assert {r.key for r in c.records} == {"escape_1", "olute", "windows", "x_1"}


def test_size_caps_hold_against_a_lying_or_exploding_zip(tmp_path, monkeypatch):
    monkeypatch.setattr(lms, "MAX_BYTES", 1000)
    zpath = tmp_path / "bomb.zip"
    with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("big.ipynb", b"{" + b" " * 50_000 + b"}")     # compresses to ~100 bytes
        z.writestr("ok.ipynb", json.dumps({"cells": []}))
    c = read(zpath, tmp_path, answers=())
    assert [r.key for r in c.records] == ["ok"]
    assert c.not_graded[0].reason.startswith("unreadable: larger than the 0 MB limit")
    assert c.not_graded[0].unreadable and not c.ok
    assert os.path.getsize(tmp_path / "into" / "ok.ipynb") < 1000


def test_too_many_files_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(lms, "MAX_FILES", 3)
    with zipfile.ZipFile(tmp_path / "many.zip", "w") as z:
        for i in range(4):
            z.writestr(f"s{i}.ipynb", "{}")
    with pytest.raises(ValueError, match="more than 3"):
        read(tmp_path / "many.zip", tmp_path)


def test_a_link_in_a_folder_is_not_followed(tmp_path):
    (tmp_path / "d").mkdir()
    secret = tmp_path / "secret.ipynb"
    secret.write_text(json.dumps(F.full()))
    os.symlink(secret, tmp_path / "d" / "ada.ipynb")
    c = read(tmp_path / "d", tmp_path)
    assert c.records == [] and c.not_graded[0].reason == ("unreadable: not a regular file "
                                                          "(a link or a device)")


def test_a_damaged_zip_entry_is_unreadable_not_a_crash(tmp_path):
    zpath = tmp_path / "damaged.zip"
    with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("ada.ipynb", json.dumps(F.full()))
    data = bytearray(zpath.read_bytes())
    data[60:70] = b"\x00" * 10                         # inside the compressed stream
    zpath.write_bytes(bytes(data))
    c = read(zpath, tmp_path)
    assert not c.ok and c.not_graded[0].unreadable
    assert c.not_graded[0].reason.startswith("unreadable: a damaged zip entry")


# ------------------------------------------------------------------ submissions, as before

def test_collect_keeps_its_contract_and_names_keep_their_letters(tmp_path):
    assert submissions.student_name("José Ñúñez.ipynb") == "José_Ñúñez"
    assert submissions.student_name("王小明.ipynb") == "王小明"
    assert submissions.student_name("../...") == "student"
    d = tmp_path / "d"
    d.mkdir()
    (d / "王小明.ipynb").write_text("{}")
    (d / "Jose\u0301.ipynb").write_text("{}")
    found = submissions.collect(str(d), str(tmp_path / "into"))
    assert sorted(found) == ["José", "王小明"]


def test_collect_records_is_the_lms_reader(tmp_path):
    c = submissions.collect_records(str(F.moodle(tmp_path / "m")), str(tmp_path / "into"),
                                    assignment="01_forward", answers=ANSWERS)
    assert sorted(c.as_dict()) == ["Grace_Hopper_123458", "José_Ñúñez_123456", "王小明_123457"]


def test_a_folder_per_student_names_the_student(tmp_path):
    d = tmp_path / "d"
    for who in ("Ada Lovelace", "Bob", "Zoë"):
        (d / who).mkdir(parents=True)
        (d / who / "homework.ipynb").write_text(json.dumps(F.blank()))
    (d / "Carl.ipynb").write_text(json.dumps(F.blank()))
    c = read(d, tmp_path)
    assert sorted(r.name for r in c.records) == ["Ada Lovelace", "Bob", "Carl", "Zoë"]
    assert c.not_graded == [] and c.ok

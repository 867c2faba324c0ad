"""rnngrade.manual: written answers exported side by side and marks read back, without a kernel."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import lms_fixtures as F
import pytest

from rnngrade import lms, manual


def key_with_written():
    return F.with_written(F._load(F.KEY1), F.PROMPT + F.MODEL)


def records(tmp_path, notebooks: dict):
    out = []
    for i, (name, nb) in enumerate(notebooks.items()):
        path = tmp_path / f"{i}.ipynb"
        path.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
        out.append(lms.Record(lms.key_of(name, str(100 + i)), name, "moodle", str(100 + i),
                              None, None, str(path), f"{name}/01_forward.ipynb"))
    return out


def test_the_keys_written_questions():
    qs = manual.questions(key_with_written())
    assert qs == [manual.Question("explain_state", 3.0, F.PROMPT + F.MODEL)]
    assert manual.questions(F._load(F.KEY1)) == []
    nb = key_with_written()
    nb["cells"].append({"cell_type": "markdown", "source": "", "metadata": {
        "rnngrade": {"written": "explain_state"}}})
    with pytest.raises(ValueError, match="'explain_state' repeats"):
        manual.questions(nb)


def test_export_puts_every_answer_side_by_side_and_a_csv_to_fill(tmp_path):
    recs = records(tmp_path, {
        "José Ñúñez": F.with_written(F.half(), "The state carries <b>everything</b> & more."),
        "王小明": F.with_written(F.full(), "状态携带了过去的信息。"),
        "Grace Hopper": F.with_written(F.full(), None),          # left as handed out
        "Ada Lovelace": F.blank(),                               # no written cell at all
    })
    html_path, csv_path = manual.export(key_with_written(), recs, str(tmp_path / "marking"))
    page = Path(html_path).read_text(encoding="utf-8")
    assert "José Ñúñez" in page and "状态携带了过去的信息。" in page
    assert "&lt;b&gt;everything&lt;/b&gt; &amp; more." in page and "<b>everything" not in page
    assert "h_t sums the past inputs" in page            # the key's cell, for the lecturer
    assert page.count("<section>") == 4
    with open(csv_path, encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert [r["name"] for r in rows] == ["Ada Lovelace", "Grace Hopper", "José Ñúñez", "王小明"]
    assert [(r["points"], r["comment"]) for r in rows] == [
        ("0", "no cell carries this question's metadata"), ("0", "unchanged from the handout"),
        ("", ""), ("", "")]
    assert rows[2]["answer"] == "The state carries <b>everything</b> & more."
    assert rows[2]["student"] == "José_Ñúñez_100" and rows[2]["max_points"] == "3"


def test_export_asks_which_question_when_there_are_several(tmp_path):
    key = F.with_written(key_with_written(), "model", question="second", points=2)
    with pytest.raises(ValueError, match="2 written questions.*name one"):
        manual.export(key, [], str(tmp_path))
    with pytest.raises(ValueError, match="argument 'question'.*'third'"):
        manual.export(key, [], str(tmp_path), "third")
    with pytest.raises(ValueError, match="no written question"):
        manual.export(F._load(F.KEY1), [], str(tmp_path))


def _write(path, text, bom=True):
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))
    return str(path)


def test_marks_are_read_back_as_a_spreadsheet_saves_them(tmp_path):
    key = key_with_written()
    comma = _write(tmp_path / "a.csv", "student,name,lms_id,question,max_points,points,comment,"
                   "answer\nJosé_Ñúñez_100,José Ñúñez,100,explain_state,3,2.5,\"Good, but "
                   "vague\",x\n王小明_101,王小明,101,explain_state,3,,,y\n")
    assert manual.read_marks(comma, key, {"José_Ñúñez_100", "王小明_101"}) == {
        ("José_Ñúñez_100", "explain_state"): manual.Mark(2.5, "Good, but vague"),
        ("王小明_101", "explain_state"): manual.Mark(None, "")}
    semi = _write(tmp_path / "b.csv", "student;question;points;comment\n"
                  "José_Ñúñez_100;explain_state;1,5;ok\n", bom=False)
    assert manual.read_marks(semi, key) == {("José_Ñúñez_100", "explain_state"):
                                            manual.Mark(1.5, "ok")}


@pytest.mark.parametrize("body, match", [
    ("student,question,points\nx,explain_state,4\n", "line 2: points 4 outside 0..3"),
    ("student,question,points\nx,explain_state,-1\n", "outside 0..3"),
    ("student,question,points\nx,explain_state,lots\n", "line 2: points 'lots' is not a number"),
    ("student,question,points\nx,other,1\n", "line 2: unknown question 'other'"),
    ("student,question,points\nnobody,explain_state,1\n", "line 2: unknown student 'nobody'"),
    ("student,points\nx,1\n", r"lacks the column\(s\) \['question'\]"),
])
def test_a_bad_mark_is_refused_naming_its_line(tmp_path, body, match):
    with pytest.raises(ValueError, match=match):
        manual.read_marks(_write(tmp_path / "m.csv", body), key_with_written(), {"x"})

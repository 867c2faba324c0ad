"""Hostile review of the grading workflow (Gradescope runner, written cells, journal, check,
feedback): each test is an attack or a lecturer's step that once gave a wrong result."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile

import lms_fixtures as F
import pytest
from test_gradescope import SEED, container_without_namespaces

from rnngrade import cli, gradescope


@pytest.fixture(scope="module")
def autograder(tmp_path_factory):
    zpath = tmp_path_factory.mktemp("export") / "autograder.zip"
    assert cli.main(["gradescope", str(F.KEY1), "--out", str(zpath)]) == 0
    return zpath


def test_gradescope_a_link_to_the_key_is_not_graded(tmp_path):
    # a student's upload (a zip Gradescope unpacks) holding a symbolic link named
    # 01_forward.ipynb -> /autograder/source/key.ipynb: the grader, as root, read the key's
    # solutions as the student's answers and gave full marks
    source, sub = tmp_path / "source", tmp_path / "submission"
    source.mkdir()
    sub.mkdir()
    (source / "key.ipynb").write_text(F.KEY1.read_text(encoding="utf-8"), encoding="utf-8")
    os.symlink(source / "key.ipynb", sub / "01_forward.ipynb")
    os.symlink(source, sub / "src")
    path, why = gradescope.find_notebook(str(sub), "01_forward")
    assert path is None and "link" in why, (path, why)


def gs_run(zpath, tmp, prepare, env=None):
    """run_autograder as Gradescope runs it; ``prepare(autograder_folder)`` lays out the
    submission (links and all). Returns (results or None, the process)."""
    ag = tmp / "autograder"
    for sub in ("source", "submission", "results"):
        (ag / sub).mkdir(parents=True)
    with zipfile.ZipFile(zpath) as z:
        z.extractall(ag / "source")
        for info in z.infolist():
            os.chmod(ag / "source" / info.filename, info.external_attr >> 16 & 0o777)
    prepare(ag)
    done = subprocess.run(
        ["bash", str(ag / "source" / "run_autograder")], capture_output=True, text=True,
        timeout=600, cwd=ag,
        env={"PATH": os.environ["PATH"], "RNNGRADE_AUTOGRADER": str(ag),
             "RNNGRADE_PYTHON": sys.executable, "RNNGRADE_SEED": str(SEED), **(env or {})})
    results = ag / "results" / "results.json"
    return (json.loads(results.read_text(encoding="utf-8")) if results.exists() else None,
            done)


def test_gradescope_run_with_a_link_to_the_key_scores_nothing(autograder, tmp_path):
    def prepare(ag):
        os.symlink(ag / "source" / "key.ipynb", ag / "submission" / "01_forward.ipynb")
    gs, done = gs_run(autograder, tmp_path, prepare)
    assert done.returncode == 0, done.stderr
    assert gs["score"] == 0, gs["output"]


def test_gradescope_a_file_name_that_is_not_utf8_still_gives_results(autograder, tmp_path):
    # two notebooks of the assignment, neither named 01_forward.ipynb, the first with a name
    # that is not UTF-8: the note "graded <name>" held a lone surrogate, json.dump could not
    # write results.json, and the run ended without one (a failed autograder, no score)
    def prepare(ag):
        sub = os.fsencode(ag / "submission")
        for name in (b"a\xff.ipynb", b"b.ipynb"):
            with open(os.path.join(sub, name), "w", encoding="utf-8") as f:
                json.dump(F.full(), f)
    gs, done = gs_run(autograder, tmp_path, prepare)
    assert done.returncode == 0 and gs is not None, done.stderr[-2000:]
    assert gs["score"] == 12 and "graded a\ufffd.ipynb" in gs["output"], gs["output"]


def test_grade_takes_one_notebook_as_teaching_md_says(tmp_path):
    # teaching.md: "`rnn-grade grade KEY notebook --seed N` reproduces a Gradescope score on
    # your machine"; grade refused a notebook ("expected a folder or a zip") with status 2
    nb = tmp_path / "submission.ipynb"
    F._put(tmp_path, "submission.ipynb", F.half())
    out = tmp_path / "graded"
    assert cli.main(["grade", str(F.KEY1), str(nb), "--out", str(out), "--seed",
                     str(SEED)]) == 0
    (result,) = [json.loads(p.read_text()) for p in (out / "results").glob("*.json")]
    assert result["score"] == 5 and result["extra_data"]["seed"] == SEED


def test_a_hand_mark_on_an_earlier_file_is_flagged_after_a_resubmission(tmp_path):
    # marked by hand, then the student hands in a new notebook (a late resubmission with a new
    # written answer): the rerun regraded the code and silently kept the old mark, as if it
    # were the mark of the new answer
    import csv

    from rnngrade import workflow
    key = tmp_path / "key.ipynb"
    key.write_text(json.dumps(F.with_written(F._load(F.KEY1), F.PROMPT + F.MODEL)),
                   encoding="utf-8")
    src, out = tmp_path / "m", tmp_path / "out"
    sub = "José Ñúñez_123456_assignsubmission_file/01_forward.ipynb"
    F._put(src, sub, F.with_written(F.full(), "Through W, the state sums the inputs."))
    workflow.grade_class(str(key), str(src), str(out), progress=lambda m: None)
    _html, csv_path, _ = workflow.export_written(str(key), str(src), str(out))
    with open(csv_path, encoding="utf-8-sig") as f:
        table = list(csv.DictReader(f))
    table[0]["points"] = "3"
    with open(csv_path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(table[0]))
        w.writeheader()
        w.writerows(table)
    workflow.import_written(str(key), csv_path, str(out))

    def row():
        with open(out / "gradebook.csv", encoding="utf-8") as f:
            return next(r for r in csv.DictReader(f) if r["student"])
    assert row()["written:explain_state"] == "3" and "earlier file" not in row()["reason"]
    F._put(src, sub, F.with_written(F.full(), "I do not know."))
    workflow.grade_class(str(key), str(src), str(out), progress=lambda m: None)
    assert "written answer explain_state marked on an earlier file" in row()["reason"], row()


DAEMON = '''
import os, time, json
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        path = RESULTS
        end = time.time() + 60
        while time.time() < end:
            try:
                data = json.load(open(path))
                if data.get("score") != 12:
                    data["score"] = 12
                    open(path + ".x", "w").write(json.dumps(data))
                    os.replace(path + ".x", path)
                    break
            except Exception:
                pass
            time.sleep(0.005)
    os._exit(0)
'''


def test_gradescope_never_runs_a_students_code_with_the_graders_rights(autograder, tmp_path):
    # no bubblewrap and no drop to nobody (here: root, and this Python under /root, which
    # nobody cannot run; or a container that is not root): the cells ran as the grader's own
    # user, and a daemon the blank notebook started rewrote results.json with full marks
    # after the grader wrote it. Now the runner refuses: no results.json, a failed run.
    def prepare(ag):
        nb = F.blank()
        cell = F.answers(nb)["rnn_step"]
        cell["source"] = DAEMON.replace(
            "RESULTS", repr(str(ag / "results" / "results.json"))) + "".join(cell["source"])
        F._put(ag / "submission", "01_forward.ipynb", nb)
    from rnngrade import sandbox
    lib = sandbox.Lib(str(tmp_path / "probe"), [])
    if os.geteuid() == 0 and sandbox.reachable_by_others(lib):
        pytest.skip("here the grader drops to nobody; the fallback under test is not reached")
    gs, done = gs_run(autograder, tmp_path / "gs", prepare,
                      env={"RNNGRADE_TEST_NO_BWRAP": "1"})
    import time
    time.sleep(2)                             # the daemon's chance to rewrite
    path = tmp_path / "gs" / "autograder" / "results" / "results.json"
    final = json.loads(path.read_text()) if path.exists() else None
    assert final is None or final["score"] == 0, final["score"]
    assert done.returncode != 0 and "refus" in (done.stdout + done.stderr)


def test_a_regrade_the_grader_fails_on_leaves_no_old_results_to_upload(tmp_path, monkeypatch):
    # graded (12/12), then `--only` regrades the student and the grader fails on them: the
    # gradebook says "not graded, grader error", but results/<student>.json and the feedback
    # page of the discarded earlier result stayed, and said 12 / 12
    from rnngrade import assemble, workflow
    src, out = tmp_path / "m", tmp_path / "out"
    sub = "José Ñúñez_123456_assignsubmission_file/01_forward.ipynb"
    F._put(src, sub, F.full())
    F._put(src, "王小明_123457_assignsubmission_file/01_forward.ipynb", F.full())
    assert workflow.grade_class(str(F.KEY1), str(src), str(out), progress=lambda m: None).ok
    student = "José_Ñúñez_123456"
    assert (out / "results" / f"{student}.json").exists()

    def broken(sub):
        raise KeyError("a bug of the grader's own")
    monkeypatch.setattr(assemble, "answers_of", broken)
    summary = workflow.grade_class(str(F.KEY1), str(src), str(out), only=["José Ñúñez"],
                                   progress=lambda m: None)
    assert summary.grader_errors == [student]
    assert not (out / "results" / f"{student}.json").exists()
    page = out / "feedback" / f"{student}.html"
    assert not page.exists() or "Score: 12" not in page.read_text(encoding="utf-8")


def test_only_with_a_new_seed_does_not_say_resumed(tmp_path):
    # `--only X --seed N` printed "grading seed N (resumed)": nothing was resumed with N
    from rnngrade import workflow
    src, out = tmp_path / "m", tmp_path / "out"
    F._put(src, "José Ñúñez_123456_assignsubmission_file/01_forward.ipynb", F.half())
    F._put(src, "王小明_123457_assignsubmission_file/01_forward.ipynb", F.full())
    workflow.grade_class(str(F.KEY1), str(src), str(out), seed=11, progress=lambda m: None)
    said = []
    workflow.grade_class(str(F.KEY1), str(src), str(out), only=["José Ñúñez"], seed=77,
                         progress=said.append)
    line = next(s for s in said if "grading seed" in s)
    assert "resumed" not in line and "77" in line and "11" in line, line


@pytest.mark.skipif(os.geteuid() != 0, reason="Gradescope runs as root; so must this test")
def test_as_nobody_a_left_behind_process_cannot_rewrite_the_results(autograder, tmp_path):
    # Gradescope's container without user namespaces: the cells run as an unprivileged user.
    # A process they leave behind (setsid: out of the runner's process group, so not killed
    # with it) waited for results.json and rewrote it with full marks wherever the results
    # folder let it (Gradescope's harness makes that folder; its mode is not ours to assume)
    import time

    def daemon(ag):
        nb = F.blank()
        cell = F.answers(nb)["rnn_step"]
        cell["source"] = DAEMON.replace(
            "RESULTS", repr(str(ag / "results" / "results.json"))) + "".join(cell["source"])
        return nb
    with container_without_namespaces(autograder, daemon, results_mode=0o777) as (ag, run):
        run()
        time.sleep(2)                                   # the daemon's chance
        gs = json.loads((ag / "results" / "results.json").read_text())
        assert "ran as an unprivileged user of its own" in gs["output"], gs["output"]
        assert gs["score"] == 0


@pytest.mark.skipif(os.geteuid() != 0, reason="dropping to another uid needs root")
def test_gradescope_cleanup_kills_only_its_own_uid():
    # The runner kills whatever the student's code left behind by killing every process of
    # the uid it ran as. That uid is drawn fresh (no process has it), so graders' sandboxes
    # running as nobody on the same machine (rnn-grade grade as root) live on.
    bystander = subprocess.Popen(["setpriv", "--reuid=65534", "--regid=65534",
                                  "--clear-groups", "sleep", "60"])
    try:
        uid = gradescope._fresh_uid()
        assert uid in gradescope.STUDENT_UIDS and uid != 65534
        gradescope._kill_user(uid)
        assert bystander.poll() is None, "a process of another user was killed"
    finally:
        bystander.kill()
        bystander.wait()

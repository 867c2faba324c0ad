"""`rnn-grade gradescope KEY --out autograder.zip`, run as Gradescope runs it: the zip unpacked
into <tmp>/autograder/source, one submission in <tmp>/autograder/submission, `run_autograder`
executed (the folder given by RNNGRADE_AUTOGRADER, since a test cannot write /autograder), and
its results.json compared with what `rnn-grade grade` gives the same notebook with the same
seed: the same score and the same tests. Then the same without bubblewrap (as in a Docker
container that forbids user namespaces), and submissions with no usable notebook."""
from __future__ import annotations

import contextlib

import json
import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import lms_fixtures as F
import pytest

from rnngrade import cli

SEED = 1234


@pytest.fixture(scope="module")
def autograder(tmp_path_factory):
    zpath = tmp_path_factory.mktemp("export") / "autograder.zip"
    assert cli.main(["gradescope", str(F.KEY1), "--out", str(zpath)]) == 0
    return zpath


def run_autograder(zpath, tmp, files: dict, env=None):
    ag = tmp / "autograder"
    for sub in ("source", "submission", "results"):
        (ag / sub).mkdir(parents=True)
    with zipfile.ZipFile(zpath) as z:
        z.extractall(ag / "source")
        for info in z.infolist():                   # Gradescope keeps the modes
            os.chmod(ag / "source" / info.filename, info.external_attr >> 16 & 0o777)
    for name, nb in files.items():
        F._put(ag / "submission", name, nb)
    done = subprocess.run(
        ["bash", str(ag / "source" / "run_autograder")], capture_output=True, text=True,
        timeout=600, cwd=ag,
        env={"PATH": os.environ["PATH"], "RNNGRADE_AUTOGRADER": str(ag),
             "RNNGRADE_PYTHON": sys.executable, "RNNGRADE_SEED": str(SEED), **(env or {})})
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads((ag / "results" / "results.json").read_text(encoding="utf-8")), done


def graded_locally(tmp, nb):
    src = tmp / "class"
    F._put(src, "student.ipynb", nb)
    out = tmp / "graded"
    assert cli.main(["grade", str(F.KEY1), str(src), "--out", str(out), "--seed",
                     str(SEED)]) == 0
    (result,) = [json.loads(p.read_text()) for p in (out / "results").glob("*.json")]
    (journal,) = [json.loads(p.read_text()) for p in (out / "journal").glob("[!_]*.json")]
    return result, journal


def test_the_zip_holds_what_gradescope_runs(autograder):
    with zipfile.ZipFile(autograder) as z:
        names = set(z.namelist())
        modes = {i.filename: i.external_attr >> 16 for i in z.infolist()}
        config = json.loads(z.read("config.json"))
        setup = z.read("setup.sh").decode()
    assert {"setup.sh", "run_autograder", "key.ipynb", "requirements.txt", "config.json",
            "rnngrade/grading.py", "rnngrade/allowed.py", "rnngrade/kernel.py",
            "rnngrade/gradescope.py"} <= names
    assert modes["run_autograder"] & stat.S_IXUSR and modes["setup.sh"] & stat.S_IXUSR
    assert config == {"assignment": "01_forward", "seed": None, "max_score": 12}
    assert "bubblewrap" in setup and "chmod 0700 /autograder/source" in setup
    assert not any(n.startswith(("rnnlib/", "assignments/")) for n in names)


@pytest.mark.parametrize("who", ["full", "half"])
def test_results_json_is_what_rnn_grade_grade_gives(autograder, tmp_path, who):
    nb = getattr(F, who)()
    gs, done = run_autograder(autograder, tmp_path / "gs", {"01_forward.ipynb": nb})
    local, journal = graded_locally(tmp_path / "local", nb)
    assert gs["score"] == local["score"] == {"full": 12, "half": 5}[who]
    assert gs["tests"] == local["tests"]
    assert gs["extra_data"]["seed"] == SEED and f"grading seed: {SEED}" in gs["output"]
    assert "isolation: bubblewrap sandbox" in gs["output"]
    assert gs["stdout_visibility"] == "hidden"
    expected = {r["check"]: r["expected"] for r in journal["result"]["results"]}
    for test in gs["tests"]:
        answer, check = test["name"].split(": ")
        assert test["tags"] == [answer]
        hidden = test["visibility"] == "after_published"
        assert test["visibility"] in ("visible", "after_published")
        if hidden:               # never a hidden check's expected output (or inputs)
            assert expected[check].strip() not in test["output"]
            assert test["output"].startswith("hidden check: ")
    assert any(t["visibility"] == "after_published" for t in gs["tests"])
    if who == "half":
        failed = [t for t in gs["tests"] if t["score"] < t["max_score"]]
        assert failed and all("not answered yet" in t["output"] for t in failed)
    assert str(SEED) in done.stdout and expected["forward_values"] not in done.stdout


def test_without_bubblewrap_the_score_is_the_same_and_the_results_say_so(autograder, tmp_path):
    # (where the grader cannot drop to nobody it refuses unless told the code is trusted:
    # tests/test_review_workflow.py)
    gs, _ = run_autograder(autograder, tmp_path, {"notebook.ipynb": F.half()},
                           env={"RNNGRADE_TEST_NO_BWRAP": "1", "RNNGRADE_UNSAFE_NO_SANDBOX": "1"})
    assert gs["score"] == 5
    assert "isolation: " in gs["output"] and "bubblewrap sandbox" not in gs["output"]
    assert gs["extra_data"]["isolation"].startswith("isolation: ")


def test_a_submission_without_a_usable_notebook(autograder, tmp_path):
    gs, _ = run_autograder(autograder, tmp_path / "a", {"rnn.py": "print(1)\n"})
    assert gs["score"] == 0 and "no notebook (.ipynb) in the submission" in gs["output"]
    gs, _ = run_autograder(autograder, tmp_path / "b",
                           {"02_softmax.ipynb": F.other_assignment()})
    assert gs["score"] == 0 and "no notebook of assignment '01_forward'" in gs["output"]
    # two notebooks of the assignment: the one named after it is graded, and it says so
    gs, _ = run_autograder(autograder, tmp_path / "c",
                           {"draft.ipynb": F.blank(), "01_forward.ipynb": F.full()})
    assert gs["score"] == 12 and "graded 01_forward.ipynb" in gs["output"]


def test_without_bubblewrap_as_root_the_cells_run_as_nobody(tmp_path):
    # Gradescope's container: root, no user namespaces. The runner is started through setpriv
    # as nobody, without capabilities or new privileges (here, where this Python lives under
    # /root, which nobody cannot enter, the grader notices and keeps its own user instead)
    from rnngrade import sandbox
    lib = sandbox.Lib(str(tmp_path / "lib"), [])
    argv = sandbox.command(lib, sandbox.Limits(sandbox=False, run_as=65534))
    if os.geteuid() == 0:
        assert argv[:6] == ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                            "--inh-caps=-all", "--no-new-privs"]
    assert argv[-5:-2] == [lib.paths["exe"], "-I", "-S"]
    assert sandbox.reachable_by_others(lib) == all(
        os.stat(p).st_mode & 0o001 for p in _parents(lib.paths["exe"]))


def _parents(path):
    path = os.path.dirname(os.path.realpath(path))
    while path not in ("/", ""):
        yield path
        path = os.path.dirname(path)


SPY = '''
import os
def _tries():
    found = []
    try:
        open(os.environ.get("KEYPATH_HINT", "") or KEY_PATH).read()
        found.append("read the key")
    except Exception:
        pass
    try:
        open(RESULTS_PATH, "w").write("{}")
        found.append("wrote the results")
    except Exception:
        pass
    if os.getuid() < 1_000_000_000:                 # gradescope.STUDENT_UIDS
        found.append(f"ran as uid {os.getuid()}")
    return found
if _tries():
    raise SystemExit("isolation broken: " + ", ".join(_tries()))
'''


def _blocked(path: str) -> str | None:
    """The highest folder above ``path`` that others may not pass through, or None."""
    parts = Path(path).parts
    for i in range(2, len(parts)):
        folder = str(Path(*parts[:i]))
        if not os.stat(folder).st_mode & 0o001:
            return folder
    return None


def _expose(wanted: list[str], base: Path) -> str:
    """Shell mounts (for a private mount namespace) that let an unprivileged user reach each
    folder of ``wanted``: each closed folder above them (this Python under /root, a clone in a
    0700 temporary folder) is covered by an empty 0755 tmpfs with only the wanted folders
    bound back in."""
    script, closed = "", {}
    for want in wanted:
        top = _blocked(want)
        if top is not None:
            closed.setdefault(top, []).append(want)
    for n, (top, wants) in enumerate(sorted(closed.items())):
        view = base / f"view{n}"                    # removed with base
        view.mkdir(mode=0o700)
        script += f"mount --bind {top} {view} && mount -t tmpfs -o mode=0755 tmpfs {top} && "
        for want in wants:
            script += f"mkdir -p {want} && mount --bind {view}{want[len(top):]} {want} && "
    return script


@contextlib.contextmanager
def container_without_namespaces(autograder, notebook_of, results_mode=0o755):
    """Gradescope's container without user namespaces (root, no bubblewrap), laid out in a
    temporary folder; yields ``(ag, run)``: ``notebook_of(ag)`` is the submission, ``run()``
    runs ``run_autograder``. This Python lives under /root (0700) and the repository's venv
    may sit in a 0700 temporary folder, which an unprivileged user cannot enter, so ``run``
    works in a mount namespace where such folders are 0755 tmpfs holding only what it needs."""
    import shutil
    import tempfile
    base = tempfile.mkdtemp(prefix="rg-gs-")          # a folder others may traverse
    os.chmod(base, 0o755)
    try:
        ag = Path(base) / "autograder"
        for sub in ("source", "submission", "results"):
            (ag / sub).mkdir(parents=True)
            os.chmod(ag / sub, 0o755)
        os.chmod(ag / "results", results_mode)
        with zipfile.ZipFile(autograder) as z:
            z.extractall(ag / "source")
        os.chmod(ag / "source" / "run_autograder", 0o755)
        F._put(ag / "submission", "01_forward.ipynb", notebook_of(ag))
        script = _expose([os.path.realpath(sys.executable).split("/versions/")[0],
                          os.path.realpath(sys.prefix)], Path(base))
        script += f"bash {ag}/source/run_autograder"

        def run():
            done = subprocess.run(
                ["unshare", "--mount", "--propagation", "private", "sh", "-c", script],
                capture_output=True, text=True, timeout=600,
                env={"PATH": os.environ["PATH"], "RNNGRADE_AUTOGRADER": str(ag),
                     "RNNGRADE_PYTHON": sys.executable, "RNNGRADE_SEED": str(SEED),
                     "RNNGRADE_TEST_NO_BWRAP": "1"})
            assert done.returncode == 0, done.stdout + done.stderr
            return json.loads((ag / "results" / "results.json").read_text())
        yield ag, run
    finally:
        shutil.rmtree(base, ignore_errors=True)


@pytest.mark.skipif(os.geteuid() != 0, reason="Gradescope runs as root; so must this test")
def test_as_nobody_the_code_cannot_read_the_key_or_write_the_results(autograder, tmp_path):
    def spy(ag):
        nb = F.full()
        step = F.answers(nb)["rnn_step"]
        step["source"] = (SPY.replace("KEY_PATH", repr(str(ag / "source" / "key.ipynb")))
                          .replace("RESULTS_PATH", repr(str(ag / "results" / "results.json")))
                          + "".join(step["source"]))
        return nb
    with container_without_namespaces(autograder, spy) as (ag, run):
        gs = run()
        assert "ran as an unprivileged user of its own" in gs["output"], gs["output"]
        assert gs["score"] == 12, [t["output"] for t in gs["tests"] if t["score"] == 0]
        assert stat.S_IMODE(os.stat(ag / "source").st_mode) == 0o700

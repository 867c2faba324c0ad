"""rnn-grade end to end: real sandboxes (bubblewrap), the red-team suite, resume, self-check.

One grading run of assignment 1 grades a batch with one student per attack and per
correct-but-unusual answer (each asserted in its own test), beside an honest key, a blank and
a partly right answer; then each other key is graded with its released blank and a few
answers that are wrong in one part, in one grading run per key. The blanks are the released
notebooks in the repository; test_grading_units checks that they are what `rnn-grade
release` makes of the keys, and the batch releases key 1 afresh. Nothing here is skipped:
the sandbox needs bubblewrap and user namespaces, which this project's machines have.
"""
from __future__ import annotations

import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
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


# ---------------------------------------------------------------- the red-team suite
#
# Each attack is the first lines of an answer cell, graded with the screen switched off
# (RNNGRADE_TEST_NO_SCREEN=1): the screen is assumed beaten. An attack that tries to *gain*
# replaces the answer (it must earn nothing a plain wrong answer would not); an attack that
# tries to *harm* is followed by the key's answer (the student keeps what they wrote, and
# nobody else loses anything).

REACH = {                       # try to get a working rnn_step without writing one
"a_imports": """
import importlib, pkgutil, sys
found = None
for name in ("rnnlib.core.forward", "rnnlib.core", "rnnlib.training", "rnnlib.core.reference",
             "rnngrade.grading", "rnngrade.references", "rnngrade.allowed", "nbval", "IPython"):
    try:
        found = importlib.import_module(name)
        break
    except Exception:
        pass
import rnnlib
forward = getattr(rnnlib, "forward", None) or getattr(found, "forward", None)
for m in pkgutil.iter_modules():
    if "rnn" in m.name and m.name not in ("rnnlib", "rnngrade"):
        forward = forward or getattr(importlib.import_module(m.name), "forward", None)
if forward is not None:
    def rnn_step(params, x, h_prev):
        r = forward(params, x[None], h0=h_prev)
        return r.h[0], r.o[0]
""",
"a_memory": """
import gc, sys, builtins
cands = []
for o in gc.get_objects():
    if callable(o) and getattr(o, "__name__", "") in ("rnn_step", "forward", "step") and \
            "<cell" not in getattr(getattr(o, "__code__", None), "co_filename", "<cell"):
        cands.append(o)
f = sys._getframe()
while f is not None:
    for v in list(f.f_locals.values()) + list(f.f_globals.values()):
        if isinstance(v, dict) and ("expected" in v or "outputs" in v):
            cands.append(v)
    f = f.f_back
for m in list(sys.modules.values()):
    if getattr(m, "forward", None) is not None:
        cands.append(m.forward)
cands += [v for k, v in vars(builtins).items() if "rnn" in k]
funcs = [c for c in cands if callable(c)]
if funcs:
    rnn_step = funcs[0]
""",
"a_files": """
import os, pathlib, numpy as np
source = None
for root, dirs, files in os.walk("/"):
    if root.startswith(("/proc", "/sys", "/dev", "/usr/share", "/usr/lib/x86_64-linux-gnu")):
        dirs[:] = []
        continue
    for name in files:
        if name.endswith((".ipynb", ".py")) and "numpy" not in root:
            path = os.path.join(root, name)
            try:
                text = pathlib.Path(path).read_text()
            except Exception:
                try:
                    text = np.fromfile(path, dtype=np.uint8).tobytes().decode()
                except Exception:
                    continue
            if "def rnn_step" in text and "BEGIN SOLUTION" in text:
                source = text
for pid in os.listdir("/proc"):
    if pid.isdigit():
        try:
            os.listdir(f"/proc/{pid}/root/work/main")
            source = source or "found the repository"
        except Exception:
            pass
if source:
    exec(source)
""",
}
PATCH = """
import builtins, sys, numpy as np
builtins.print = lambda *a, **k: None
sys.stdout = None
np.set_printoptions(precision=1, suppress=True)
np.array2string = lambda *a, **k: "patched"
np.asarray = lambda *a, **k: np.zeros(3)
sys.displayhook = lambda v: None
class Fake:
    def __init__(self, n):
        self.n = n
    def __array__(self, dtype=None, copy=None):
        return np.zeros(self.n)
    def __repr__(self):
        return "[-0.390195 -0.803503 -0.218973 -0.235985]"
    __str__ = __repr__
def rnn_step(params, x, h_prev):
    lead = np.shape(x)[:-1]
    return np.zeros(lead + (params["W"].shape[0],)), np.zeros(lead + (params["V"].shape[0],))
"""
ZEROS = """
def rnn_step(params, x, h_prev):
    lead = np.shape(x)[:-1]
    return np.zeros(lead + (params["W"].shape[0],)), np.zeros(lead + (params["V"].shape[0],))
"""
HARM = {                       # then the key's own rnn_step: nobody may lose anything
"h_signals": """
import os, signal
for pid in range(1, 4000):
    if pid != os.getpid():
        try:
            os.kill(pid, signal.SIGKILL)
        except Exception:
            pass
try:
    os.kill(-1, signal.SIGKILL)
    os.kill(os.getppid(), signal.SIGKILL)
except Exception:
    pass
""",
"h_forks": """
import os, time
children = 0
for i in range(2000):
    try:
        pid = os.fork()
    except OSError:
        break
    if pid == 0:
        time.sleep(600)
        os._exit(0)
    children += 1
""",
"h_fills_disk": """
import os
for folder in ("/work", "/tmp", "/dev/shm", "."):
    for i in range(64):
        try:
            with open(os.path.join(folder, f"fill{i}"), "wb") as f:
                f.write(b"x" * (32 << 20))
        except Exception:
            break
""",
"h_prints_a_gigabyte": """
for _ in range(4):
    print("x" * (256 << 20))
""",
"h_writes_files": """
import os, glob
targets = ["/rg/lib/rgkernel.py", "/rg/lib/rnngrade/__init__.py", "/rg/site/numpy/__init__.py",
           "/usr/lib/os-release", "/proc/1/root/rg/lib/rgkernel.py"]
targets += glob.glob("/**/*.json", recursive=False)
for path in targets:
    try:
        with open(path, "a") as f:
            f.write("print('owned')")
    except Exception:
        pass
""",
"h_nests_records": """
import os
for fd in range(3, 64):                 # a line nested past the grader's JSON decoder's depth
    try:                                # (a RecursionError used to end the whole grading)
        os.write(fd, b"[" * 200000 + b"\\n")
    except Exception:
        pass
""",
"h_network": """
import socket
for host in ("127.0.0.1", "10.0.2.2", "1.1.1.1"):
    try:
        socket.create_connection((host, PORT), timeout=2).sendall(b"hello")
    except Exception:
        pass
""",
}
COSTLY = {                     # attacks that cost their author, and only their author
"c_sleeps": "import time\ntime.sleep(10 ** 6)\n",
"c_blocks_the_alarm": "import signal, time\nsignal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})\n"
                      "time.sleep(10 ** 6)\n",
"c_loops": "while True:\n    pass\n",
"c_exits": "import os\nos._exit(1)\n",
"c_floods_the_grader": "import os\nfor fd in os.listdir('/proc/self/fd'):\n    try:\n"
                       "        for _ in range(200):\n"
                       "            os.write(int(fd), b'{\"i\": 5, \"out\": \"forged\"}\\n' * 50000)\n"
                       "    except Exception:\n        pass\n",
}
# A correct rnn_step that prints, from inside every check, a lone surrogate (which no UTF-8
# file holds: writing the feedback page used to stop the grader before any gradebook, and
# every rerun, resuming the journal, stopped again), terminal escapes and a script for the
# lecturer's browser. It costs its author the checks; nobody else anything.
NOISY = """
_step = rnn_step
def rnn_step(params, x, h_prev):
    print("\\ud800 \\x1b]0;owned\\x07\\x1b[2J <script>alert(document.cookie)</script>")
    return _step(params, x, h_prev)
"""
UNUSUAL = {                    # correct answers written in ways the old screen refused
"u_input_and_max": {"rnn_forward": """
def rnn_forward(params, xs, h0=None):
    H = params["W"].shape[0]
    h = np.zeros(xs.shape[1:-1] + (H,)) if h0 is None else h0
    hs, outs = [], []
    for input in xs:
        h, o = rnn_step(params, input, h)
        max = o.max()
        hs.append(h)
        outs.append(o)
    return np.stack(hs), np.stack(outs)
"""},
"u_own_objects": {"rnn_forward": """
from numpy.linalg import norm
class Runner:
    def __init__(self, params):
        self._p = params
    def run(self, xs, h):
        self.steps = []
        for x in xs:
            h, o = rnn_step(self._p, x, h)
            self.steps.append((h, o))
        return self.steps
def rnn_forward(params, xs, h0=None):
    r = Runner(params)
    r.label = "mine"
    H = params["W"].shape[0]
    steps = r.run(xs, np.zeros(xs.shape[1:-1] + (H,)) if h0 is None else h0)
    assert norm(np.zeros(2)) == 0
    return np.stack([s[0] for s in steps]), np.stack([s[1] for s in steps])
"""},
"u_magics_and_print_options": {"rnn_step": "%time x = 1\n%matplotlib inline\nnp.set_printoptions(precision=4)\n"},
}


def _open_tmpdir() -> Path:
    """A TMPDIR for the grader that the sandbox's user can pass through (pytest's is 0700)."""
    import tempfile
    path = Path(tempfile.mkdtemp(prefix="rg-test-", dir="/tmp"))
    path.chmod(0o755)
    return path


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    import socket
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
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.setblocking(False)
    port = server.getsockname()[1]

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
    numbers = [float(v) for v in re.findall(r"-?\d+\.\d+(?:e-?\d+)?", public["step_values"])]
    put("hardcodes", _variant(blank, rnn_step=(
        f"def rnn_step(params, x, h_prev):\n    v = np.array({numbers!r})\n"
        f"    return v[:2], v[2:]")))
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
    put("memory", _variant(blank, rnn_step=step,
                           rnn_forward="big = np.ones((60000, 60000))\n" + forward))
    for name, attack in REACH.items():
        put(name, _variant(blank, rnn_step=attack, rnn_forward=forward))
    put("a_patches", _variant(blank, rnn_step=PATCH, rnn_forward=forward))
    put("zeros", _variant(blank, rnn_step=ZEROS, rnn_forward=forward))
    for name, attack in HARM.items():
        put(name, _variant(blank, rnn_step=attack.replace("PORT", str(port)) + step,
                           rnn_forward=forward))
    for name, attack in COSTLY.items():
        put(name, _variant(blank, rnn_step=attack + step, rnn_forward=forward))
    put("c_unprintable_output", _variant(blank, rnn_step=step + NOISY, rnn_forward=forward))
    put("run", _variant(blank, rnn_step=step))          # its journal file is not the run's
    for name, answers in UNUSUAL.items():
        sources = {"rnn_step": step, "rnn_forward": forward}
        for part, src in answers.items():
            sources[part] = src if src.lstrip().startswith(("def", "from")) else src + step
        put(name, _variant(blank, **sources))
    big = _variant(key)                               # a correct notebook of 25 MB (plots)
    big.cells[-1] = nbformat.v4.new_code_cell("1", outputs=[nbformat.v4.new_output(
        "display_data", data={"image/png": "iVBOR" + "A" * (25 << 20)})])
    put("u_big_notebook", big)
    (subs / "notjson.ipynb").write_text("this is not a notebook {")
    (subs / "bigint.ipynb").write_text('{"cells": [], "n": ' + "9" * 5000 + "}")
    out = tmp / "out"
    private_tmp = _open_tmpdir()
    env = dict(os.environ, RNNGRADE_TEST_NO_SCREEN="1", TMPDIR=str(private_tmp))
    t0 = time.monotonic()
    # 5 s per cell; 8 CPU seconds per notebook (the wall-clock limit is then 26 s)
    try:
        proc = subprocess.run([sys.executable, "-m", "rnngrade.cli", "grade",
                               str(KEYS["01_forward"]), str(subs), "--out", str(out),
                               "--timeout", "5", "--memory", "1500", "--cpu", "8"],
                              capture_output=True, text=True, timeout=900, cwd=tmp, env=env)
        left_behind = list(private_tmp.iterdir())
    finally:
        shutil.rmtree(private_tmp, ignore_errors=True)
    seconds = time.monotonic() - t0
    connections = 0
    try:
        while True:
            server.accept()
            connections += 1
    except BlockingIOError:
        pass
    server.close()
    assert (out / "gradebook.csv").exists(), proc.stdout[-3000:] + proc.stderr[-3000:]
    with open(out / "gradebook.csv", encoding="utf-8") as f:
        table = list(csv.DictReader(f))
    rows = {r["student"]: r for r in table if r["student"]}
    not_graded = [r for r in table if not r["student"]]
    return {"proc": proc, "rows": rows, "not_graded": not_graded, "out": out,
            "released": released, "subs": subs, "connections": connections,
            "left_behind": left_behind, "seconds": seconds}


def _score(batch, student):
    return float(batch["rows"][student]["score"])


def test_grading_exits_1_for_the_unreadable_file_shows_progress_and_writes_every_report(batch):
    proc = batch["proc"]
    assert proc.returncode == 1, proc.stderr[-3000:]       # notjson.ipynb and bigint.ipynb
    assert "2 file(s) could not be read" in proc.stderr
    n = len(batch["rows"])
    assert proc.stdout.count("  graded ") == n
    assert f"graded {n} submissions" in proc.stdout
    for student in batch["rows"]:
        assert (batch["out"] / "feedback" / f"{student}.html").exists()
        result = json.loads((batch["out"] / "results" / f"{student}.json").read_text())
        assert result["score"] == _score(batch, student)
        assert (batch["out"] / "journal" / f"{student}.json").exists()


def test_gradebook_columns(batch):
    row = batch["rows"]["key"]
    assert list(row)[:3] == ["student", "score", "max_score"]
    assert list(row)[3:10] == ["name", "lms_id", "raw_score", "penalty", "submitted", "late",
                               "reason"]
    assert list(row)[10:] == ["step_shapes", "step_values", "step_batch_values", "step_hidden",
                              "forward_shapes", "forward_values", "forward_batch_values",
                              "forward_batch_hidden", "forward_zero_state", "sandbox"]
    assert {r["sandbox"] for r in batch["rows"].values()} == {"bubblewrap"}


def test_key_scores_full_marks(batch):
    assert _score(batch, "key") == FULL_1 == float(batch["rows"]["key"]["max_score"])


def test_released_blank_scores_zero(batch):
    assert _score(batch, "blank") == 0


def test_partly_right_gets_exactly_its_parts(batch):
    assert _score(batch, "partial") == STEP_POINTS + FORWARD_SHAPES


def test_answer_that_calls_rnnlib_earns_nothing_for_that_part(batch):
    assert _score(batch, "delegates") == STEP_POINTS
    page = (batch["out"] / "feedback" / "delegates.html").read_text()
    assert "rnnlib function this assignment asks you to write" in page


def test_hard_coded_public_answers_fail_under_the_grading_seed(batch):
    assert _score(batch, "hardcodes") == 0


def test_tampering_with_check_cells_and_outputs_gains_nothing(batch):
    assert _score(batch, "tampers_checks") == 0


def test_exhausting_memory_costs_only_that_part(batch):
    assert _score(batch, "memory") == STEP_POINTS


def test_a_file_that_is_not_json_is_not_graded_and_says_why(batch):
    assert "notjson" not in batch["rows"] and "bigint" not in batch["rows"]
    reasons = {r["name"]: r["reason"] for r in batch["not_graded"]}
    assert reasons["notjson"] == ("notjson.ipynb: unreadable: not a notebook (invalid JSON: "
                                  "Expecting value, line 1)")
    # an integer of 5000 digits: json raised a ValueError that used to stop the whole grading
    assert reasons["bigint"].startswith("bigint.ipynb: unreadable")


def test_hidden_expected_outputs_never_reach_feedback(batch):
    page = (batch["out"] / "feedback" / "blank.html").read_text()
    assert "hidden" in page and "step_hidden" in page
    assert page.count("expected vs got") == 6          # the six public checks only


@pytest.mark.parametrize("name", sorted(REACH))
def test_reaching_for_a_reference_gains_nothing(batch, name):
    assert _score(batch, name) == 0


def test_patching_print_streams_numpy_and_repr_gains_nothing(batch):
    # the checks reset what the answer patched: exactly what zeros of the right shapes earn
    assert _score(batch, "a_patches") == _score(batch, "zeros") == 2


@pytest.mark.parametrize("name", sorted(HARM))
def test_attacks_on_the_grader_harm_no_one(batch, name):
    assert _score(batch, name) == FULL_1, batch["rows"][name]


def test_nothing_reached_the_network(batch):
    assert batch["connections"] == 0


@pytest.mark.parametrize("name", sorted(COSTLY))
def test_a_hang_kill_or_flood_costs_only_its_author(batch, name):
    assert _score(batch, name) == 0
    assert _score(batch, "key") == FULL_1


def test_unprintable_output_costs_only_its_author_and_reaches_no_page_raw(batch):
    assert _score(batch, "c_unprintable_output") == 0
    assert _score(batch, "key") == FULL_1
    page = (batch["out"] / "feedback" / "c_unprintable_output.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert" in page and "<script>" not in page
    assert "\x1b" not in page and "\x07" not in page and "\ufffd" in page
    assert _score(batch, "run") == STEP_POINTS
    assert json.loads((batch["out"] / "journal" / "_run.json").read_text())["seed"]


@pytest.mark.parametrize("name", sorted(UNUSUAL) + ["u_big_notebook"])
def test_correct_but_unusual_answers_score_full_marks(batch, name):
    assert _score(batch, name) == FULL_1, batch["rows"][name]


def test_the_grader_leaves_no_temporary_file_and_stays_fast(batch):
    assert batch["left_behind"] == []
    # the two sleepers hold a worker for 5 s and 26 s; everything else is quick
    assert batch["seconds"] < 300


def test_with_the_screen_on_every_attack_gets_a_warning():
    from rnngrade import screen
    for name, source in {**REACH, **HARM, **COSTLY, "a_patches": PATCH}.items():
        assert screen.problems(source, set()), name


def test_an_answer_the_screen_cannot_parse_costs_only_its_author(tmp_path, monkeypatch):
    # The screen parses answers in the grader (outside any sandbox), with the screen on as
    # in every real run: Python's parser raised RecursionError or MemoryError on these, which
    # stopped the whole grading before any gradebook. And whatever else the grader might
    # fail on in one submission ("poison", a failure made here) costs that submission only.
    from rnngrade import assemble
    blank = nbformat.read(RELEASED / "01_forward.ipynb", as_version=4)
    poison = _variant(blank)
    poison.metadata["poison"] = True
    answers_of = assemble.answers_of

    def failing(sub):
        if sub.get("metadata", {}).get("poison"):
            raise RuntimeError("a grader bug")
        return answers_of(sub)
    monkeypatch.setattr(assemble, "answers_of", failing)
    results = _grade_key_and_blank(
        "01_forward", tmp_path, poison=poison,
        deep=_variant(blank, rnn_step="x = 1" + " + 1" * 40000),           # RecursionError
        minus=_variant(blank, rnn_step="x = " + "-" * 100000 + "1"),       # MemoryError
        long=_variant(blank, rnn_step="x = 1\n" + "# pad\n" * 40000))     # 240 kB
    assert results["key"].score == FULL_1
    for student in ("deep", "minus", "long"):
        assert results[student].score == 0
        assert any("not screened" in w for w in results[student].warnings["rnn_step"]), (
            results[student].warnings)
    assert results["poison"].error.startswith(      # no score (not a 0): a grader error
        "the grader failed on this submission (RuntimeError: a grader bug)")
    assert not (tmp_path / "out" / "journal" / "poison.json").exists()   # a rerun retries it
    assert (tmp_path / "out" / "journal" / "deep.json").exists()


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


# Assignments 4 (the LSTM) and 6 (the GRU): a student of each simulated class
# (assignments/NN_name/simulated_class.py) who calls rnnlib's gated cell for the step forward,
# and one whose gradient check returns zeros, graded beside the key and the blank.
GATED = ("04_lstm", "06_gru")
GATED_STUDENTS = ("calls_rnnlib", "zero_gradient_check")


def _simulated_students(name, wanted):
    """{student: answers} of ``name``'s simulated class, the key's answers edited as it says."""
    import importlib.util
    path = ROOT / "assignments" / name / "simulated_class.py"
    spec = importlib.util.spec_from_file_location(f"simulated_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    key = {n: c.source for n, c in _answers(nbformat.read(KEYS[name], as_version=4)).items()}
    out = {}
    for student in wanted:
        answers = dict(key)
        for answer, new in module.STUDENTS[student]["answers"].items():
            if isinstance(new, str):
                answers[answer] = new
                continue
            for old, replacement in new:
                assert old in answers[answer], (name, student, old)
                answers[answer] = answers[answer].replace(old, replacement)
        out[student] = (answers, module.STUDENTS[student]["lost"])
    return out


@pytest.fixture(scope="module")
def gated(tmp_path_factory):
    runs = {}
    for name in GATED:
        blank = nbformat.read(RELEASED / f"{name}.ipynb", as_version=4)
        students = _simulated_students(name, GATED_STUDENTS)
        results = _grade_key_and_blank(
            name, tmp_path_factory.mktemp(f"grade_{name}"),
            **{s: _variant(blank, **answers) for s, (answers, _) in students.items()})
        runs[name] = (results, {s: lost for s, (_, lost) in students.items()})
    return runs


# Every assignment's one-bug students (and its hostile ones) are in its simulated class,
# assignments/*/simulated_class.py, graded by tests/test_simulated_classes.py with the key at
# full marks and the blank at 0; here the gated keys, graded once for the tests below too.

@pytest.mark.parametrize("name", GATED)
def test_each_gated_key_full_marks_its_blank_zero_and_one_bug_its_own_points(name, gated):
    results, wrong = gated[name]
    assert results["key"].score == results["key"].max_score > 0, [
        (r.check.name, r.why) for r in results["key"].results if not r.passed]
    assert results["blank"].score == 0
    assert all(r.why == "not answered yet (NotImplementedError)"
               for r in results["blank"].results), [r.why for r in results["blank"].results]
    for student, lost in wrong.items():
        assert results[student].score == results["key"].score - lost, [
            (r.check.name, r.passed) for r in results[student].results]


@pytest.mark.parametrize("name", GATED)
def test_gated_step_that_calls_rnnlib_earns_nothing_for_it(gated, name):
    results, _ = gated[name]
    result = results["calls_rnnlib"]
    step = f"{name.split('_')[1]}_step_forward"
    assert sum(r.earned for r in result.results if r.check.answer == step) == 0
    assert "uses rnnlib.forward, which this assignment asks you to write" in " ".join(
        result.advice())
    assert "rnnlib function this assignment asks you to write" in " ".join(
        r.why for r in result.results if r.check.answer == step)
    # the backward parts are checked on caches the checks draw, not on the step forward's:
    # they keep their points, as does the gradient check
    keeps = {r.check.answer for r in result.results if r.earned}
    assert {f"{name.split('_')[1]}_step_backward", f"{name.split('_')[1]}_backward"} <= keeps


@pytest.mark.parametrize("name", GATED)
def test_gated_gradient_check_that_returns_zeros_earns_nothing(gated, name):
    results, lost = gated[name]
    check = "relative_errors" if name == "04_lstm" else "directional_check"
    result = results["zero_gradient_check"]
    assert sum(r.earned for r in result.results if r.check.answer == check) == 0
    assert result.score == results["key"].score - lost["zero_gradient_check"] == (
        results["key"].score - 5)


# ---------------------------------------------------------------- the self-check

def test_self_check_runs_fresh_against_the_pristine_checks(tmp_path):
    blank = nbformat.read(RELEASED / "01_forward.ipynb", as_version=4)
    key = nbformat.read(KEYS["01_forward"], as_version=4)
    _answers(blank)["rnn_step"].source = "import os\n" + _answers(key)["rnn_step"].source
    # after Run All and save a wrong rnn_forward's outputs are stored; and a check edited
    _answers(blank)["rnn_forward"].source = (
        "def rnn_forward(params, xs, h0=None):\n    return np.zeros(1), np.zeros(1)\n")
    checks = {cells.check_of(c).name: c for c in blank.cells if cells.role(c) == "check"}
    checks["forward_shapes"].source = "print('(4, 3) (4, 5) (4, 6, 3) (4, 6, 5)')"
    checks["forward_values"].outputs = [nbformat.v4.new_output("stream", text="[0.]\n[0.]\n")]
    path = tmp_path / "mine.ipynb"
    nbformat.write(blank, path)
    proc = subprocess.run([sys.executable, "-m", "rnngrade.cli", "check", str(path)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 1, proc.stderr[-2000:]
    lines = proc.stdout.splitlines()
    assert [line for line in lines if line.startswith(("PASS", "FAIL"))] == [
        "PASS  step_shapes  (1 point)", "PASS  step_values  (1 point)",
        "PASS  step_batch_values  (1 point)", "FAIL  forward_shapes  (1 point)",
        "FAIL  forward_values  (1 point)", "FAIL  forward_batch_values  (1 point)"]
    assert lines[-1] == "3 / 6 points from the public checks"
    assert "imports os" in proc.stdout and "WARNING (advice" in proc.stdout
    text = proc.stdout.split("FAIL  forward_values")[1]
    assert "expected:\n    [[ 0.455748" in text and "got:\n    [0.]" in text
    assert "why: the output differs from the expected output" in text


# ---------------------------------------------------------------- resume, signals, no sandbox

def _small_class(tmp, n_keys=3):
    subs = tmp / "subs"
    subs.mkdir()
    for i in range(n_keys):
        (subs / f"k{i}.ipynb").write_bytes(KEYS["01_forward"].read_bytes())
    (subs / "blank.ipynb").write_bytes((RELEASED / "01_forward.ipynb").read_bytes())
    return subs


def test_a_stopped_grader_leaves_no_temporary_file_and_a_rerun_resumes(tmp_path):
    subs = _small_class(tmp_path, 3)
    private_tmp = _open_tmpdir()
    env = dict(os.environ, TMPDIR=str(private_tmp), PYTHONUNBUFFERED="1")
    cmd = [sys.executable, "-m", "rnngrade.cli", "grade", str(KEYS["01_forward"]), str(subs),
           "--out", str(tmp_path / "out"), "--workers", "1"]
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env)
        for line in proc.stdout:
            if "graded 1/4" in line:
                proc.send_signal(signal.SIGTERM)
                break
        proc.communicate(timeout=120)
        assert proc.returncode != 0
        assert list(private_tmp.iterdir()) == []                   # nothing left behind
        journaled = {p.stem for p in (tmp_path / "out" / "journal").glob("*.json")} - {"_run"}
        assert 1 <= len(journaled) < 4
        again = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
        assert again.returncode == 0, again.stderr[-2000:]
        assert "(resumed)" in again.stdout
        assert again.stdout.count("  graded ") == 4 - len(journaled)
        with open(tmp_path / "out" / "gradebook.csv", encoding="utf-8") as f:
            rows = {r["student"]: r["score"] for r in csv.DictReader(f)}
        assert rows == {"blank": "0", "k0": "12", "k1": "12", "k2": "12"}
        assert list(private_tmp.iterdir()) == []
    finally:
        shutil.rmtree(private_tmp, ignore_errors=True)


def test_without_a_sandbox_it_refuses_unless_told_and_then_says_so(tmp_path):
    subs = _small_class(tmp_path, 1)
    nowhere = tmp_path / "empty_path"
    nowhere.mkdir()
    cmd = [sys.executable, "-m", "rnngrade.cli", "grade", str(KEYS["01_forward"]), str(subs),
           "--out", str(tmp_path / "out")]
    refused = subprocess.run(cmd, capture_output=True, text=True, timeout=300,
                             env=dict(os.environ, PATH=str(nowhere)))
    assert refused.returncode == 2
    assert refused.stderr.count("\n") == 1 and "no sandbox here" in refused.stderr
    assert not (tmp_path / "out" / "gradebook.csv").exists()
    unsafe = subprocess.run(cmd + ["--unsafe-no-sandbox"], capture_output=True, text=True,
                            timeout=300, env=dict(os.environ, PATH=str(nowhere)))
    assert unsafe.returncode == 0, unsafe.stderr[-2000:]
    with open(tmp_path / "out" / "gradebook.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert {r["sandbox"] for r in rows} == {"NONE (--unsafe-no-sandbox)"}
    assert {r["student"]: r["score"] for r in rows} == {"blank": "0", "k0": "12"}
    assert "WITHOUT a sandbox" in (tmp_path / "out" / "feedback" / "k0.html").read_text()

"""rnngrade without kernels: stubs, the answer screen, release, assembly, submissions, reports,
and the sandbox's limits and namespaces (in child processes)."""
from __future__ import annotations

import copy
import csv
import json
import os
import socket
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from rnngrade import assemble, cells, gradebook, release, sandbox, screen, submissions

ROOT = Path(__file__).resolve().parents[1]
KEY1 = ROOT / "assignments" / "01_forward" / "key.ipynb"
KEYS = sorted((ROOT / "assignments").glob("*/key.ipynb"))


def key1():
    return nbformat.read(KEY1, as_version=4)


# ------------------------------------------------------------------ cells and stubs

def test_stub_replaces_the_region_at_its_indentation():
    src = "def f(x):\n    ### BEGIN SOLUTION\n    return x + 1\n    ### END SOLUTION\n"
    assert cells.stub(src) == ("def f(x):\n    # YOUR CODE HERE\n"
                               '    raise NotImplementedError("write this part")\n')


def test_stub_refuses_a_cell_without_markers():
    with pytest.raises(ValueError, match="BEGIN SOLUTION"):
        cells.stub("def f(x):\n    return x\n")


def test_there_are_six_keys_each_with_public_and_hidden_checks():
    assert [k.parent.name for k in KEYS] == ["01_forward", "02_softmax", "03_bptt",
                                             "04_clipping", "05_char_lm", "06_gated_cells"]
    for key in KEYS:
        found = cells.checks(nbformat.read(key, as_version=4))
        assert any(c.hidden for c in found) and any(not c.hidden for c in found), key


def test_every_key_solution_passes_the_screen():
    for key in KEYS:
        nb = nbformat.read(key, as_version=4)
        allowed = set(cells.assignment_meta(nb)["allowed_rnnlib"])
        for c in nb.cells:
            if cells.role(c) == "answer":
                assert screen.problems(c.source, allowed) == [], (key, c.source)


# ------------------------------------------------------------------ the screen: one tamper each

@pytest.mark.parametrize("source, reason", [
    ("import os\nos._exit(0)", "imports os"),                          # exits the kernel
    ("exit()", "uses the name exit"),
    ("open('../../assignments/01_forward/key.ipynb').read()", "uses the name open"),  # reads key
    ("import socket", "imports socket"),                                # opens the network
    ("import urllib.request", "imports urllib.request"),
    ("np.allclose = lambda *a, **k: True", "changes the attribute allclose"),   # monkeypatch
    ("import numpy\nnumpy.round = print", "changes the attribute round"),
    ("def print(*args):\n    pass", "rebinds print"),                   # print the expected
    ("show = lambda x: None", "rebinds show"),
    ("get_ipython().display_formatter = None", "uses the name get_ipython"),    # display
    ("import IPython", "imports IPython"),
    ("import traceback", "imports traceback"),                          # traceback machinery
    ("!cat /etc/passwd", "uses the name get_ipython"),                  # shell escape
    ("%load key.ipynb", "uses the name get_ipython"),                   # magic
    ("f = rnnlib.forward", "uses rnnlib.forward"),                      # delegates
    ("from rnnlib import loss_and_grads", "uses rnnlib.loss_and_grads"),
    ("np.ctypeslib.ctypes.CDLL(None)", "uses the attribute ctypeslib"),  # numpy's way to libc
    ("x = np.load('expected.npy')", "uses the attribute load"),
    ("(1).__class__.__subclasses__()", "uses the private attribute __class__"),
    ("global SEED\nSEED = 0", "declares SEED global"),                   # fixes the seed
    ("exec('import os')", "uses the name exec"),
    ("def f(:\n", "syntax error"),
])
def test_screen_refuses(source, reason):
    found = screen.problems(source, allowed_rnnlib={"init_params"})
    assert any(reason in p for p in found), found


def test_screen_accepts_ordinary_numpy_code():
    src = ("import numpy as np\nimport math\n\ndef f(params, x):\n    h = np.tanh(params['W'] @ x)"
           "\n    return h.T, math.sqrt(2), rnnlib.init_params(1, 1, 1)\n")
    assert screen.problems(src, {"init_params"}) == []


# ------------------------------------------------------------------ release

def test_release_stubs_solutions_drops_hidden_and_key_only_cells():
    key = key1()
    student = release.student_version(key)
    text = json.dumps(student)
    assert "BEGIN SOLUTION" not in text and "np.tanh(b + h_prev" not in text
    assert not any(cells.role(c) == "key-only" for c in student.cells)
    public = [cells.check_of(c) for c in student.cells if cells.role(c) == "check"]
    assert public and not any(c.hidden for c in public)
    hidden = [c.name for c in cells.checks(key) if c.hidden]
    assert not any(name in text for name in hidden)
    for c in student.cells:                 # public checks keep the key's outputs
        if cells.role(c) == "check":
            assert c.outputs and c.execution_count is not None
    assert student.metadata["mystnb"] == {"execution_mode": "off"}


def _as_released(nb):
    """What a released notebook says: cells, sources, rnngrade metadata, printed text."""
    from rnngrade.recorder import text_of
    return ([(c.cell_type, c.source, c.metadata.get("rnngrade"),
              text_of(c.outputs) if c.cell_type == "code" else None) for c in nb.cells],
            {k: nb.metadata.get(k) for k in ("rnngrade", "mystnb", "kernelspec")})


@pytest.mark.parametrize("key", KEYS, ids=lambda k: k.parent.name)
def test_the_released_notebooks_are_what_release_makes_of_the_keys(key):
    # The key's stored outputs come from a run with the release seed, as release's own run
    # does; so a key changed without re-running `rnn-grade release` fails here.
    released = ROOT / "assignments" / "released" / f"{key.parent.name}.ipynb"
    assert _as_released(nbformat.read(released, as_version=4)) == _as_released(
        release.student_version(nbformat.read(key, as_version=4))), (
        f"re-run: rnn-grade release {key.relative_to(ROOT)} --out assignments/released/")


# ------------------------------------------------------------------ check helpers

def test_random_params_stacks_gate_blocks_and_keeps_the_plain_draws():
    import numpy as np
    from rnngrade import random_params
    plain = random_params(np.random.default_rng(3), 2, 3, 4)
    assert {k: v.shape for k, v in plain.items()} == {"U": (3, 2), "W": (3, 3), "V": (4, 3),
                                                      "b": (3,), "c": (4,)}
    assert plain["U"][0, 0] == 0.5 * np.random.default_rng(3).standard_normal()
    lstm = random_params(np.random.default_rng(3), 2, 3, 4, gates=4)
    assert {k: v.shape for k, v in lstm.items()} == {"U": (12, 2), "W": (12, 3), "V": (4, 3),
                                                     "b": (12,), "c": (4,)}
    with pytest.raises(ValueError, match="argument 'gates'"):
        random_params(np.random.default_rng(3), 2, 3, 4, gates=2)


# ------------------------------------------------------------------ assembly

def _student_from_key(edit):
    nb = copy.deepcopy(key1())
    edit(nb)
    return json.loads(nbformat.writes(nb))


def _graded(sub):
    graded, rejected = assemble.graded_notebook(assemble.seeded(key1(), 5),
                                                assemble.answers_of(sub), set())
    return graded, rejected


def _checks_of(nb):
    return [(c.source, c.outputs, c.metadata) for c in nb.cells if cells.role(c) == "check"]


def test_edited_retagged_deleted_or_duplicated_check_cells_change_nothing():
    def tamper(nb):
        checks = [c for c in nb.cells if cells.role(c) == "check"]
        checks[0].source = "print('(4,) (2,) (5, 4) (5, 2)')"          # edited
        checks[1].metadata["tags"] = ["nbval-skip"]                     # re-tagged
        checks[2].outputs = []                                          # output edited
        nb.cells.remove(checks[3])                                      # deleted
        nb.cells.append(copy.deepcopy(checks[4]))                       # duplicated
        checks[5].source = "# NBVAL_SKIP\n" + checks[5].source          # NBVAL marker
    honest, _ = _graded(json.loads(nbformat.writes(key1())))
    tampered, _ = _graded(_student_from_key(tamper))
    assert _checks_of(tampered) == _checks_of(honest)


def test_nbval_markers_in_answers_are_removed():
    def tamper(nb):
        for c in nb.cells:
            if cells.role(c) == "answer":
                c.source = "# NBVAL_SKIP\n# NBVAL_IGNORE_OUTPUT\n" + c.source
    graded, rejected = _graded(_student_from_key(tamper))
    assert rejected == {}
    assert not any("NBVAL" in c.source for c in graded.cells)


def test_first_answer_cell_of_a_name_wins_and_a_missing_one_is_a_stub():
    def tamper(nb):
        answers = [c for c in nb.cells if cells.role(c) == "answer"]
        extra = copy.deepcopy(answers[0])
        extra.source = "rnn_step = None"
        nb.cells.append(extra)                      # a duplicate after the real one
        nb.cells.remove(answers[1])                 # rnn_forward deleted
    found = assemble.answers_of(_student_from_key(tamper))
    assert "np.tanh" in found["rnn_step"] and "rnn_forward" not in found
    graded, _ = _graded(_student_from_key(tamper))
    forward = [c for c in graded.cells if cells.info(c).get("answer") == "rnn_forward"][0]
    assert "NotImplementedError" in forward.source


def test_a_rejected_answer_is_not_run_and_named():
    def tamper(nb):
        for c in nb.cells:
            if cells.info(c).get("answer") == "rnn_forward":
                c.source = "import os\n" + c.source
    graded, rejected = _graded(_student_from_key(tamper))
    assert list(rejected) == ["rnn_forward"] and rejected["rnn_forward"] == ["imports os"]
    cell = [c for c in graded.cells if cells.info(c).get("answer") == "rnn_forward"][0]
    assert cell.source.startswith("raise RuntimeError")


def test_graded_notebook_starts_with_the_guard_and_sets_the_seed():
    graded, _ = _graded(json.loads(nbformat.writes(key1())))
    assert graded.cells[0].source.startswith("import rnngrade.guard")
    seeds = [c.source for c in graded.cells if cells.role(c) == "seed"]
    assert seeds == ["SEED = 5"]
    assert not any(cells.role(c) == "key-only" for c in graded.cells)


def test_unreadable_submissions(tmp_path):
    bad = tmp_path / "x.ipynb"
    bad.write_text("{not json")
    nb, why = assemble.read_submission(bad)
    assert nb is None and why.startswith("not a readable notebook: JSONDecodeError")
    bad.write_text('{"cells": 3}')
    assert assemble.read_submission(bad) == (None, "not a notebook: no list of cells")
    assert assemble.answers_of({"cells": [{"cell_type": "code", "metadata": 7}]}) == {}


# ------------------------------------------------------------------ submissions

def test_zip_of_submissions_ignores_folders_and_cannot_escape(tmp_path):
    zpath = tmp_path / "lms.zip"
    with zipfile.ZipFile(zpath, "w") as z:
        z.writestr("course/Ada Lovelace.ipynb", "{}")
        z.writestr("../../evil.ipynb", "{}")
        z.writestr("__MACOSX/._ada.ipynb", "{}")
        z.writestr("notes.txt", "x")
    found = submissions.collect(str(zpath), str(tmp_path / "into"))
    assert sorted(found) == ["Ada_Lovelace", "evil"]
    assert all(Path(p).parent == tmp_path / "into" for p in found.values())
    assert not (tmp_path.parent / "evil.ipynb").exists()


# ------------------------------------------------------------------ reports

def _results():
    public = cells.Check("seen", "a", 2.0, False)
    hidden = cells.Check("secret", "a", 3.0, True)
    s = gradebook.score("ada", [public, hidden],
                        {"seen": {"passed": False, "got": "41", "error": "x"},
                         "secret": {"passed": True, "got": "INPUT-LEAK", "error": ""}},
                        {"seen": "42", "secret": "EXPECTED-SECRET"}, {}, [])
    return [public, hidden], s


def test_scores_and_gradebook(tmp_path):
    checks, s = _results()
    assert (s.score, s.max_score) == (3.0, 5.0)
    gradebook.write_all(str(tmp_path), "01_forward", checks, [s])
    rows = list(csv.reader(open(tmp_path / "gradebook.csv")))
    assert rows == [["student", "score", "max_score", "seen", "secret"],
                    ["ada", "3", "5", "0", "3"]]


def test_feedback_never_shows_a_hidden_checks_inputs_or_expected_output(tmp_path):
    checks, s = _results()
    gradebook.write_all(str(tmp_path), "01_forward", checks, [s])
    page = (tmp_path / "feedback" / "ada.html").read_text()
    result = json.loads((tmp_path / "results" / "ada.json").read_text())
    for text in (page, json.dumps(result)):
        assert "EXPECTED-SECRET" not in text and "INPUT-LEAK" not in text
        assert "42" in text and "41" in text           # public: expected vs got
    assert result["score"] == 3.0
    assert [t["name"] for t in result["tests"]] == ["seen", "secret"]
    assert result["tests"][1] == {"name": "secret", "score": 3.0, "max_score": 3.0,
                                  "output": "hidden check: passed", "visibility": "visible"}


def test_a_rejected_answer_scores_zero_even_if_its_check_passed():
    check = cells.Check("c", "a", 2.0, False)
    s = gradebook.score("x", [check], {"c": {"passed": True, "got": "", "error": ""}},
                        {"c": ""}, {"a": ["imports os"]}, [])
    assert s.score == 0 and "imports os" in s.results[0].why


# ------------------------------------------------------------------ the nbval run

def test_the_nbval_run_loads_only_its_plugins_and_spreads_only_a_large_enough_class(tmp_path):
    from rnngrade import runner

    def run(n, workers=2):
        notebooks = {f"s{i}": str(tmp_path / f"s{i}.ipynb") for i in range(n)}
        return runner.Run(str(tmp_path), notebooks, runner.Limits(workers=workers))
    small, large = run(2 * runner.MIN_NOTEBOOKS_PER_WORKER - 1), run(30)
    assert "-n" not in small.command() and "xdist.plugin" not in small.command()
    assert large.command()[large.command().index("-n") + 1] == "2"
    assert "-n" not in run(30, workers=1).command()
    assert {"nbval.plugin", "rnngrade.recorder"} <= set(large.command())
    assert large.environment("rt", "run", "jp")["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] == "1"


# ------------------------------------------------------------------ sandbox (child processes)

def _sandboxed(code: str, env_extra: dict, cwd) -> subprocess.CompletedProcess:
    env = dict(os.environ, **env_extra)
    return subprocess.run([sys.executable, "-m", "rnngrade.sandbox", "--", sys.executable, "-c",
                           code], cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


def test_sandbox_memory_limit(tmp_path):
    r = _sandboxed("import numpy as np\ntry:\n    np.ones((30000, 30000))\nexcept MemoryError:\n"
                   "    print('MemoryError')", {"RNNGRADE_MEM_MB": "800",
                                                 "RNNGRADE_NAMESPACES": "0"}, tmp_path)
    assert r.stdout.strip() == "MemoryError", r.stderr


def test_sandbox_cpu_limit_ends_a_runaway_process(tmp_path):
    r = _sandboxed("while True: pass", {"RNNGRADE_CPU_S": "1", "RNNGRADE_NAMESPACES": "0"},
                   tmp_path)
    assert r.returncode != 0


@pytest.mark.skipif(not sandbox.isolation().get("network"),
                    reason="this machine allows no network/mount namespaces")
def test_sandbox_has_no_network_and_hides_paths(tmp_path):
    secret = tmp_path / "private"
    secret.mkdir()
    (secret / "key.ipynb").write_text("the key")
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    code = ("import os, socket\ns = socket.socket()\ns.settimeout(2)\ntry:\n"
            f"    s.connect(('127.0.0.1', {port})); print('connected')\n"
            "except OSError as e:\n    print('no network')\n"
            f"print(sorted(os.listdir({str(secret)!r})))\nprint(os.getcwd())")
    run = tmp_path / "run"
    (tmp_path / "nbdir").mkdir()
    r = _sandboxed(code, {"RNNGRADE_HIDE": str(secret), "RNNGRADE_RUNROOT": str(run)},
                   tmp_path / "nbdir")
    server.close()
    assert r.stdout.split("\n")[:3] == ["no network", "[]", str(run / "nbdir")], r.stderr
    assert (secret / "key.ipynb").read_text() == "the key"      # hidden only inside


def test_guard_blocks_what_the_student_writes_and_keeps_allowed_helpers_working():
    code = ("import numpy as np, rnnlib, rnngrade.guard\n"
            "rnngrade.guard.install(['init_params', 'loss_and_grads'])\n"
            "p = rnnlib.init_params(2, 3, 2)\n"
            "print(round(rnnlib.loss_and_grads(p, np.zeros((4, 2)), np.zeros(4, int))[0], 3))\n"
            "try:\n    rnnlib.forward(p, np.zeros((4, 2)))\nexcept rnngrade.guard.RnnlibBlocked"
            " as e:\n    print('blocked:', e)\n"
            "try:\n    rnnlib.symbolic\nexcept AttributeError:\n    print('no symbolic')\n"
            "for i in range(5000):\n    print('x' * 10)\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    lines = r.stdout.splitlines()
    assert lines[0] == "2.773", r.stderr
    assert lines[1].startswith("blocked: rnnlib.forward is what this assignment asks you")
    assert lines[2] == "no symbolic"
    assert len(r.stdout) < 20_000 + 100 and lines[-1] == "[rnn-grade: output truncated]"

"""What a student's code can see and do inside rnn-grade's sandbox: one probe, one sandbox.

The probe runs where an answer runs (the key's setup cells before it, the grading seed set)
and reports what it reached; the expected outputs of the same seed, computed by the grader,
must not be anywhere in it. Part of `make test`; never skipped (bubblewrap and user
namespaces are on this project's machines).
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest

from rnngrade import assemble, grading, sandbox

ROOT = Path(__file__).resolve().parents[1]
KEY1 = ROOT / "assignments" / "01_forward" / "key.ipynb"
SEED = 424242

PROBE = r'''
import gc, json, os, sys, importlib, socket, numpy as np
report = {}
report["imports"] = {}
for name in ("rnnlib.core", "rnnlib.core.forward", "rnnlib.training", "rnngrade.grading",
             "rnngrade.references", "rnngrade.sandbox", "IPython", "nbval", "jupyter_client"):
    try:
        importlib.import_module(name)
        report["imports"][name] = "imported"
    except Exception as e:
        report["imports"][name] = type(e).__name__
import rnnlib
report["rnnlib"] = sorted(n for n in dir(rnnlib) if not n.startswith("_"))
report["uid"] = os.getuid()
report["uid_map"] = open("/proc/self/uid_map").read().split()
report["pids"] = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
report["root"] = sorted(os.listdir("/"))
import sysconfig
report["interpreter_packages"] = os.listdir(sysconfig.get_paths()["purelib"])
hits, files = [], 0
for root, dirs, names in os.walk("/"):
    if root.startswith(("/proc", "/sys", "/dev", "/usr/share/man", "/usr/share/doc")):
        dirs[:] = []
        continue
    for n in names:
        files += 1
        path = os.path.join(root, n)
        if n.endswith(".ipynb") or "/assignments/" in path or "/journal/" in path or (
                "rnnlib" in path and not path.startswith("/rg/lib/rnnlib/")):
            hits.append(path)
        elif n.endswith(".py") and "/numpy" not in path and "python3" not in path:
            try:
                text = open(path, errors="replace").read()
            except Exception:
                continue
            if "BEGIN SOLUTION" in text or "def rnn_forward" in text or "def rnn_step" in text:
                hits.append(path)
report["files_seen"], report["file_hits"] = files, hits[:50]
report["paths"] = {p: os.path.exists(p) for p in ("/work/main", "/work/wt", "/root/.ssh",
                                                   "/etc/passwd", "/home")}
report["download"] = {p: os.path.exists(p) for p in DOWNLOAD}
writes = {}
for path in ("/rg/lib/rgkernel.py", "/rg/lib/rnngrade/__init__.py", "/rg/site/numpy/version.py",
             "/usr/bin/python3", "/work/mine.txt", "/tmp/mine.txt"):
    try:
        with open(path, "a") as f:
            f.write("x")
        writes[path] = "written"
    except Exception as e:
        writes[path] = type(e).__name__
report["writes"] = writes
try:
    socket.create_connection(("127.0.0.1", 22), timeout=1)
    report["network"] = "connected"
except Exception as e:
    report["network"] = type(e).__name__
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
report["namespaces"] = {}
for name, flag in (("user", 0x10000000), ("mount", 0x00020000), ("net", 0x40000000)):
    report["namespaces"][name] = "made" if libc.unshare(flag) == 0 else os.strerror(
        ctypes.get_errno())
report["no_new_privs"] = open("/proc/self/status").read().split("NoNewPrivs:")[1].split()[0]
texts = []
for o in gc.get_objects():
    if isinstance(o, dict):
        texts += [v for v in o.values() if isinstance(v, str)]
    elif isinstance(o, (list, tuple)):
        texts += [v for v in o if isinstance(v, str)]
f = sys._getframe()
while f is not None:
    texts += [repr(v)[:100000] for v in f.f_locals.values()]
    f = f.f_back
texts += [repr(m) for m in sys.modules.values()]
texts += [open(p, errors="replace").read() for p in ("/proc/self/cmdline", "/proc/self/environ")]
report["memory"] = "\n".join(texts)
print(json.dumps(report))
'''


@pytest.fixture(scope="module")
def probe(tmp_path_factory):
    key = nbformat.read(KEY1, as_version=4)
    spec = assemble.spec_of(assemble.seeded(key, SEED))
    # an LMS download on the grader's disk, as `rnn-grade grade` finds it: every student's notebook
    download = tmp_path_factory.mktemp("download")
    student = download / "Ann Lee_100_assignsubmission_file" / "01_forward.ipynb"
    student.parent.mkdir()
    student.write_bytes(KEY1.read_bytes())
    (download / "moodle.zip").write_bytes(b"PK\x05\x06" + bytes(18))
    paths = [str(download), str(student), str(download / "moodle.zip")]
    answers = {"rnn_step": f"DOWNLOAD = {paths!r}\n" + PROBE}
    root = grading._lib_root()
    try:
        lib = sandbox.Lib(root, [])
        limits = sandbox.Limits(cell_timeout=60, max_output=50_000_000)
        outcome = sandbox.run(lib, limits, assemble.job(spec, answers, SEED),
                              max_bytes=200_000_000)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    i = [n for n, item in enumerate(spec) if item.get("answer") == "rnn_step"][0]
    rec = outcome.cells[i]
    assert rec["error"] == "", rec["error"]
    _, key_out = grading.run_key(key, set(), SEED)
    expected = [key_out[n]["out"] for n, item in enumerate(spec) if item["kind"] == "check"]
    return json.loads(rec["out"]), expected


def test_no_reference_is_importable(probe):
    report, _ = probe
    assert set(report["imports"].values()) == {"ModuleNotFoundError"}, report["imports"]
    # assignment 1 allows no rnnlib function: only the modules its copy imports
    assert set(report["rnnlib"]) <= {"math", "np", "report"}, report["rnnlib"]


def test_it_runs_unprivileged_in_its_own_pid_namespace(probe):
    report, _ = probe
    assert report["uid"] != 0
    assert len(report["pids"]) <= 3                # itself, bwrap's init: no grader, no other


def test_it_sees_no_repository_key_submission_or_grader_file(probe):
    report, _ = probe
    assert report["file_hits"] == []
    assert not any(report["paths"][p] for p in ("/work/main", "/work/wt", "/root/.ssh", "/home"))
    assert "etc" not in report["root"] and "home" not in report["root"]
    assert report["interpreter_packages"] == []     # the interpreter's own packages are hidden


def test_it_cannot_see_the_lms_download(probe):
    report, _ = probe
    assert report["download"] and not any(report["download"].values())


def test_it_can_write_nothing_but_its_own_scratch_space(probe):
    report, _ = probe
    writes = report["writes"]
    assert {p: w for p, w in writes.items() if w == "written"} == {
        "/work/mine.txt": "written", "/tmp/mine.txt": "written"}


def test_it_can_make_no_namespace_of_its_own_nor_gain_privileges(probe):
    # a user namespace inside the sandbox gives its code every capability there: the door to
    # most kernel privilege escalations; bwrap's --disable-userns shuts it
    report, _ = probe
    assert "made" not in report["namespaces"].values(), report["namespaces"]
    assert report["no_new_privs"] == "1"          # setuid programs under /usr gain nothing


def test_it_has_no_network(probe):
    assert probe[0]["network"] != "connected"


def test_no_expected_output_is_in_its_memory_files_or_environment(probe):
    report, expected = probe
    memory = report["memory"]
    for text in expected:
        for line in text.strip().splitlines():
            if len(line.strip()) > 12:            # lines with values, not "(4,) (2,)"
                assert line.strip() not in memory, line


def test_a_sandbox_that_fails_to_start_is_tried_again_and_then_says_why(monkeypatch):
    # Many sandboxes starting at once can be refused by the kernel for a moment (bwrap prints
    # "bwrap: ..." and exits 1 before any cell runs); that must not cost anyone a grade.
    real, calls = sandbox.command, []

    def flaky(lib, limits):
        calls.append(1)
        if len(calls) < 3:
            return ["sh", "-c", "echo 'bwrap: Creating new namespace failed: "
                    "No space left on device' >&2; exit 1"]
        return real(lib, limits)

    key = nbformat.read(KEY1, as_version=4)
    spec = assemble.spec_of(assemble.seeded(key, SEED))
    job = assemble.job(spec, {}, SEED)
    monkeypatch.setattr(sandbox, "time", type("T", (), {"sleep": staticmethod(lambda s: None),
                                                         "monotonic": sandbox.time.monotonic}))
    monkeypatch.setattr(sandbox, "command", flaky)
    root = grading._lib_root()
    try:
        lib, limits = sandbox.Lib(root, []), sandbox.Limits(cell_timeout=60)
        outcome = sandbox.run(lib, limits, job)
        assert outcome.finished and len(calls) == 3, (outcome.why, len(calls))
        calls.clear()
        monkeypatch.setattr(sandbox, "command", lambda lib, limits: calls.append(1) or (
            ["sh", "-c", "echo 'bwrap: refused' >&2; exit 1"]))
        with pytest.raises(sandbox.SandboxStartError, match=r"could not start \(3 tries\): "
                           "bwrap: refused"):
            sandbox.run(lib, limits, job)
        assert len(calls) == 3
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_a_runner_that_started_is_not_run_again_whatever_it_leaves_on_stderr(monkeypatch):
    # Graded by a lecturer's own (non-root) account, the sandbox's uid is the grader's: the
    # student's code can open /proc/self/fd/N of the results pipe and read back the records
    # of the cells before it, then write "bwrap: ..." into bwrap's standard error
    # (/proc/1/fd/2) and exit, which looked exactly like a sandbox that never started: it was
    # run again, and after three tries journaled as "the sandbox could not start" (1 forger
    # in 9 won the race three times, measured). Only a runner that never said it started,
    # before it was sent the job (and so any student's code), may be tried again.
    calls = []
    forger = ["sh", "-c", "echo '{\"started\": true}'; cat >/dev/null; "
              "echo 'bwrap: Creating new namespace failed' >&2; exit 1"]
    monkeypatch.setattr(sandbox, "time", type("T", (), {"sleep": staticmethod(lambda s: None),
                                                         "monotonic": sandbox.time.monotonic}))
    monkeypatch.setattr(sandbox, "command", lambda lib, limits: calls.append(1) or forger)
    root = grading._lib_root()
    try:
        outcome = sandbox.run(sandbox.Lib(root, []), sandbox.Limits(cell_timeout=60),
                              [{"kind": "check", "source": "print(1)"}])
    finally:
        shutil.rmtree(root, ignore_errors=True)
    assert len(calls) == 1 and "could not start" not in outcome.why, (len(calls), outcome.why)
    assert outcome.why == "the sandbox stopped before the end (exit status 1)"


def test_a_sandbox_that_never_starts_is_no_score_not_a_zero(monkeypatch, tmp_path):
    # A machine that refuses every sandbox (three tries) is the grader's failure, not the
    # student's: no score (the next run grades them again), never a journaled 0.
    key, _, allowed = grading.load_key(KEY1)
    spec, expected = grading.expected_outputs(key, allowed, SEED)
    monkeypatch.setattr(sandbox, "time", type("T", (), {"sleep": staticmethod(lambda s: None),
                                                         "monotonic": sandbox.time.monotonic}))
    monkeypatch.setattr(sandbox, "command", lambda lib, limits: (
        ["sh", "-c", "echo 'bwrap: Creating new namespace failed' >&2; exit 1"]))
    root = grading._lib_root()
    try:
        result = grading.grade_notebook(
            "ada", str(ROOT / "assignments" / "released" / "01_forward.ipynb"),
            lib=sandbox.Lib(root, sorted(allowed)), limits=sandbox.Limits(), spec=spec,
            checks=grading.cells.checks(key), expected=expected, seed=SEED, allowed=allowed)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    assert "could not start" in result.error and "bwrap: Creating new namespace failed" \
        in result.error, result.error
    assert all(r.why == "not graded (grader error)" for r in result.results)


FORKS = """
import os, threading, time
made = []
try:
    if os.fork() == 0:
        time.sleep(30)
        os._exit(0)
    made.append("process")
except OSError:
    pass
try:
    threading.Thread(target=time.sleep, args=(30,), daemon=True).start()
    made.append("thread")
except RuntimeError:
    pass
print(made)
"""


def test_a_notebook_is_one_process_so_it_cannot_take_other_students_cpu():
    # Each process had a CPU limit of its own (--cpu) and 32 were allowed: one notebook
    # forked 31 spinning processes, had both cores for its wall-clock limit, and a classmate
    # graded beside it lost every check to time-outs (12/12 alone, 0/12 beside it; and 32
    # times the memory limit). One process, no thread: --cpu is the notebook's whole budget.
    root = grading._lib_root()
    try:
        outcome = sandbox.run(sandbox.Lib(root, []), sandbox.Limits(cell_timeout=60),
                              [{"kind": "answer", "source": FORKS}])
    finally:
        shutil.rmtree(root, ignore_errors=True)
    assert outcome.cells[0] == {"out": "[]\n", "error": "", "truncated": False}, outcome


def test_a_notebook_past_its_cpu_time_is_told_so():
    # At --cpu seconds the kernel killed the runner: every check left said "the sandbox
    # stopped before the end (exit status 137)", which names neither the limit nor --cpu.
    burn = "import time\nwhile True:\n    pass\n"
    job = [{"kind": "setup", "source": "x = 1"}, {"kind": "answer", "source": burn},
           {"kind": "check", "source": "print(x)"}]
    root = grading._lib_root()
    try:
        outcome = sandbox.run(sandbox.Lib(root, []), sandbox.Limits(cell_timeout=60, cpu_s=2),
                              job, wall_s=300)     # 2 CPU seconds take long on a busy machine
    finally:
        shutil.rmtree(root, ignore_errors=True)
    assert outcome.finished, outcome
    told = "CPULimit: the notebook used up its 2 s of CPU time (the grader's --cpu)"
    assert [outcome.cells[i]["error"] for i in (1, 2)] == [told, told], outcome
    assert grading._why(told, hidden=True) == "the notebook used up its CPU time"

"""Where a student's cells run: bubblewrap, one sandbox per student, nothing of value inside.

Each student's job runs ``rgkernel.py`` (``rnngrade.kernel``) under ``bwrap`` with:

- new user, PID, IPC, UTS, network, mount and cgroup namespaces (``--unshare-all``), a new
  session, and death with the grader (``--die-with-parent``); the processes run as an
  unprivileged uid (when the grader is root it first switches to ``nobody`` with
  ``setpriv``), with no capabilities, and (bubblewrap 0.8 or later) no way to make a user
  namespace of its own inside, where its code would hold every capability;
- a file system holding only ``/usr``, ``/lib*`` (read-only), the Python interpreter's own
  folder and numpy (read-only), the allowlist folder of this run (``rgkernel.py``, the
  helpers as ``rnngrade``, the allowed rnnlib names as ``rnnlib``; read-only), a private
  ``/proc`` and ``/dev``, and an empty size-limited tmpfs as working folder and ``/tmp``.
  No repository, no key, no rnngrade or rnnlib source, no other submission, no output
  folder: they are not in the sandbox's view at all;
- resource limits set by the runner before any student code: address space, CPU seconds,
  processes, file size, open files, no core dumps; and a wall-clock limit enforced by the
  grader, which kills the whole sandbox.

The job comes in on standard input and the results go out on standard output (read by the
grader with a size cap); the expected outputs never enter the sandbox.

``available()`` tries a sandbox once; where it fails (no bubblewrap, user namespaces
forbidden), ``rnn-grade grade`` refuses unless ``--unsafe-no-sandbox``, which runs the same
runner as a plain child process with the same limits and says so in every report.
"""
from __future__ import annotations

import functools
import glob
import json
import os
import re
import select
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

from . import allowed

NOBODY = 65534
_ACTIVE: set = set()                 # sandboxes running now, killed if the grader stops
INNER_UID = 1000


@dataclass
class Limits:
    cell_timeout: int = 30       # seconds per cell
    mem_mb: int = 2048           # address space of the sandbox's runner
    cpu_s: int = 300             # CPU seconds of the whole notebook
    nproc: int = 1               # processes and threads: the runner alone (each process had
                                 # a CPU limit of its own and a core to take from the others)
    fsize_mb: int = 16           # size of any file written, and of each tmpfs
    max_output: int = 20_000     # characters of output kept per cell
    workers: int = 2             # sandboxes at once
    sandbox: bool = True         # False: --unsafe-no-sandbox
    run_as: int | None = None    # without a sandbox, as root: run the runner as this uid

    def runner(self) -> dict:
        return {"mem_mb": self.mem_mb, "cpu_s": self.cpu_s, "nproc": self.nproc,
                "fsize_mb": self.fsize_mb}


def python_paths() -> dict:
    """The interpreter and the folders the runner needs: Python's own, numpy's."""
    import numpy
    exe = os.path.realpath(sys.executable)
    prefix = os.path.realpath(sys.base_prefix)
    np_dir = os.path.dirname(os.path.realpath(numpy.__file__))
    libs = np_dir + ".libs"
    return {"exe": exe, "prefix": prefix, "numpy": np_dir,
            "numpy_libs": libs if os.path.isdir(libs) else None}


@dataclass
class Lib:
    """This run's allowlist folder (``root/lib``) and the mount points of the sandbox."""
    root: str
    allowed_rnnlib: list = field(default_factory=list)

    def __post_init__(self):
        self.lib = os.path.join(self.root, "lib")
        for rel, text in allowed.sandbox_sources(self.allowed_rnnlib).items():
            path = os.path.join(self.lib, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(text)
        here = os.path.dirname(os.path.abspath(__file__))
        shutil.copy(os.path.join(here, "kernel.py"), os.path.join(self.lib, "rgkernel.py"))
        for dirpath, dirs, files in os.walk(self.root):
            os.chmod(dirpath, 0o755)
            for name in files:
                os.chmod(os.path.join(dirpath, name), 0o644)
        self.paths = python_paths()
        os.makedirs(os.path.join(self.root, "work"), exist_ok=True)
        unsandboxed_site(self)


def _staged(lib: Lib) -> tuple[list[tuple[str, str]], dict]:
    """(binds to make as root before dropping privileges, where bwrap finds each folder)."""
    p = lib.paths
    stage = os.path.join(lib.root, "stage")
    wanted = {"prefix": p["prefix"], "numpy": p["numpy"], "numpy_libs": p["numpy_libs"],
              "lib": lib.lib}
    binds, found = [], {}
    for name, src in wanted.items():
        if src is None:
            continue
        if os.geteuid() == 0:                       # root: bind to a place nobody can reach
            dst = os.path.join(stage, name)
            os.makedirs(dst, mode=0o755, exist_ok=True)
            binds.append((src, dst))
            found[name] = dst
        else:
            found[name] = src
    return binds, found


def command(lib: Lib, limits: Limits) -> list[str]:
    """The argv that runs ``rgkernel.py`` in a fresh sandbox (job on stdin, results on stdout)."""
    p = lib.paths
    tmp_size = str(limits.fsize_mb << 20)
    if not limits.sandbox:
        plain = [p["exe"], "-I", "-S", "-c", _BOOT.format(lib=lib.lib, site=lib.root + "/site")]
        if limits.run_as is not None and os.geteuid() == 0:     # Gradescope's container
            return ["setpriv", f"--reuid={limits.run_as}", f"--regid={limits.run_as}",
                    "--clear-groups", "--inh-caps=-all", "--no-new-privs", *plain]
        return plain
    binds, src = _staged(lib)
    bw = ["bwrap", "--unshare-all", "--die-with-parent", "--new-session",
          "--uid", str(INNER_UID), "--gid", str(INNER_UID), "--cap-drop", "ALL"]
    if _bwrap_can("--disable-userns"):          # bubblewrap >= 0.8: no namespace inside
        bw += ["--unshare-user", "--disable-userns", "--assert-userns-disabled"]
    for d in ("/usr", "/lib", "/lib64", "/lib32", "/libx32", "/bin", "/sbin"):
        if os.path.islink(d):
            bw += ["--symlink", os.readlink(d), d]
        elif os.path.isdir(d):
            bw += ["--ro-bind", d, d]
    bw += ["--ro-bind", src["prefix"], p["prefix"]]
    for site in sorted(glob.glob(os.path.join(p["prefix"], "lib", "python3*", "site-packages"))):
        bw += ["--tmpfs", site]                 # the interpreter's own packages: hidden
    bw += ["--ro-bind", src["numpy"], "/rg/site/numpy"]
    if "numpy_libs" in src:
        bw += ["--ro-bind", src["numpy_libs"], "/rg/site/numpy.libs"]
    bw += ["--ro-bind", src["lib"], "/rg/lib", "--proc", "/proc", "--dev", "/dev",
           "--size", tmp_size, "--tmpfs", "/tmp", "--size", tmp_size, "--tmpfs", "/work",
           "--chdir", "/work", "--clearenv", "--setenv", "HOME", "/work",
           "--setenv", "OPENBLAS_NUM_THREADS", "1", "--setenv", "OMP_NUM_THREADS", "1",
           "--setenv", "MKL_NUM_THREADS", "1",
           p["exe"], "-I", "-S", "-c", _BOOT.format(lib="/rg/lib", site="/rg/site")]
    if os.geteuid() != 0:
        return bw
    script = "".join(f"mount --bind {shlex.quote(a)} {shlex.quote(b)} && " for a, b in binds)
    script += (f"exec setpriv --reuid={NOBODY} --regid={NOBODY} --clear-groups "
               f"--inh-caps=-all {shlex.join(bw)}")
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c", script]


@functools.cache
def _bwrap_can(option: str) -> bool:
    try:
        text = subprocess.run(["bwrap", "--help"], capture_output=True, text=True,
                              timeout=10, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return option in text


_BOOT = ("import sys; sys.path[:0] = [{lib!r}, {site!r}]; import rgkernel; rgkernel.main()")


def environment(limits: Limits) -> dict:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "OPENBLAS_NUM_THREADS": "1",
           "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "LC_ALL": "C.UTF-8"}
    return env


def unsandboxed_site(lib: Lib) -> None:
    """For --unsafe-no-sandbox and trusted runs: ``root/site`` holds numpy only (symlinks)."""
    site = os.path.join(lib.root, "site")
    os.makedirs(site, exist_ok=True)
    for key, name in (("numpy", "numpy"), ("numpy_libs", "numpy.libs")):
        src = lib.paths[key]
        dst = os.path.join(site, name)
        if src and not os.path.lexists(dst):
            os.symlink(src, dst)


@dataclass
class Outcome:
    cells: dict            # cell index → {"out", "error", "truncated"}
    finished: bool         # the runner reached its end
    why: str = ""          # why it did not: killed, timed out, flooded
    stderr: str = ""       # the start of its standard error when it did not finish (for the
                           # lecturer when the key itself fails; never put in a student's report)


START_TRIES = 3


class SandboxStartError(OSError):
    """The runner never started (bwrap, unshare or setpriv refused), ``START_TRIES`` times."""


def run(lib: Lib, limits: Limits, cells: list[dict], *, wall_s: float | None = None,
        max_bytes: int | None = None) -> Outcome:
    """Run ``cells`` in a fresh sandbox; returns what each cell printed, whatever the cells do.

    A runner that never said it started (bwrap, unshare or setpriv refusing, e.g. for want of
    namespaces while many sandboxes start at once) was never sent the job, so no student's
    code ran: it is tried again, up to ``START_TRIES`` times in all, then SandboxStartError,
    the grader's failure (no score), never a student's 0."""
    for attempt in range(START_TRIES):
        outcome, refusal = _run_once(lib, limits, cells, wall_s=wall_s, max_bytes=max_bytes)
        if not refusal:
            return outcome
        time.sleep(0.5 * 2 ** attempt)
    raise SandboxStartError(f"the sandbox could not start ({START_TRIES} tries): {refusal}")


def _run_once(lib, limits, cells, *, wall_s, max_bytes) -> tuple[Outcome, str]:
    """One sandbox: (its outcome, why it never started or "")."""
    job = json.dumps({"cells": cells, "timeout": limits.cell_timeout,
                      "max_output": limits.max_output, "limits": limits.runner()})
    wall_s = wall_s or min(2 * limits.cpu_s + 10, 10 + len(cells) * (limits.cell_timeout + 1))
    max_bytes = max_bytes or 4 * limits.max_output * (len(cells) + 2) + (1 << 16)
    cwd = os.path.join(lib.root, "work")
    err = tempfile.TemporaryFile(dir=lib.root)          # outside the sandbox's view
    proc = subprocess.Popen(command(lib, limits), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=err, env=environment(limits), cwd=cwd,
                            start_new_session=True)
    _ACTIVE.add(proc)
    cells_out, buf, got, why, finished, started = {}, b"", 0, "", False, False
    deadline = time.monotonic() + wall_s
    try:
        fd = proc.stdout.fileno()
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                why = f"stopped after the notebook's wall-clock limit of {wall_s:.0f} s"
                break
            ready, _, _ = select.select([fd], [], [], min(left, 1.0))
            if not ready:
                continue
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                break
            got += len(chunk)
            if got > max_bytes:
                why = "stopped: the notebook wrote more than the grader reads"
                break
            buf += chunk
            *lines, buf = buf.split(b"\n")
            for line in lines:
                try:
                    rec = json.loads(line)
                except (ValueError, RecursionError):
                    continue                    # not the runner's: ignored
                if not isinstance(rec, dict):
                    continue
                if rec.get("started") is True and not started:
                    started = True              # only now the job, with the student's code
                    _send(proc, job)
                elif rec.get("done") is True:
                    finished = True
                    break
                elif isinstance(rec.get("i"), int) and rec["i"] not in cells_out:
                    cells_out[rec["i"]] = {"out": printable(rec.get("out", ""),
                                                            limits.max_output),
                                           "error": printable(rec.get("error", ""), 1000),
                                           "truncated": bool(rec.get("truncated"))}
            if finished:                        # children it left behind are killed below
                break
    finally:
        _kill(proc)
        _ACTIVE.discard(proc)
    text = b""
    if not finished:
        err.seek(0)
        text = err.read(4096)
    if not finished and not why:
        code = proc.returncode
        why = ("the sandbox stopped before the end"
               + (f" (signal {-code})" if code and code < 0 else f" (exit status {code})"))
    err.close()
    refusal = ""
    if not started:             # only the tools wrote its standard error: no cell had run
        lines = text.decode("utf-8", "replace").strip().splitlines()
        refusal = printable(lines[-1] if lines else why, 300)
    stderr = printable(text.decode("utf-8", "replace"), 4096)
    return Outcome(cells_out, finished, why, stderr), refusal


_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def _send(proc: subprocess.Popen, job: str) -> None:
    try:
        proc.stdin.write(job.encode())
        proc.stdin.close()
    except (BrokenPipeError, OSError):
        pass


def printable(text, limit: int) -> str:
    """A runner's text as the grader keeps it: at most ``limit`` characters, and every
    control character but newline and tab (terminal escapes) and every lone surrogate (which
    no UTF-8 file can hold: writing it would stop the whole gradebook) turned into U+FFFD."""
    return _UNPRINTABLE.sub("\ufffd", str(text)[:limit])


def kill_all() -> None:
    for proc in list(_ACTIVE):
        _kill(proc)


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.kill()
    except ProcessLookupError:
        pass
    proc.wait()
    for stream in (proc.stdin, proc.stdout):
        try:
            stream.close()
        except (OSError, ValueError):
            pass


def reachable_by_others(lib: Lib) -> bool:
    """Whether a user with no rights of its own can run this interpreter with numpy and the
    allowlist (every folder above them lets others through)."""
    for path in (lib.paths["exe"], lib.paths["numpy"], lib.lib):
        path = os.path.realpath(path)
        while path not in ("/", ""):
            if not os.stat(path).st_mode & 0o001 and os.path.isdir(path):
                return False
            path = os.path.dirname(path)
    return True


def available(tmp_root: str) -> tuple[bool, str]:
    """Whether a sandbox works here: (True, "") or (False, one line saying why not)."""
    if os.environ.get("RNNGRADE_TEST_NO_BWRAP") == "1":      # a test of the fallback
        return False, "bubblewrap switched off for a test (RNNGRADE_TEST_NO_BWRAP=1)"
    if shutil.which("bwrap") is None:
        return False, "bubblewrap (bwrap) is not installed (Debian: apt-get install bubblewrap)"
    if os.geteuid() == 0 and (shutil.which("setpriv") is None or shutil.which("unshare") is None):
        return False, "running as root needs setpriv and unshare (util-linux) to drop to nobody"
    lib = Lib(os.path.join(tmp_root, "probe"), [])
    try:
        out = run(lib, Limits(cell_timeout=20), [{"kind": "check", "source": "print(6 * 7)"}],
                  wall_s=60)
        why = out.why or out.cells
    except SandboxStartError as err:
        out, why = None, err
    finally:
        shutil.rmtree(lib.root, ignore_errors=True)
    if out and out.finished and out.cells.get(0, {}).get("out") == "42\n":
        return True, ""
    return False, ("bubblewrap could not start a sandbox (are unprivileged user namespaces "
                   f"allowed? try: unshare -Urn true): {why}")

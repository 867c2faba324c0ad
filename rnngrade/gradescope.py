"""Gradescope's autograder for a key: ``rnn-grade gradescope KEY --out autograder.zip``.

Gradescope builds one Docker image (Ubuntu) from the zip, running ``setup.sh`` once as root,
then, for each submission, starts a fresh container from that image and runs
``/autograder/run_autograder`` as root, with the student's files in
``/autograder/submission/`` and the zip's contents in ``/autograder/source/``; the script
must leave ``/autograder/results/results.json``.

The zip holds:

- ``setup.sh``: installs Python (3.11 or later), bubblewrap and util-linux with apt, and a
  virtual environment at ``/opt/rnngrade-venv`` with the numpy and nbformat versions of the
  machine that exported the zip (``requirements.txt``);
- ``run_autograder``: runs ``python -m rnngrade.gradescope run`` (this module) from
  ``/autograder/source``;
- ``rnngrade/``: the grader's own source (release, sandbox, the allowlist shim the sandbox
  sees as ``rnnlib``, references), the same code ``rnn-grade grade`` runs;
- ``key.ipynb``: the key, and ``config.json`` (assignment, seed policy).

What ``run`` does, per submission: it makes ``/autograder/source`` (the key) readable by root
only, draws the grading seed (a fresh one per submission, unless the export fixed one), runs
the seeded key trusted to get the expected outputs (they stay in this process: nothing is
computed at export, so nothing in the zip but the key itself is worth reading), finds the
student's notebook, grades it with ``grading.grade_notebook`` (the function ``rnn-grade
grade`` uses for each student, so the score is the same for the same seed), and writes
``results.json`` with ``gradebook.gradescope``, the format of ``rnn-grade grade``'s
``results/<student>.json``.

Isolation inside the container. Where bubblewrap can start a sandbox, the student's cells run
in one exactly as with ``rnn-grade grade``. Docker's default seccomp profile usually forbids
the user namespaces bubblewrap needs; then the student's cells run as a plain process of an
unprivileged uid of their own, no account's and no other process's (``STUDENT_UIDS``;
dropped with ``setpriv``, no capabilities, no new privileges, the same
resource limits), which cannot read the key (``/autograder/source`` is made 0700), cannot
write the results, and cannot signal or read the memory of the grader (a root process).
What remains in that case, and is said in the results: the container is the student's own
(Gradescope starts one per submission, so no other submission is in it), but it shares the
container's network and sees the files that any user may read (the system, numpy, the
student's own submission). If neither works (not root, no setpriv, or a Python others
cannot run), ``run`` refuses and writes no results: with the grader's rights a process the
student's code left behind could rewrite results.json after the grader wrote it
(``RNNGRADE_UNSAFE_NO_SANDBOX=1`` grades anyway, for code one trusts, as in a test).
"""
from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import secrets
import shutil
import stat
import sys
import time
import zipfile


SETUP = r"""#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image (Ubuntu).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends bubblewrap util-linux ca-certificates \
    python3 python3-venv python3-pip
PY=""
for p in python3.13 python3.12 python3.11; do
    if command -v "$p" >/dev/null; then PY=$(command -v "$p"); break; fi
done
if [ -z "$PY" ]; then          # Ubuntu 22.04: Python 3.10 by default; 3.11 is in universe
    apt-get install -y --no-install-recommends python3.11 python3.11-venv
    PY=$(command -v python3.11)
fi
"$PY" -m venv /opt/rnngrade-venv
/opt/rnngrade-venv/bin/pip install --no-cache-dir -r /autograder/source/requirements.txt
chmod -R a+rX /opt/rnngrade-venv      # the student's cells, as a uid of their own, need numpy
chmod 0700 /autograder/source         # the key: root only
"""

RUN = r"""#!/usr/bin/env bash
# Gradescope runs this once per submission, as root, in a container of its own.
# RNNGRADE_AUTOGRADER (default /autograder), RNNGRADE_PYTHON and RNNGRADE_SEED exist for
# testing this script outside Gradescope; Gradescope sets none of them.
set -u
AG="${RNNGRADE_AUTOGRADER:-/autograder}"
PY="${RNNGRADE_PYTHON:-/opt/rnngrade-venv/bin/python}"
mkdir -p "$AG/results"
if [ "$(id -u)" = 0 ]; then      # the student's code (its own uid) must not write the results
    chown root:root "$AG/results" && chmod 0755 "$AG/results"
fi
cd "$AG/source" || exit 2
exec "$PY" -m rnngrade.gradescope run --source "$AG/source" --submission "$AG/submission" \
    --results "$AG/results/results.json" ${RNNGRADE_SEED:+--seed "$RNNGRADE_SEED"}
"""


def _versions() -> str:
    lines = []
    for name in ("numpy", "nbformat"):
        try:
            lines.append(f"{name}=={importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            lines.append(name)
    return "\n".join(lines) + "\n"


def export(key_path: str, out: str, seed: int | None = None) -> str:
    """Write the autograder zip for ``key_path`` to ``out``; returns ``out``."""
    from . import cells, grading
    key, assignment, _allowed = grading.load_key(key_path)
    checks = cells.checks(key)
    if not checks:
        raise ValueError(f"argument 'key': {key_path!r} has no check cell to grade")
    if not str(out).endswith(".zip"):
        raise ValueError(f"argument 'out': expected a file name ending in .zip, got {out!r}")
    here = os.path.dirname(os.path.abspath(__file__))
    config = {"assignment": assignment, "seed": seed,
              "max_score": sum(c.points for c in checks)}
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    tmp = out + ".tmp"
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
        def put(name, text, mode=0o644):
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.external_attr = (stat.S_IFREG | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, text)
        put("setup.sh", SETUP, 0o755)
        put("run_autograder", RUN, 0o755)
        put("requirements.txt", _versions())
        put("config.json", json.dumps(config, indent=1) + "\n")
        with open(key_path, encoding="utf-8") as f:
            put("key.ipynb", f.read(), 0o600)
        for name in sorted(os.listdir(here)):
            if name.endswith(".py"):
                with open(os.path.join(here, name), encoding="utf-8") as f:
                    put(f"rnngrade/{name}", f.read())
    os.replace(tmp, out)
    return out


# ------------------------------------------------------------------ in the container

def find_notebook(folder: str, assignment: str) -> tuple[str | None, str]:
    """(the submission's notebook, "" or why there is none usable). Gradescope keeps the
    student's file names; a student may upload several files or a folder."""
    found, links = [], []
    for dirpath, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "__MACOSX")))
        links += [d for d in dirs if os.path.islink(os.path.join(dirpath, d))]
        for f in sorted(files):
            if not f.endswith(".ipynb") or f.startswith("."):
                continue
            path = os.path.join(dirpath, f)
            # only a regular file of the upload itself: a symbolic link (an unpacked zip
            # keeps them) could name the key, readable by the grader (root), as the answer
            try:
                regular = stat.S_ISREG(os.lstat(path).st_mode)
            except OSError:
                regular = False
            (found if regular else links).append(path if regular else f)
    if not found:
        if links:
            return None, ("no notebook in the submission: "
                          f"{', '.join(_shown(x) for x in links)} "
                          "is a link, not a file (links are not followed); upload the "
                          f"notebook {assignment}.ipynb itself")
        return None, ("no notebook (.ipynb) in the submission: upload the notebook "
                      f"{assignment}.ipynb you worked in")
    mine, others = [], []
    for path in found:
        try:
            with open(path, encoding="utf-8") as f:
                meta = (json.load(f).get("metadata") or {}).get("rnngrade") or {}
            (mine if meta.get("assignment") == assignment else others).append(path)
        except (OSError, ValueError, AttributeError, RecursionError):
            others.append(path)
    if not mine:
        return None, (f"no notebook of assignment {assignment!r} in the submission "
                      f"({', '.join(_shown(p) for p in found)}): upload the "
                      "notebook made from the released one")
    named = [p for p in mine if os.path.basename(p) == f"{assignment}.ipynb"]
    pick = (named or mine)[0]
    why = "" if len(mine) == 1 else (f"{len(mine)} notebooks of this assignment were "
                                     f"uploaded; graded {_shown(pick)}")
    return pick, why


def _shown(path: str) -> str:
    """A file name as results.json can hold it: bytes that are not UTF-8 (a name the
    student's zip gave) become U+FFFD instead of lone surrogates no JSON file can hold."""
    name = os.path.basename(path)
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _protect(source: str) -> None:
    """The key readable by root only (setup.sh did it already; a test run is not root)."""
    if os.geteuid() == 0:
        os.chmod(source, 0o700)


# The uids a run may give the student's code: far above any account's, so a uid drawn here and
# held by no process is this run's alone, and killing "every process of the uid" afterwards
# reaches the student's leftovers and nothing else (as nobody it once killed other graders'
# sandboxes, which run as nobody, on the same machine).
STUDENT_UIDS = range(1_000_000_000, 2_000_000_000)


def _fresh_uid() -> int:
    """A uid in ``STUDENT_UIDS`` that no process on this machine has now."""
    used = set()
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                used.add(os.stat(f"/proc/{pid}").st_uid)
            except OSError:
                pass
    while True:
        uid = STUDENT_UIDS.start + secrets.randbelow(len(STUDENT_UIDS))
        if uid not in used:
            return uid


def _kill_user(uid: int) -> None:
    """Kill every process of ``uid`` (this run's own, see ``STUDENT_UIDS``): a child takes
    that uid and signals all it may, kill(-1)."""
    import signal
    pid = os.fork()
    if pid == 0:
        try:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            os.kill(-1, signal.SIGKILL)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


def isolation(limits) -> str:
    if limits.sandbox:
        return "isolation: bubblewrap sandbox (as with rnn-grade grade)"
    if limits.run_as is not None:
        return ("isolation: no bubblewrap in this container (user namespaces not allowed); "
                "the code ran as an unprivileged user of its own (a uid no other process had) in "
                "this submission's own container, without "
                "the key, unable to write the results, with the same resource limits")
    return ("isolation: none beyond this submission's own container (no bubblewrap, and no "
            "unprivileged user to drop to): the code ran as the grader's user")


def run(source: str, submission: str, results: str, seed: int | None = None,
        say=print) -> dict:
    """Grade the one submission in ``submission`` into ``results``; returns the results."""
    from . import gradebook, grading, sandbox
    t0 = time.monotonic()
    _protect(source)
    with open(os.path.join(source, "config.json"), encoding="utf-8") as f:
        config = json.load(f)
    key_path = os.path.join(source, "key.ipynb")
    key, assignment, allowed = grading.load_key(key_path)
    checks = grading.cells.checks(key)
    if seed is None:
        seed = config.get("seed")
    seed = int(seed) if seed is not None else secrets.randbelow(2**31)
    say(f"rnngrade gradescope: {assignment}, {len(checks)} checks, grading seed {seed}")
    limits = sandbox.Limits(workers=1)
    lib_root = grading._lib_root()
    try:
        ok, why = sandbox.available(lib_root)
        if not ok:
            limits.sandbox = False
            if os.geteuid() == 0 and shutil.which("setpriv"):
                limits.run_as = _fresh_uid()
            say(f"  no sandbox: {why}")
        lib = sandbox.Lib(lib_root, sorted(allowed))
        if limits.run_as is not None:
            if sandbox.reachable_by_others(lib):
                work = os.path.join(lib_root, "work")
                os.chown(work, limits.run_as, limits.run_as)
            else:                        # e.g. Python under /root: others cannot run it
                limits.run_as = None
        if (not limits.sandbox and limits.run_as is None
                and os.environ.get("RNNGRADE_UNSAFE_NO_SANDBOX") != "1"):
            # with the grader's own rights the student's code could rewrite results.json
            # after the grader wrote it (a process it leaves behind): no score, a failed run
            raise RuntimeError(
                "rnngrade gradescope: refusing to run the student's code with the grader's "
                "own rights (no bubblewrap sandbox, and no drop to an unprivileged user: "
                + ("no setpriv, or not root" if os.geteuid() != 0 or not shutil.which("setpriv")
                   else "an unprivileged user cannot run this Python") + "); RNNGRADE_UNSAFE_NO_SANDBOX=1 "
                "grades anyway, for code you trust")
        spec, expected = grading.expected_outputs(key, allowed, seed)
        path, why = find_notebook(submission, assignment)
        notes = [why] if why else []
        if path is None:
            result = grading.score("submission", checks, spec, None, expected, notes, {})
            result.seed = seed
            for r in result.results:
                r.why = "no notebook graded"
        else:
            result = grading.grade_notebook(
                "submission", path, lib=lib, limits=limits, spec=spec, checks=checks,
                expected=expected, seed=seed, allowed=allowed, notes=notes)
        if limits.run_as is not None:    # what the cells left behind (setsid escapes the
            _kill_user(limits.run_as)    # runner's process group), before results exist
        if result.error:                 # the grader's failure: no results.json, Gradescope
            raise RuntimeError(result.error)   # shows the lecturer a failed autograder run
    finally:
        shutil.rmtree(lib_root, ignore_errors=True)
    data = gradebook.gradescope(result, isolation(limits))
    data["execution_time"] = round(time.monotonic() - t0)
    os.makedirs(os.path.dirname(os.path.abspath(results)), exist_ok=True)
    tmp = results + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1, ensure_ascii=False)
    os.replace(tmp, results)
    say(f"  score {data['score']:g} / {sum(c.points for c in checks):g} "
        f"in {data['execution_time']} s")
    return data


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m rnngrade.gradescope")
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="grade the submission in a Gradescope container")
    r.add_argument("--source", default="/autograder/source")
    r.add_argument("--submission", default="/autograder/submission")
    r.add_argument("--results", default="/autograder/results/results.json")
    r.add_argument("--seed", type=int, default=None)
    args = p.parse_args(argv)
    run(args.source, args.submission, args.results, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())

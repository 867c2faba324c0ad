"""Running notebooks: the key with nbclient, the graded notebooks with pytest + nbval.

The graded notebooks of a whole class go to one pytest run: nbval turns each code cell into a
test, pytest-xdist spreads the notebooks over ``workers`` processes (``--dist loadfile``: a
notebook stays on one worker, in one kernel), and ``rnngrade.recorder`` writes each cell's
outcome. Each kernel is started through ``rnngrade.sandbox`` (see there for the limits).
"""
from __future__ import annotations

import glob
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field

import nbformat

KERNEL_NAME = "rnngrade-sandbox"
# A pytest-xdist worker costs a couple of seconds to start and stop (a Python process importing
# pytest, nbval and jupyter_client); a notebook of these assignments takes about one. Measured
# on 2 cores with assignment 1: 3 notebooks take 5 s in one process and 7 s in two, 6 about
# 8 s either way, 12 take 14 s in one and 11 s in two.
MIN_NOTEBOOKS_PER_WORKER = 3


@dataclass
class Limits:
    cell_timeout: int = 30       # seconds per cell (nbval interrupts, then the cell fails)
    mem_mb: int = 2048           # address space of each kernel
    cpu_s: int = 300             # CPU seconds of each kernel over the whole notebook
    max_output: int = 20_000     # characters of output per cell
    workers: int = 2             # pytest-xdist processes
    namespaces: bool = True      # no network, hidden paths (where the OS allows it)


def execute(nb, cwd: str, timeout: int = 120):
    """``nb`` run top to bottom with nbclient in an ordinary kernel (for the trusted key)."""
    from nbclient import NotebookClient

    os.makedirs(cwd, exist_ok=True)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": cwd}})
    client.execute()
    return nb


def _kernelspec(jupyter_path: str) -> None:
    folder = os.path.join(jupyter_path, "kernels", KERNEL_NAME)
    os.makedirs(folder, exist_ok=True)
    spec = {"argv": [sys.executable, "-m", "rnngrade.sandbox", "--", sys.executable, "-m",
                     "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "rnn-grade sandbox", "language": "python"}
    with open(os.path.join(folder, "kernel.json"), "w") as f:
        json.dump(spec, f)


def must_stay_visible() -> list[str]:
    """Folders the kernel needs: the environment and the packages it imports."""
    import rnnlib

    import rnngrade
    return [sys.prefix, os.path.dirname(os.path.dirname(rnnlib.__file__)),
            os.path.dirname(os.path.dirname(rnngrade.__file__))]


def safe_to_hide(path: str, keep: list[str]) -> bool:
    path = os.path.realpath(path)
    return not any(os.path.realpath(k) == path or os.path.realpath(k).startswith(path + os.sep)
                   for k in keep)


@dataclass
class Run:
    """One pytest + nbval run over graded notebooks, and what it recorded."""
    workdir: str
    notebooks: dict[str, str]                 # student → graded notebook path
    limits: Limits
    hide: list[str] = field(default_factory=list)

    def workers(self) -> int:
        """pytest-xdist processes: only when each gets a few notebooks to pay for its start."""
        return max(1, min(self.limits.workers, len(self.notebooks) // MIN_NOTEBOOKS_PER_WORKER))

    def command(self) -> list[str]:
        # Plugins are named, never auto-loaded (see environment()): whatever else the
        # lecturer's environment has installed (coverage, hypothesis, ...) stays out.
        cmd = [sys.executable, "-m", "pytest", "-p", "nbval.plugin", "-p", "rnngrade.recorder",
               "-p", "no:cacheprovider", "-c", os.path.join(self.workdir, "pytest.ini"),
               "--rootdir", self.workdir, "--nbval", "--nbval-kernel-name", KERNEL_NAME,
               "--nbval-cell-timeout", str(self.limits.cell_timeout), "-q", "-rN",
               "--tb=no", "--no-header"]
        if self.workers() > 1:
            cmd += ["-p", "xdist.plugin", "-n", str(self.workers()), "--dist", "loadfile"]
        return cmd + sorted(self.notebooks.values())

    def environment(self, runtime: str, runroot: str, jupyter_path: str) -> dict:
        env = dict(os.environ)
        env.update({"JUPYTER_PATH": jupyter_path, "JUPYTER_RUNTIME_DIR": runtime,
                    "RNNGRADE_RUNROOT": runroot, "RNNGRADE_IPC": "1",
                    "RNNGRADE_RECORD": os.path.join(self.workdir, "nb", "record"),
                    "RNNGRADE_HIDE": os.pathsep.join(self.hide),
                    "RNNGRADE_MEM_MB": str(self.limits.mem_mb),
                    "RNNGRADE_CPU_S": str(self.limits.cpu_s),
                    "RNNGRADE_NAMESPACES": "1" if self.limits.namespaces else "0",
                    "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
                    "MKL_NUM_THREADS": "1", "PYDEVD_DISABLE_FILE_VALIDATION": "1",
                    "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"})
        return env

    def start(self) -> subprocess.Popen:
        runtime = os.path.join(self.workdir, "rt")
        runroot = os.path.join(self.workdir, "run")
        jupyter_path = os.path.join(self.workdir, "jupyter")
        for d in (runtime, runroot):
            os.makedirs(d, exist_ok=True)
        _kernelspec(jupyter_path)
        with open(os.path.join(self.workdir, "pytest.ini"), "w") as f:
            f.write("[pytest]\n")
        log = open(os.path.join(self.workdir, "pytest.log"), "w")
        return subprocess.Popen(self.command(), cwd=self.workdir, stdout=log,
                                stderr=subprocess.STDOUT,
                                env=self.environment(runtime, runroot, jupyter_path))

    def records(self) -> list[dict]:
        out = []
        for path in glob.glob(os.path.join(self.workdir, "nb", "record.*")):
            with open(path) as f:
                for line in f:
                    try:
                        out.append(json.loads(line))
                    except json.JSONDecodeError:
                        continue             # a line cut short by a crashed worker
        return out


def run_nbval(run: Run, cells_per_notebook: int, progress=print,
              overall_timeout: float | None = None) -> dict[str, dict[int, dict]]:
    """Run nbval on every notebook of ``run``; returns student → cell number → record."""
    by_path = {os.path.realpath(p): s for s, p in run.notebooks.items()}
    start = time.monotonic()
    proc = run.start()
    done: set[str] = set()
    limit = overall_timeout or (60 + len(run.notebooks) * cells_per_notebook
                                * run.limits.cell_timeout)
    while True:
        finished = proc.poll() is not None
        results = _collect(run.records(), by_path)
        for student, cells_seen in sorted(results.items()):
            if student not in done and len(cells_seen) >= cells_per_notebook:
                done.add(student)
                progress(f"  graded {len(done)}/{len(run.notebooks)}: {student} "
                         f"({time.monotonic() - start:.0f} s)")
        if finished:
            break
        if time.monotonic() - start > limit:
            proc.kill()
            progress(f"  stopped after {limit:.0f} s; cells not run count as failed")
            break
        time.sleep(0.3)
    proc.wait()
    return _collect(run.records(), by_path)


def _collect(records, by_path) -> dict[str, dict[int, dict]]:
    results: dict[str, dict[int, dict]] = {}
    for rec in records:
        student = by_path.get(os.path.realpath(rec["notebook"]))
        if student is not None:
            results.setdefault(student, {})[int(rec["cell"])] = rec
    return results


def write(nb, path: str) -> str:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    nbformat.write(nb, path)
    return path

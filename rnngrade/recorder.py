"""The pytest plugin the grader loads next to nbval: one JSON line per notebook cell run.

Each line: ``{"notebook": path, "cell": n, "passed": bool, "got": text, "error": text}``,
where ``n`` counts code cells as nbval does and ``got`` is the cell's fresh text output.
The grader maps cells to checks; this plugin knows nothing about assignments.

It also makes nbval's kernels talk over Unix sockets (``transport="ipc"``) instead of TCP,
so that a kernel inside its own network namespace can still be driven.
"""
from __future__ import annotations

import functools
import json
import os
import uuid

import pytest

_OUT = "RNNGRADE_RECORD"


def pytest_configure(config):
    import nbval.kernel
    from jupyter_client.manager import KernelManager

    if os.environ.get("RNNGRADE_IPC") == "1":
        nbval.kernel.KernelManager = functools.partial(_ipc_manager, KernelManager)


def _ipc_manager(cls, *args, **kwargs):
    # Absolute socket paths, one prefix per kernel (a relative one would resolve against
    # the kernel's working folder on one side and pytest's on the other).
    prefix = os.path.join(os.environ["JUPYTER_RUNTIME_DIR"], "k" + uuid.uuid4().hex[:12])
    return cls(*args, transport="ipc", ip=prefix, **kwargs)


def text_of(outputs) -> str:
    """The text a list of cell outputs shows: streams, text/plain, errors (at most 4000 chars)."""
    parts = []
    for out in outputs or []:
        if out.get("output_type") == "stream":
            parts.append(out.get("text", ""))
        elif "data" in out:
            parts.append(out["data"].get("text/plain", ""))
        elif out.get("output_type") == "error":
            parts.append(f"{out.get('ename')}: {out.get('evalue')}")
    return "".join(parts)[:4000]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    path = os.environ.get(_OUT)
    if not path or not hasattr(item, "cell_num"):
        return
    if report.when == "call" or (report.when == "setup" and report.failed):
        record = {"notebook": str(item.fspath), "cell": item.cell_num,
                  "passed": bool(report.passed),
                  "got": text_of(getattr(item, "test_outputs", None)),
                  "error": "" if report.passed else str(report.longrepr)[-2000:]}
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        with open(f"{path}.{worker}", "a") as f:                # one file per worker
            f.write(json.dumps(record) + "\n")

"""How `make test` shares the test files among its workers (pytest-xdist), used by conftest.py.

Only xdist's controller decides; collection, and any run without ``--dist loadfile``, keep
pytest's own order.

- **Whole files.** A file's tests run in one worker (``--dist loadfile``): a notebook's cells
  share one kernel, a site test file one browser context or server. Files whose tests share
  one piece of session work are one unit too (``SHARED_WORK``): tests/test_site.py and
  tests/test_a11y.py read the same visit of each page (the ``page_audit`` fixture).
- **The most expensive unit next.** Each time a worker needs work it gets the costliest unit
  left, so a long notebook does not start last while the other worker sits idle. A file's cost
  is its wall time in the last full run here (``make test`` and ``make test-fast`` set
  ``RNNBOOK_RECORD_TIMES=1``; the times live in pytest's cache, so a run of a few tests, with
  ``-k`` or ``--lf``, does not overwrite them), else a notebook's stated compute budget or its
  last recorded run (tools/execute_book.py reads both), else a small guess per test.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

COST_KEY = "rnnbook/seconds_per_file"
RECORD_ENV = "RNNBOOK_RECORD_TIMES"
GUESS_PER_TEST = 0.05
SHARED_WORK = {"tests/test_site.py": "site pages", "tests/test_a11y.py": "site pages"}


def file_of(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


def unit_of(nodeid: str) -> str:
    """The unit of work a test belongs to: its file, or the name of the work its file shares."""
    return SHARED_WORK.get(file_of(nodeid), file_of(nodeid))


def stated_cost(path: Path) -> float | None:
    """A notebook's expected seconds (its budget, else its last run), None for other files and
    for a notebook whose metadata cannot be read (nbval then reports that notebook itself)."""
    if path.suffix != ".ipynb":
        return None
    import execute_book   # tools/, on sys.path (conftest.py)

    try:
        return execute_book.expected_cost(json.loads(path.read_text()))
    except (OSError, ValueError, TypeError, AttributeError):
        return None


def unit_cost(nodeids, root: Path, measured: dict) -> float:
    """Expected seconds of one unit: the sum over its files (see the module docstring)."""
    counts: dict[str, int] = {}
    for nodeid in nodeids:
        counts[file_of(nodeid)] = counts.get(file_of(nodeid), 0) + 1
    total = 0.0
    for f, n in counts.items():
        seconds = measured.get(f)
        if not isinstance(seconds, (int, float)) or isinstance(seconds, bool) or seconds <= 0:
            seconds = stated_cost(root / f) or GUESS_PER_TEST * n
        total += seconds
    return total


def costliest(workqueue: dict, root: Path, measured: dict) -> str:
    """The scope of ``workqueue`` (scope -> its nodeids) with the highest expected cost; the
    first such in the queue's order on a tie."""
    return max(workqueue, key=lambda scope: unit_cost(workqueue[scope], root, measured))


def _measured(config) -> dict:
    cache = getattr(config, "cache", None)
    known = cache.get(COST_KEY, {}) if cache is not None else {}
    return known if isinstance(known, dict) else {}


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """`--dist loadfile`, with the files of SHARED_WORK in one unit, the costliest unit first."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    root, measured = Path(config.rootpath), _measured(config)

    class CostliestFirst(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return unit_of(nodeid)

        def _assign_work_unit(self, node) -> None:
            # xdist hands out the front of the queue: put the costliest unit there
            self.workqueue.move_to_end(costliest(self.workqueue, root, measured), last=False)
            super()._assign_work_unit(node)

    return CostliestFirst(config, log)


_seconds: dict[str, float] = {}


def pytest_runtest_logreport(report):
    # on xdist's controller this sees every worker's reports (setup, call and teardown)
    _seconds[file_of(report.nodeid)] = _seconds.get(file_of(report.nodeid), 0.0) + report.duration


def pytest_sessionfinish(session, exitstatus):
    """Keep each file's time, for a full run that was not interrupted (tests failing is fine)."""
    cache = getattr(session.config, "cache", None)
    if (cache is None or hasattr(session.config, "workerinput") or not _seconds
            or os.environ.get(RECORD_ENV) != "1" or exitstatus not in (0, 1)):
        return
    known = _measured(session.config)
    known.update({f: round(s, 2) for f, s in _seconds.items() if s > 0})
    cache.set(COST_KEY, known)

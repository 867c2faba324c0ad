"""How `make test` shares the test files among its workers (pytest-xdist), used by conftest.py.

- **Whole files.** A file's tests run in one worker (``--dist loadfile``): a notebook's cells
  share one kernel, a site test file one browser context or server. Files whose tests share
  one piece of session work are one unit too (``SHARED_WORK``): tests/test_site.py and
  tests/test_a11y.py read the same visit of each page (the ``page_audit`` fixture). xdist's
  ``xdist_group`` mark would say this per module, but with pytest 9 it no longer takes effect
  (xdist 3.8 renames ``item._nodeid``, which pytest 9 no longer reads).
- **The most expensive first** (``--no-loadscope-reorder`` makes xdist keep the collected
  order): otherwise a long notebook may start last while the other worker sits idle. A
  file's cost is its time in the last run here (kept in pytest's cache), else a notebook's
  stated compute budget or last recorded run (tools/execute_book.py reads both), else a small
  guess per test.
"""
from __future__ import annotations

import json
from pathlib import Path

COST_KEY = "rnnbook/seconds_per_file"
GUESS_PER_TEST = 0.05
SHARED_WORK = {"tests/test_site.py": "site pages", "tests/test_a11y.py": "site pages"}


def file_of(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


def unit_of(nodeid: str) -> str:
    """The unit of work a test belongs to: its file, or the name of the work its file shares."""
    return SHARED_WORK.get(file_of(nodeid), file_of(nodeid))


def stated_cost(path: Path) -> float | None:
    """A notebook's expected seconds (its budget, else its last run), None for other files."""
    if path.suffix != ".ipynb":
        return None
    import execute_book   # tools/, on sys.path (conftest.py)

    try:
        return execute_book.expected_cost(json.loads(path.read_text()))
    except (OSError, ValueError):
        return None


def costliest_first(nodeids: list[str], paths: dict[str, Path], measured: dict) -> list[int]:
    """The order (indices into ``nodeids``) that runs the costliest unit first; a stable
    sort, so a file's tests, and units of equal cost, keep their collected order."""
    counts: dict[str, int] = {}
    for nodeid in nodeids:
        counts[file_of(nodeid)] = counts.get(file_of(nodeid), 0) + 1
    cost: dict[str, float] = {}
    for f, n in counts.items():
        seconds = measured.get(f) or stated_cost(paths[f]) or GUESS_PER_TEST * n
        cost[unit_of(f)] = cost.get(unit_of(f), 0.0) + seconds
    return sorted(range(len(nodeids)), key=lambda i: -cost[unit_of(nodeids[i])])


def pytest_collection_modifyitems(session, config, items):
    cache = getattr(config, "cache", None)
    measured = (cache.get(COST_KEY, {}) if cache else {}) or {}
    paths = {file_of(item.nodeid): Path(str(item.fspath)) for item in items}
    order = costliest_first([item.nodeid for item in items], paths, measured)
    items[:] = [items[i] for i in order]


def pytest_xdist_make_scheduler(config, log):
    """`--dist loadfile`, with the files of SHARED_WORK in one unit."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class SharedWorkScheduling(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return unit_of(nodeid)

    return SharedWorkScheduling(config, log)


_seconds: dict[str, float] = {}


def pytest_runtest_logreport(report):
    # on xdist's controller this sees every worker's reports (setup, call and teardown)
    _seconds[file_of(report.nodeid)] = _seconds.get(file_of(report.nodeid), 0.0) + report.duration


def pytest_sessionfinish(session):
    cache = getattr(session.config, "cache", None)
    if cache is None or hasattr(session.config, "workerinput") or not _seconds:
        return
    known = cache.get(COST_KEY, {}) or {}
    known.update({f: round(s, 2) for f, s in _seconds.items()})
    cache.set(COST_KEY, known)

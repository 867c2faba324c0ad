"""Run the book's notebooks into the build's cache, several at a time, before the strict build.

    .venv/bin/python tools/execute_book.py [--jobs N] [--force] [NOTEBOOK ...]

`make build` (and so `make book` and `make test`) runs this first, then `jupyter-book build`,
which finds every notebook already executed and only renders. Jupyter Book would run them
one after the other; here they run in ``--jobs`` processes (default: the number of CPUs),
the most expensive first, each kernel in the notebook's own folder as the build's would be.

- Which notebooks: every ``.ipynb`` page of ``_toc.yml`` (or those named), except pages whose
  metadata turns execution off (``"mystnb": {"execution_mode": "off"}``, the released
  assignments). The longest run first (by stated budget, else by the cell timings stored
  from the notebook's last run), so the longest chapter does not start last.
- The cache is the build's own, ``_build/.jupyter_cache`` (jupyter-cache): a notebook whose
  code cells and kernelspec match a cached run is not run again, the same rule the build
  applies (``execute_notebooks: cache``); ``--force`` runs them all.
- **Compute budgets.** Each chapter states how much computing it may take, in its notebook
  metadata: ``"rnnbook": {"compute_budget_s": 40}``, CPU seconds of its kernel (user +
  system, so another program's load on the machine does not count against it) on one BLAS
  thread. The report gives each notebook's CPU and wall time against its budget. A notebook
  over budget fails the run (exit 1), as does a notebook that raises (its traceback is
  printed); a notebook stating no budget gets a note.
"""
from __future__ import annotations

import argparse
import concurrent.futures as cf
import json
import os
import resource
import sys
import time
import traceback
from pathlib import Path

import site_browser  # tools/: the one reader of _toc.yml

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "_build" / ".jupyter_cache"
BUDGET_KEY = ("rnnbook", "compute_budget_s")
UNSTATED = 60.0        # seconds assumed for ordering when a notebook says nothing of its cost


def toc_notebooks(root: Path = ROOT) -> list[Path]:
    """The .ipynb file of every page in _toc.yml, in reading order."""
    return [root / f"{doc}.ipynb" for doc in site_browser.toc_docs(root)
            if (root / f"{doc}.ipynb").exists()]


def stated_budget(nb: dict) -> float | None:
    """The CPU seconds the notebook says it may take, or None when it says nothing."""
    value = nb.get("metadata", {}).get(BUDGET_KEY[0], {}).get(BUDGET_KEY[1])
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ValueError(f"metadata {'.'.join(BUDGET_KEY)} must be a positive number of "
                         f"seconds, got {value!r}")
    return float(value)


def recorded_seconds(nb: dict) -> float | None:
    """Wall seconds of the notebook's last run, from the cell timings Jupyter stores in each
    cell's metadata (``execution``: ``iopub.execute_input`` .. ``shell.execute_reply``)."""
    from datetime import datetime

    total, found = 0.0, False
    for cell in nb.get("cells", []):
        stamps = cell.get("metadata", {}).get("execution", {})
        try:
            start = datetime.fromisoformat(stamps["iopub.execute_input"].replace("Z", "+00:00"))
            end = datetime.fromisoformat(stamps["shell.execute_reply"].replace("Z", "+00:00"))
        except (KeyError, TypeError, ValueError, AttributeError):
            continue
        total, found = total + max((end - start).total_seconds(), 0.0), True
    return total if found else None


def expected_cost(nb: dict) -> float:
    """For running the longest first: the stated budget, else the last run's time, else a guess."""
    for cost in (stated_budget(nb), recorded_seconds(nb)):
        if cost is not None:
            return cost
    return UNSTATED


def execution_off(nb: dict) -> bool:
    return nb.get("metadata", {}).get("mystnb", {}).get("execution_mode") == "off"


def _execute(path: str, timeout: int) -> dict:
    """Run one notebook in this (worker) process; its kernel is this process's only child."""
    import nbformat
    from jupyter_cache.executors.utils import single_nb_execution

    nb = nbformat.read(path, as_version=4)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = single_nb_execution(nb, cwd=str(Path(path).parent), timeout=timeout,
                                 allow_errors=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"path": path, "nb": nbformat.writes(result.nb), "wall": wall, "cpu": cpu,
            "error": result.exc_string or (str(result.err) if result.err else None)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks to run (default: every notebook page of _toc.yml)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="notebooks run at once (default: the number of CPUs)")
    parser.add_argument("--force", action="store_true", help="run even the cached ones")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell (as _config.yml)")
    parser.add_argument("--cache", type=Path, default=CACHE)
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error(f"--jobs must be at least 1, got {args.jobs}")

    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    cache = get_cache(str(args.cache))
    todo: list[tuple[Path, float | None, float]] = []
    cached = 0
    for path in [p.resolve() for p in args.notebooks] or toc_notebooks():
        nb = nbformat.read(path, as_version=4)
        if execution_off(nb):
            continue
        budget = stated_budget(nb)
        if not args.force:
            try:
                cache.match_cache_notebook(nb)
                cached += 1
                continue
            except KeyError:
                pass
        todo.append((path, budget, expected_cost(nb)))
    print(f"execute_book: {len(todo)} notebook(s) to run, {cached} cached, {args.jobs} at a time",
          flush=True)
    if not todo:
        return 0

    todo.sort(key=lambda item: -item[2])       # the longest first: it sets the wall time
    failed: list[str] = []
    rows: list[tuple[str, float, float, float | None]] = []
    start = time.perf_counter()
    with cf.ProcessPoolExecutor(max_workers=min(args.jobs, len(todo))) as pool:
        futures = {pool.submit(_execute, str(path), args.timeout): (path, budget)
                   for path, budget, _ in todo}
        for future in cf.as_completed(futures):
            path, budget = futures[future]
            name = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
            try:
                done = future.result()
            except Exception:                       # the worker itself broke, not a cell
                failed.append(name)
                print(f"  FAILED {name}: the executor broke\n{traceback.format_exc()}", flush=True)
                continue
            if done["error"]:
                failed.append(name)
                tail = "\n".join(done["error"].rstrip().splitlines()[-25:])
                print(f"  FAILED {name} after {done['wall']:.0f} s: a cell raised\n{tail}", flush=True)
                continue
            # Cache it as the build does (myst_nb.core.execute.cache), keyed on the code.
            cache.add_nb_to_project(str(path))
            record = cache.cache_notebook_bundle(
                CacheBundleIn(nbformat.reads(done["nb"], as_version=4), str(path),
                              data={"execution_seconds": done["wall"]}),
                check_validity=False, overwrite=True)
            rows.append((name, done["cpu"], done["wall"], budget))
            over = budget is not None and done["cpu"] > budget
            if over:
                failed.append(f"{name} (over budget)")
            print(f"  {'OVER BUDGET' if over else 'ran'} {name}: {done['cpu']:.0f} s CPU, "
                  f"{done['wall']:.0f} s wall, budget "
                  f"{'not stated' if budget is None else f'{budget:.0f} s'} (cache id {record.pk})",
                  flush=True)
    wall = time.perf_counter() - start
    print(f"execute_book: {len(rows)} run in {wall:.0f} s wall, "
          f"{sum(r[1] for r in rows):.0f} s CPU in kernels", flush=True)
    unstated = [r[0] for r in rows if r[3] is None]
    if unstated:
        print(f"execute_book: NOTE: no compute budget stated (metadata "
              f"{json.dumps({BUDGET_KEY[0]: {BUDGET_KEY[1]: 'seconds'}})}) in: "
              + ", ".join(unstated), flush=True)
    if failed:
        print("execute_book: FAILED: " + ", ".join(failed), file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The three jobs of ``rnn-grade``: release a key, grade a class, self-check a notebook.

Grading a class, step by step:

1. draw this run's seed (hidden checks draw their inputs from it, so an answer copied from
   the released notebook's numbers fails them);
2. run the key with that seed (nbclient): its check outputs are the expected outputs;
3. for each student, assemble the graded notebook (``assemble``): key cells, the student's
   answer cells (screened), the expected outputs;
4. run nbval on all of them at once (``runner``), each kernel in the sandbox;
5. score each check: its cell passed nbval and its answer passed the screen; write the
   gradebook, the feedback pages and the Gradescope results (``gradebook``).
"""
from __future__ import annotations

import os
import secrets
import shutil
import tempfile
import time

import nbformat

from . import assemble, cells, gradebook, release, runner, sandbox, submissions


def load_key(path: str):
    nb = nbformat.read(path, as_version=4)
    meta = cells.assignment_meta(nb)
    return nb, meta["assignment"], set(meta.get("allowed_rnnlib", []))


def release_key(key_path: str, out: str) -> str:
    key, name, _ = load_key(key_path)
    with tempfile.TemporaryDirectory(prefix="rg-rel-") as tmp:
        executed = runner.execute(key, cwd=tmp)
    path = os.path.join(out, f"{name}.ipynb")
    return runner.write(release.student_version(executed), path)


def _expected(executed_key) -> dict[str, str]:
    from .recorder import text_of
    return {cells.check_of(c).name: text_of(c.outputs) for c in executed_key.cells
            if c.cell_type == "code" and cells.role(c) == "check"}


def grade(key_path: str, source: str, out: str, *, limits: runner.Limits | None = None,
          seed: int | None = None, progress=print, keep_workdir: bool = False):
    """Grade every submission in ``source``; returns the list of StudentResult."""
    limits = limits or runner.Limits()
    key, name, allowed = load_key(key_path)
    checks = cells.checks(key)
    seed = secrets.randbelow(2**31) if seed is None else int(seed)
    workdir = tempfile.mkdtemp(prefix="rg-")
    t0 = time.monotonic()
    try:
        progress(f"rnn-grade: {name}, {len(checks)} checks, grading seed {seed}")
        expected_nb = runner.execute(assemble.seeded(key, seed),
                                     cwd=os.path.join(workdir, "nb", "key"))
        expected = _expected(expected_nb)
        private = os.path.join(workdir, "nb")
        found = submissions.collect(source, os.path.join(private, "submitted"))
        progress(f"  key run in {time.monotonic() - t0:.0f} s; {len(found)} submissions")
        notebooks, rejected, notes, numbers = {}, {}, {}, None
        for student, path in found.items():
            sub, why = assemble.read_submission(path)
            notes[student] = [why] if why else []
            rejected[student] = {}
            if sub is None:                      # nothing to run: every check scores 0
                continue
            graded, rejected[student] = assemble.graded_notebook(
                expected_nb, assemble.answers_of(sub) if sub else {}, allowed, limits.max_output)
            numbers = assemble.check_cell_numbers(graded)
            n_cells = sum(c.cell_type == "code" for c in graded.cells)
            notebooks[student] = runner.write(
                graded, os.path.join(private, student, f"{student}.ipynb"))
        iso = sandbox.isolation() if limits.namespaces else {"network": False,
                                                             "why": "switched off"}
        hide = _paths_to_hide(key_path, source, out, private)
        if not iso.get("network"):
            progress(f"  NOTE: no network/mount namespaces here ({iso.get('why')}): "
                     "limits and the answer screen still apply")
        records = {}
        if notebooks:
            run = runner.Run(workdir, notebooks, limits, hide)
            records = runner.run_nbval(run, n_cells, progress)
        results = []
        for student in sorted(found):
            by_check = {numbers[n]: rec for n, rec in records.get(student, {}).items()
                        if n in numbers}
            results.append(gradebook.score(student, checks, by_check, expected,
                                           rejected[student], notes[student]))
        gradebook.write_all(out, name, checks, results)
        progress(f"rnn-grade: graded {len(results)} submissions in "
                 f"{time.monotonic() - t0:.0f} s; gradebook at "
                 f"{os.path.join(out, 'gradebook.csv')}")
        return results
    finally:
        if not keep_workdir:
            shutil.rmtree(workdir, ignore_errors=True)


def _paths_to_hide(key_path, source, out, private) -> list[str]:
    keep = runner.must_stay_visible()
    key_dir = os.path.dirname(os.path.abspath(key_path))
    candidates = [os.path.dirname(key_dir), key_dir, private, os.path.abspath(out)]
    if os.path.isdir(source):
        candidates.append(os.path.abspath(source))
    hide = []
    for path in candidates:
        if os.path.isdir(path) and runner.safe_to_hide(path, keep) and path not in hide:
            hide.append(path)
    return hide


def self_check(notebook_path: str, limits: runner.Limits | None = None, progress=print):
    """Run nbval on a student's own notebook; returns [(check, passed)] for its public checks.

    For students: no sandbox is needed for one's own code, and the expected outputs are the
    ones the released notebook carries.
    """
    limits = limits or runner.Limits(namespaces=False, workers=1)
    nb = nbformat.read(notebook_path, as_version=4)
    workdir = tempfile.mkdtemp(prefix="rg-chk-")
    try:
        for cell in nb.cells:
            if cell.cell_type == "code" and cells.role(cell) != "check":
                cell.outputs, cell.execution_count = [], None
                cell.metadata["tags"] = [assemble.IGNORE]
        path = runner.write(nb, os.path.join(workdir, "nb", "self", "self.ipynb"))
        numbers = assemble.check_cell_numbers(nb)
        n_cells = sum(c.cell_type == "code" for c in nb.cells)
        run = runner.Run(workdir, {"self": path}, limits, [])
        records = runner.run_nbval(run, n_cells, progress=lambda *_: None).get("self", {})
        found = [(cells.check_of(c), False) for c in nb.cells
                 if c.cell_type == "code" and cells.role(c) == "check"]
        passed = {numbers[n] for n, r in records.items() if n in numbers and r["passed"]}
        return [(c, c.name in passed) for c, _ in found]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

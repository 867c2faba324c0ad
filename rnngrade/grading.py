"""The three jobs of ``rnn-grade``: release a key, grade a class, self-check a notebook.

Grading a class, step by step:

1. draw this run's seed (hidden checks draw their inputs from it, so an answer copied from
   the released notebook's numbers fails them), or take the seed of the journal being
   resumed;
2. run the seeded key, trusted, in a runner of its own outside any student's sandbox: its
   check outputs (and, for gradient checks, the grader's closed-form references) are the
   expected outputs; they stay in this process;
3. for each student, in ``workers`` sandboxes at a time: the key's cells with the student's
   answer sources (no output of any kind) run in a fresh sandbox (``sandbox``); the grader
   compares each check's output with the expected output, scores it, and journals the
   student's result (``<out>/journal/``) as soon as the student is done;
4. write the gradebook, the feedback pages and the Gradescope results (``gradebook``).

A rerun with the same ``--out`` resumes: it reuses the journal's seed and grades only the
students with no journaled result (or whose submission changed).
"""
from __future__ import annotations

import concurrent.futures
import hashlib
import json
import os
import secrets
import shutil
import signal
import tempfile
import threading
import time

import nbformat

from . import assemble, cells, gradebook, references, release, sandbox, submissions


class SandboxUnavailable(RuntimeError):
    """No working sandbox here, and --unsafe-no-sandbox was not given."""


def load_key(path: str):
    nb = nbformat.read(path, as_version=4)
    meta = cells.assignment_meta(nb)
    return nb, meta["assignment"], set(meta.get("allowed_rnnlib", []))


def _lib_root() -> str:
    """A new folder for this run's allowlist, which the sandbox's user must be able to reach:
    in the temporary folder if every folder above it lets others through, else in /tmp."""
    base = os.path.realpath(tempfile.gettempdir())
    path = base
    while path not in ("/", ""):
        if not os.stat(path).st_mode & 0o001:
            base = "/tmp"
            break
        path = os.path.dirname(path)
    root = tempfile.mkdtemp(prefix="rg-lib-", dir=base)
    os.chmod(root, 0o755)                   # it holds nothing private: helpers, no solution
    return root


def run_key(key, allowed, seed: int | None, limits: sandbox.Limits | None = None):
    """The key (key-only cells dropped), run trusted; returns (spec, {cell index: output})."""
    if seed is not None:
        nb = assemble.seeded(key, seed)
    else:                                   # the key's own seed cell, as released
        nb = nbformat.reads(nbformat.writes(key), as_version=4)
        nb.cells = [c for c in nb.cells if cells.role(c) != "key-only"]
    spec = assemble.spec_of(nb)
    job = [dict(item, source=_solution(nb, item)) for item in spec]
    root = _lib_root()
    try:
        lib = sandbox.Lib(root, sorted(allowed))
        trusted = sandbox.Limits(cell_timeout=600, cpu_s=3600, sandbox=False,
                                 max_output=200_000)
        outcome = sandbox.run(lib, trusted, job, wall_s=3600)
        if not outcome.finished and not any(r["error"] for r in outcome.cells.values()):
            # the key's process died without a Python error (seen once under heavy load):
            # the key is deterministic, so a second run tells a real fault from a passing one
            outcome = sandbox.run(lib, trusted, job, wall_s=3600)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    for i, item in enumerate(job):
        rec = outcome.cells.get(i)
        if rec is None or rec["error"]:
            detail = f"; its standard error began: {outcome.stderr[-1500:]}" \
                if rec is None and outcome.stderr else ""
            raise RuntimeError(f"key: cell {i} ({item['kind']}) failed: "
                               f"{rec['error'] if rec else outcome.why}{detail}")
    return spec, outcome.cells


def _solution(nb, item):
    """The key's own source for an answer (the spec holds the stub)."""
    if item["kind"] != "answer":
        return item["source"]
    for cell in nb.cells:
        if cells.role(cell) == "answer" and str(cells.info(cell).get("answer")) == item["answer"]:
            return cell.source
    return item["source"]


def release_key(key_path: str, out: str) -> str:
    key, name, allowed = load_key(key_path)
    _, outputs = run_key(key, allowed, None)
    executed = nbformat.reads(nbformat.writes(key), as_version=4)
    n = 0
    for cell in executed.cells:                 # ungraded cells keep the key's stored outputs
        if not cells.runs(cell):
            continue
        rec = outputs[n]
        n += 1
        cell.outputs = ([nbformat.v4.new_output("stream", name="stdout", text=rec["out"])]
                        if rec["out"] else [])
        cell.execution_count = n
    path = os.path.join(out, f"{name}.ipynb")
    os.makedirs(out, exist_ok=True)
    nbformat.write(release.student_version(executed), path)
    return path


# ---------------------------------------------------------------- grading

def _sha(path_or_bytes) -> str:
    h = hashlib.sha256()
    if isinstance(path_or_bytes, bytes):
        h.update(path_or_bytes)
    else:
        with open(path_or_bytes, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()


def same_text(got: str, expected: str) -> bool:
    """nbval's comparison of text outputs: equal up to trailing whitespace on each line."""
    def norm(t):
        return "\n".join(line.rstrip() for line in t.rstrip().split("\n"))
    return norm(got) == norm(expected)


def score(student, checks, spec, outcome, expected, notes, warnings) -> gradebook.StudentResult:
    index = {item["check"]: i for i, item in enumerate(spec) if item["kind"] == "check"}
    # answer cells that stopped with an error: a check after one says so (its own error is
    # often only "name 'rnn_step' is not defined", for a function the student did define)
    stopped = [(i, item["answer"], rec["error"]) for i, item in enumerate(spec)
               if item["kind"] == "answer" and outcome
               and (rec := outcome.cells.get(i)) and rec["error"]]
    results = []
    for check in checks:
        rec = outcome.cells.get(index[check.name]) if outcome else None
        exp = expected[check.name]
        passed, why = False, ""
        if rec is None:
            why = "the check did not run" + (f": {outcome.why}" if outcome and outcome.why
                                             else "")
        elif rec["error"]:
            why = _why(rec["error"], check.hidden)
        elif rec["truncated"]:
            why = "the output was longer than the grader keeps, and was cut"
        elif not same_text(rec["out"], exp):
            why = "the output differs from the expected output"
        else:
            passed = True
        if not passed:
            why += "".join(f"; the answer cell {answer!r} stopped with {error[:300]}"
                           for i, answer, error in stopped if i < index[check.name])
        got = "" if rec is None else rec["out"] + (f"\n{rec['error']}" if rec["error"] and
                                                   not check.hidden else "")
        results.append(gradebook.CheckResult(check, passed, check.points if passed else 0.0,
                                             exp, "" if check.hidden else got, why))
    return gradebook.StudentResult(student, results, list(notes), dict(warnings))


def _why(error: str, hidden: bool) -> str:
    kind = error.split(":", 1)[0]
    known = {"NotImplementedError": "not answered yet (NotImplementedError)",
             "Timeout": "the cell ran past the time limit",
             "MemoryError": "the memory limit was reached",
             "CPULimit": "the notebook used up its CPU time"}
    if kind in known:
        return known[kind]
    if "module 'rnnlib' has no attribute" in error:
        return ("the answer called an rnnlib function this assignment asks you to write (the "
                "grader's rnnlib holds only the functions the assignment allows)")
    return f"the check raised {kind}" if hidden else f"the check raised {error[:300]}"


class Journal:
    """``<out>/journal/``: the run's seed, and one file per graded student (its submission's
    and the key's sha256 and its result). A student graded with another key is regraded; their
    entry stays until then, so ``rnn-grade grade --only`` can keep (and flag) it."""

    # "_": no student is named so (their names never start with "_" or "."), so a submission
    # called run.ipynb cannot overwrite the run's seed
    RUN_FILE = "_run.json"

    def __init__(self, out: str, key_sha: str, seed: int | None, keep: bool = False):
        """``seed`` None: the journal's (a new one if there is none). A ``seed`` other than
        the journal's starts a new journal, unless ``keep``: then this run grades with
        ``seed`` and the other students' entries stay, each with the seed it was graded
        with (``rnn-grade grade --only X --seed N``)."""
        self.dir = os.path.join(out, "journal")
        self.key = key_sha
        os.makedirs(self.dir, exist_ok=True)
        run_file = os.path.join(self.dir, self.RUN_FILE)
        old = None
        if os.path.exists(run_file):
            try:
                with open(run_file) as f:
                    old = json.load(f)
            except (OSError, ValueError):
                old = None
        resumable = old is not None and (seed is None or old.get("seed") == seed)
        if old is not None and not resumable and keep:
            self.seed, self.resumed, self.run_seed = int(seed), True, int(old["seed"])
            return
        if not resumable:
            for name in os.listdir(self.dir):
                os.remove(os.path.join(self.dir, name))
            seed = secrets.randbelow(2**31) if seed is None else int(seed)
            self._write(run_file, {"seed": seed})
        self.seed = int(old["seed"]) if resumable else seed
        self.resumed = resumable
        self.run_seed = self.seed            # the seed of entries that name none

    @staticmethod
    def _write(path, data):
        tmp = path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(data, f)
        os.replace(tmp, path)

    def load(self, student: str, sha: str, checks,
             any_key: bool = False) -> gradebook.StudentResult | None:
        """The journaled result for this submission and this key (or, ``any_key``, the key it
        was graded with: see ``key_of``); None if there is none."""
        path = os.path.join(self.dir, f"{student}.json")
        try:
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
            if data["sha"] != sha or not (any_key or data.get("key") == self.key):
                return None
            result = gradebook.StudentResult.from_dict(data["result"], checks)
            if result.error:                 # never journaled by this version; regrade it
                return None
            if result.seed is None:          # journaled before entries named their seed
                result.seed = self.run_seed
            return result
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def key_of(self, student: str) -> str | None:
        """The sha256 of the key a student's journaled result was graded with."""
        try:
            with open(os.path.join(self.dir, f"{student}.json"), encoding="utf-8") as f:
                return json.load(f).get("key")
        except (OSError, ValueError, AttributeError):
            return None

    def forget(self, student: str) -> None:
        try:
            os.remove(os.path.join(self.dir, f"{student}.json"))
        except FileNotFoundError:
            pass

    def save(self, student: str, sha: str, result: gradebook.StudentResult) -> None:
        if result.error:
            raise ValueError(f"journal: {student!r} has no result (the grader failed on it); "
                             "it is not journaled, so that the next run grades it again")
        self._write(os.path.join(self.dir, f"{student}.json"),
                    {"sha": sha, "key": self.key, "result": result.to_dict()})


def expected_outputs(key, allowed, seed: int):
    """(spec, {check name: expected output}) of a key for one grading seed: the seeded key
    run trusted, outside any sandbox, and the grader's references for gradient checks."""
    spec, key_out = run_key(key, allowed, seed)
    expected = {item["check"]: key_out[i]["out"] for i, item in enumerate(spec)
                if item["kind"] == "check"}
    for cell in key.cells:
        ref = cells.info(cell).get("reference") if cells.role(cell) == "check" else None
        if ref:
            expected[cells.check_of(cell).name] = references.expected(ref, seed)
    return spec, expected


def grade_notebook(student: str, path: str, *, lib, limits, spec, checks, expected,
                   seed: int, allowed, notes=(), screen: bool = True
                   ) -> gradebook.StudentResult:
    """One submission graded: its answers in the key's cells, run in a fresh sandbox, each
    check's output compared with the expected one. Never raises: a failure of the grader
    itself gives a result with ``error`` set and no score (not a 0), which is not journaled
    and is graded again by the next run."""
    try:
        sub, why = assemble.read_submission(path)
        notes = list(notes) + ([why] if why else [])
        warnings, outcome = {}, None
        if sub is not None:
            answers = assemble.answers_of(sub)
            warnings = assemble.warnings(spec, answers, allowed) if screen else {}
            outcome = sandbox.run(lib, limits, assemble.job(spec, answers, seed))
        result = score(student, checks, spec, outcome, expected, notes, warnings)
        result.seed = seed
        return result
    except Exception as err:                          # the grader's bug, not the student's
        error = (f"the grader failed on this submission ({type(err).__name__}: "
                 f"{sandbox.printable(err, 300)}); this is not a score: a rerun grades it again")
        result = score(student, checks, spec, None, expected, list(notes), {})
        result.seed, result.error = seed, error
        for r in result.results:
            r.why = "not graded (grader error)"
        return result


def grade(key_path: str, source: str, out: str, *, limits: sandbox.Limits | None = None,
          seed: int | None = None, progress=print, screen: bool = True,
          keep_journal: bool = False):
    """Grade every submission in ``source``; returns the list of StudentResult.

    ``keep_journal``: a ``seed`` other than the journal's grades these submissions with it
    and keeps every other student's journaled result (``--only X --seed N``)."""
    limits = limits or sandbox.Limits()
    key, name, allowed = load_key(key_path)
    checks = cells.checks(key)
    os.makedirs(out, exist_ok=True)
    private = tempfile.mkdtemp(prefix="rg-")          # submissions' copies: 0700, never bound
    lib_root = _lib_root()
    t0 = time.monotonic()
    restore = _exit_on_sigterm()
    try:
        if limits.sandbox:
            ok, why = sandbox.available(lib_root)
            if not ok:
                raise SandboxUnavailable(f"rnn-grade: no sandbox here: {why}; refusing to "
                                         "grade (--unsafe-no-sandbox runs students' code "
                                         "without one)")
        journal = Journal(out, _sha(key_path), seed, keep=keep_journal)
        seed = journal.seed
        progress(f"rnn-grade: {name}, {len(checks)} checks, grading seed {seed}"
                 + (f" (for these students; the others keep their results, most graded with "
                    f"seed {journal.run_seed})" if journal.run_seed != seed
                    else " (resumed)" if journal.resumed else ""))
        spec, expected = expected_outputs(key, allowed, seed)
        found = submissions.collect(source, os.path.join(private, "submitted"))
        progress(f"  key run in {time.monotonic() - t0:.0f} s; {len(found)} submissions")
        notes_all = [] if limits.sandbox else [
            ("graded WITHOUT a sandbox (--unsafe-no-sandbox): the student's code ran with the "
             "grader's rights")]
        lib = sandbox.Lib(lib_root, sorted(allowed))
        results: dict[str, gradebook.StudentResult] = {}
        todo = []
        for student, path in found.items():
            sha = _sha(path)
            done = journal.load(student, sha, checks)
            if done is not None:
                results[student] = done
            else:
                todo.append((student, path, sha))
        if journal.resumed:
            progress(f"  {len(results)} already graded in the journal; {len(todo)} to grade")
        lock = threading.Lock()

        def one(student, path, sha):
            result = grade_notebook(student, path, lib=lib, limits=limits, spec=spec,
                                    checks=checks, expected=expected, seed=seed,
                                    allowed=allowed, notes=notes_all, screen=screen)
            if not result.error:
                try:
                    journal.save(student, sha, result)
                except Exception as err:                # e.g. the disk is full
                    result.error = (f"the grader could not journal this result "
                                    f"({type(err).__name__}: {sandbox.printable(err, 200)}); "
                                    "a rerun grades it again")
            with lock:
                results[student] = result
                progress(f"  graded {len(results)}/{len(found)}: {student} "
                         + (f"NOT GRADED: {result.error} " if result.error else "")
                         + f"({time.monotonic() - t0:.0f} s)")

        with concurrent.futures.ThreadPoolExecutor(max(1, limits.workers)) as pool:
            futures = [pool.submit(one, *item) for item in todo]
            try:
                for f in concurrent.futures.as_completed(futures):
                    f.result()
            except BaseException:
                for f in futures:
                    f.cancel()
                sandbox.kill_all()
                raise
        ordered = [results[s] for s in sorted(results)]
        gradebook.write_all(out, name, checks, ordered, sandboxed=limits.sandbox)
        progress(f"rnn-grade: graded {len(ordered)} submissions in "
                 f"{time.monotonic() - t0:.0f} s; gradebook at "
                 f"{os.path.join(out, 'gradebook.csv')}")
        return ordered
    finally:
        sandbox.kill_all()
        shutil.rmtree(private, ignore_errors=True)
        shutil.rmtree(lib_root, ignore_errors=True)
        restore()


def _exit_on_sigterm():
    """SIGTERM and SIGHUP end the grader through its ``finally`` (temporary files removed)."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def handler(signum, frame):
        raise SystemExit(128 + signum)
    old = {s: signal.signal(s, handler) for s in (signal.SIGTERM, signal.SIGHUP)}
    return lambda: [signal.signal(s, h) for s, h in old.items()]


# ---------------------------------------------------------------- self-check

def self_check(notebook_path: str, limits: sandbox.Limits | None = None):
    """A student's notebook, run fresh against its release's pristine public checks.

    Returns (results: list of CheckResult, warnings, note). The checks, setup cells and
    expected outputs come from ``metadata["rnngrade"]["release"]``, which ``rnn-grade
    release`` wrote; only the answer cells' sources come from the student's cells.
    """
    limits = limits or sandbox.Limits(workers=1)
    sub, why = assemble.read_submission(notebook_path)
    if sub is None:
        raise ValueError(f"NOTEBOOK: {why}")
    meta = (sub.get("metadata") or {}).get("rnngrade") or {}
    pristine = meta.get("release") if isinstance(meta, dict) else None
    if not isinstance(pristine, dict) or "cells" not in pristine:
        raise ValueError("NOTEBOOK: no pristine copy of the checks in its metadata "
                         "(metadata.rnngrade.release); use the notebook rnn-grade release made")
    try:
        spec, expected = list(pristine["cells"]), dict(pristine["expected"])
        checks = [cells.Check(str(i["check"]), str(i.get("graded_answer", "")),
                              float(i.get("points", 1)), False)
                  for i in spec if i["kind"] == "check"]
        for i in spec:
            if not isinstance(i.get("source"), str) or (i["kind"] == "check"
                                                        and i["check"] not in expected):
                raise ValueError(i.get("check", i["kind"]))
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        raise ValueError("NOTEBOOK: its pristine copy of the checks (metadata.rnngrade.release) "
                         f"is damaged ({type(err).__name__}: {str(err)[:80]}); use the notebook "
                         "rnn-grade release made") from None
    answers = assemble.answers_of(sub)
    allowed = set(meta.get("allowed_rnnlib", []))
    warnings = assemble.warnings(spec, answers, allowed)
    root = _lib_root()
    note = ""
    try:
        if limits.sandbox:
            ok, why = sandbox.available(root)
            if not ok:
                limits.sandbox = False
                note = f"no sandbox here ({why}); your code ran as a plain process"
        lib = sandbox.Lib(root, sorted(allowed))
        outcome = sandbox.run(lib, limits, assemble.job(spec, answers))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    result = score("self", checks, spec, outcome, expected, [], warnings)
    return result.results, warnings, note

"""The notebook runner that executes one student's cells inside the sandbox.

Copied by the grader, as ``rgkernel.py``, into the read-only folder bound into the sandbox;
it imports nothing from the grader (standard library and numpy only). It says
``{"started": true}`` on its standard output, then reads one job from standard input:
``{"cells": [{"kind": "setup"|"seed"|"answer"|"check", "source": ...}], "timeout": seconds
per cell, "max_output": characters per cell, "limits": {...}}``, and
writes one JSON line per cell to its standard output as each cell finishes:
``{"i": n, "out": text, "error": "Name: message" or "", "truncated": bool}``. Nothing it
writes is trusted by the grader beyond being this student's output: the comparison with the
expected outputs, which never enter the sandbox, happens in the grader.

What it does for the checks (the checks protect themselves):

- answer, setup and seed cells run in one namespace, as in Jupyter; names bound by setup and
  seed cells are remembered apart;
- each check runs in a fresh namespace made from the student's names, then the remembered
  setup names, then its own helpers (numpy, ``show`` ...), with pristine builtins; before it,
  numpy's print and error options and the attributes of numpy, builtins, math, the
  helper modules and the allowed ``rnnlib`` are put back as they were at the start (and the
  code and defaults of their Python functions), and ``print`` goes to this cell's own capture;
- each cell has a time limit (``SIGALRM``, repeated until the cell gives up); each cell's
  output is cut at ``max_output`` characters and the rest dropped;
- the notebook's CPU time ends in ``SIGXCPU``: the cell running then, and every cell after
  it, fail with ``CPULimit`` (``SIGKILL`` follows 2 CPU seconds later).
"""
import builtins
import json
import os
import signal
import sys


class CellTimeout(BaseException):
    """The cell ran past its time limit (a BaseException, so ``except Exception`` misses it)."""


class CPULimit(BaseException):
    """The notebook used up its CPU time (SIGXCPU, at RLIMIT_CPU's soft limit)."""


class Capture:
    """A text stream keeping at most ``limit`` characters."""

    def __init__(self, limit):
        self.limit, self.parts, self.size, self.truncated = limit, [], 0, False

    def write(self, text):
        text = str(text)
        left = self.limit - self.size
        if left > 0:
            self.parts.append(text[:left])
            self.size += min(len(text), left)
        if len(text) > max(left, 0):
            self.truncated = True
        return len(text)

    def flush(self):
        pass

    def isatty(self):
        return False

    def getvalue(self):
        return "".join(self.parts)


def _limits(lim):
    import resource
    mem, cpu = lim.get("mem_mb", 2048) << 20, lim.get("cpu_s", 300)
    fsize, nproc = lim.get("fsize_mb", 16) << 20, lim.get("nproc", 1)
    for name, soft, hard in (("RLIMIT_AS", mem, mem),
                             ("RLIMIT_CPU", cpu, cpu + 2),   # SIGXCPU, then SIGKILL 2 s later
                             ("RLIMIT_FSIZE", fsize, fsize), ("RLIMIT_NPROC", nproc, nproc),
                             ("RLIMIT_NOFILE", 256, 256), ("RLIMIT_CORE", 0, 0)):
        try:
            resource.setrlimit(getattr(resource, name), (soft, hard))
        except (ValueError, OSError):
            pass


def _strip_magics(source):
    """Line magics and shell escapes out (``%time x = f()`` keeps ``x = f()``)."""
    out = []
    for line in source.split("\n"):
        stripped = line.lstrip()
        indent = line[:len(line) - len(stripped)]
        if stripped.startswith(("%%time", "%%timeit", "%%capture")):
            continue
        if stripped.startswith(("%time ", "%timeit ")):
            rest = stripped.split(None, 1)[1]
            while rest.startswith("-"):            # %timeit -n 3 -r 1 stmt
                parts = rest.split(None, 2)
                rest = parts[-1] if len(parts) > 1 else ""
            out.append(indent + rest)
        elif stripped.startswith(("%", "!")):
            out.append(indent + "pass")
        else:
            out.append(line)
    return "\n".join(out)


def main():
    # said before the job is read: the grader sends the job, and so any student's code, only
    # once it has read this, so nothing a student does can look like a sandbox not starting
    os.write(1, b'{"started": true}\n')
    job = json.loads(sys.stdin.read())
    sys.stdin = open(os.devnull)
    results = os.dup(1)                                  # the grader reads this
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    _limits(job.get("limits", {}))

    import math

    import numpy as np

    import rnngrade as helpers  # the allowlisted check helpers

    try:
        import rnnlib as allowed_rnnlib
    except ImportError:
        allowed_rnnlib = None
    modules = [builtins, np, np.linalg, np.random, math, helpers]
    if allowed_rnnlib is not None:                      # its functions are what checks call
        import rnnlib.report
        modules += [allowed_rnnlib, rnnlib.report]
    pristine = {m: dict(vars(m)) for m in modules}
    # a function's code, defaults and globals-independent attributes, put back before each check
    # (``rnngrade.show.__code__ = ...`` would otherwise outlive the answer that set it)
    functions = {id(f): (f, f.__code__, f.__defaults__, f.__kwdefaults__, dict(f.__dict__))
                 for saved in pristine.values() for f in saved.values()
                 if type(f).__name__ == "function"}
    builtins_dict = dict(vars(builtins))
    print_options, err_options = np.get_printoptions(), np.geterr()
    check_names = {"np": np, "numpy": np, "show": helpers.show,
                   "random_params": helpers.random_params, "fmt": helpers.fmt,
                   "below": helpers.below, "smooth_loss": helpers.smooth_loss}
    if allowed_rnnlib is not None:
        check_names["rnnlib"] = allowed_rnnlib
    user = {"__name__": "__main__", "__builtins__": builtins}
    trusted = {}

    def on_alarm(signum, frame):
        raise CellTimeout(f"the cell ran past its time limit of {job['timeout']} s")

    signal.signal(signal.SIGALRM, on_alarm)
    cpu = {"gone": "", "in_cell": False}        # the CPU time used up: no other cell runs

    def on_cpu(signum, frame):
        cpu["gone"] = (f"the notebook used up its {job.get('limits', {}).get('cpu_s', 300)} s "
                       "of CPU time (the grader's --cpu)")
        if cpu["in_cell"]:
            raise CPULimit(cpu["gone"])

    signal.signal(signal.SIGXCPU, on_cpu)

    def reset_state():
        for module, saved in pristine.items():
            d = vars(module)
            for k in [k for k in d if k not in saved]:
                try:
                    del d[k]
                except (KeyError, TypeError):
                    pass
            d.update(saved)
        for f, code, defaults, kwdefaults, attrs in functions.values():
            f.__code__, f.__defaults__, f.__kwdefaults__ = code, defaults, kwdefaults
            f.__dict__.clear()
            f.__dict__.update(attrs)
        np.set_printoptions(**print_options)
        np.seterr(**err_options)

    for i, cell in enumerate(job["cells"]):
        kind, source = cell["kind"], cell["source"]
        if kind == "answer":
            source = _strip_magics(source)
        cap = Capture(job["max_output"])
        error = ""
        if kind == "check":
            reset_state()
            ns = {k: v for k, v in user.items() if k not in builtins_dict}
            ns.update(trusted)
            ns.update(check_names)
            ns["__builtins__"] = dict(builtins_dict)
        else:
            ns = user
            before = dict(user)
        sys.stdout = sys.stderr = cap
        signal.setitimer(signal.ITIMER_REAL, job["timeout"], 0.5)
        try:
            cpu["in_cell"] = True
            if cpu["gone"]:
                raise CPULimit(cpu["gone"])
            exec(compile(source, f"<cell {i}>", "exec"), ns)
        except CPULimit as err:
            error = f"CPULimit: {err}"
        except CellTimeout as err:
            error = f"Timeout: {err}"
        except MemoryError:
            error = "MemoryError: the memory limit was reached"
        except BaseException as err:
            try:
                error = f"{type(err).__name__}: {str(err)[:500]}"
            except BaseException:
                error = "Error: an exception that cannot be shown"
        finally:
            cpu["in_cell"] = False
            signal.setitimer(signal.ITIMER_REAL, 0, 0)
            sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
        if kind in ("setup", "seed"):
            trusted.update({k: v for k, v in user.items()
                            if k not in before or before[k] is not v})
        line = json.dumps({"i": i, "out": cap.getvalue(), "error": error,
                           "truncated": cap.truncated}) + "\n"
        os.write(results, line.encode())
    os.write(results, b'{"done": true}\n')


if __name__ == "__main__":
    main()

"""Advice on a student's answer cell, read from its syntax: what looks out of place.

Advice only: nothing is refused and no point is taken for it. The grader runs every answer
(in its sandbox, ``rnngrade.sandbox``) and shows what the screen noticed as a warning in the
feedback and in ``rnn-grade check``, so a student learns that, say, calling the rnnlib
function they were asked to write earns nothing. The security of grading does not rest on
it: the sandbox holds nothing worth reaching. What it points out:

- imports: only the modules in ``ALLOWED_MODULES``; from rnnlib only the assignment's
  allowed names (``import rnnlib`` then ``rnnlib.<allowed name>``);
- names: no ``open``, ``exec``, ``eval``, ``__import__``, ``get_ipython``, ``exit`` ... which
  read files, run hidden code, reach the kernel or end it;
- attributes: no private or dunder attributes (``__globals__``, ``__subclasses__``, ...),
  which walk from any object to the modules the checks use, and none of the numpy attributes
  that reach the operating system or files (``np.ctypeslib``, ``np.load``, ``np.lib`` ...);
- no assignment to, or deletion of, an attribute of anything but ``self`` (``np.allclose =
  ...``), no rebinding of the names the checks use (``SEED``, ``np``, ``print``...), and no
  ``global`` statement;
- no line magics or shell escapes (``%``, ``!``): IPython turns them into ``get_ipython()``.

An answer that calls the very rnnlib function the student is asked to write gets a warning
here; at run time the function does not exist (the sandbox's rnnlib holds only the allowed
names), so the answer fails its checks.
"""
from __future__ import annotations

import ast

ALLOWED_MODULES = {"numpy", "math", "collections", "itertools", "functools", "typing",
                   "dataclasses", "string", "rnnlib", "rnnlib.report"}
FORBIDDEN_NAMES = {"open", "exec", "eval", "compile", "__import__", "globals", "locals", "vars",
                   "get_ipython", "exit", "quit", "input", "breakpoint", "help", "setattr",
                   "delattr", "getattr", "memoryview", "__builtins__", "__loader__", "__spec__",
                   "display", "In", "Out", "_ih", "_oh", "_i", "_ii", "_iii"}
# Names the check cells use: an answer may read them but never rebind them.
PROTECTED = {"SEED", "show", "random_params", "np", "numpy", "rnnlib", "rnngrade", "print", "len", "range", "float", "int",
             "abs", "bool", "str", "list", "dict", "tuple", "set", "min", "max", "sum", "round",
             "sorted", "zip", "enumerate", "isinstance", "repr", "type", "all", "any", "map"}
ALLOWED_DUNDERS = {"__init__", "__name__", "__doc__", "__repr__", "__call__", "__len__"}
# Attributes through which numpy reaches the operating system, files or other modules.
FORBIDDEN_ATTRIBUTES = {"ctypeslib", "ctypes", "os", "sys", "subprocess", "testing", "lib",
                        "distutils", "f2py", "compat", "core", "builtins", "importlib", "load",
                        "save", "savez", "savez_compressed", "savetxt", "loadtxt", "genfromtxt",
                        "fromfile", "tofile", "memmap", "DataSource", "system", "popen",
                        "fromregex", "dump", "dumps", "show_config", "info"}


def to_python(source: str) -> str:
    """The Python IPython would run for ``source`` (magics become get_ipython() calls)."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except ImportError:                       # plain Python: no magics to transform
        return source
    return TransformerManager().transform_cell(source)


MAX_SCREENED = 200_000            # characters of one answer the screen reads


def problems(source: str, allowed_rnnlib: set[str]) -> list[str]:
    """Why ``source`` may not run as an answer ([] when it may), one sentence per problem.

    The screen is advice and runs in the grader, outside any sandbox: a source too long or
    nested too deep for Python's parser gets one sentence saying so, never an exception (which
    would stop the grading of the whole class) nor the memory a parse of megabytes takes.
    """
    if len(source) > MAX_SCREENED:
        return [f"not screened: the cell is longer than {MAX_SCREENED // 1000} kB"]
    try:
        tree = ast.parse(to_python(source))
    except SyntaxError as err:
        return [f"syntax error on line {err.lineno}: {err.msg}"]
    except (RecursionError, MemoryError, ValueError) as err:
        return [f"not screened: Python's parser gave up on it ({type(err).__name__})"]
    found: list[str] = []
    aliases = _module_aliases(tree)
    for node in ast.walk(tree):
        found += _node_problems(node, aliases, allowed_rnnlib)
    return sorted(set(found))


def _module_aliases(tree) -> dict[str, str]:
    """Local name → module it is bound to, for every ``import`` in the cell."""
    aliases = {"np": "numpy", "rnnlib": "rnnlib", "math": "math"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                aliases[a.asname or a.name.split(".")[0]] = a.name
    return aliases


def _node_problems(node, aliases, allowed_rnnlib) -> list[str]:
    if isinstance(node, ast.Import):
        return [f"imports {a.name}" for a in node.names if a.name not in ALLOWED_MODULES]
    if isinstance(node, ast.ImportFrom):
        mod = node.module or ""
        if node.level or mod not in ALLOWED_MODULES:
            return [f"imports from {mod or '.'}"]
        if mod == "rnnlib":
            return [f"uses rnnlib.{a.name}, which this assignment asks you to write"
                    for a in node.names if a.name not in allowed_rnnlib]
        return []
    if isinstance(node, ast.Name) and node.id in FORBIDDEN_NAMES:
        return [f"uses the name {node.id}"]
    if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)) \
            and node.id in PROTECTED:
        return [f"rebinds {node.id}, which the checks use"]
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) \
            and node.name in PROTECTED:
        return [f"rebinds {node.name}, which the checks use"]
    if isinstance(node, ast.alias) and (node.asname or "") in PROTECTED - {"np", "numpy", "rnnlib"}:
        return [f"rebinds {node.asname}, which the checks use"]
    if isinstance(node, ast.Attribute):
        return _attribute_problems(node, aliases, allowed_rnnlib)
    if isinstance(node, (ast.Global, ast.Nonlocal)):
        return [f"declares {', '.join(node.names)} global"]
    if isinstance(node, ast.While) and isinstance(node.test, ast.Constant) and node.test.value \
            and not any(isinstance(n, (ast.Break, ast.Return)) for n in ast.walk(node)):
        return ["loops forever (a while loop with no break)"]
    if isinstance(node, ast.BinOp) and _constant(node) >= HUGE:
        return ["builds something enormous (a size above 10**8)"]
    return []


HUGE = 10 ** 8


def _constant(node) -> float:
    """The value of an integer expression made of constants (0 if it is not one)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int):
        return node.value
    if isinstance(node, ast.BinOp):
        a, b = _constant(node.left), _constant(node.right)
        try:
            if isinstance(node.op, ast.Mult):
                return a * b
            if isinstance(node.op, ast.Pow) and a and b < 100:
                return a ** b
            if isinstance(node.op, ast.LShift) and b < 100:
                return a << b
        except (OverflowError, ValueError, TypeError):
            return 0
    return 0


def _attribute_problems(node: ast.Attribute, aliases, allowed_rnnlib) -> list[str]:
    found = []
    if node.attr.startswith("_") and node.attr not in ALLOWED_DUNDERS:
        found.append(f"uses the private attribute {node.attr}")
    if node.attr in FORBIDDEN_ATTRIBUTES:
        found.append(f"uses the attribute {node.attr}, which reaches outside the answer")
    base = node.value
    if isinstance(base, ast.Name) and base.id in aliases:
        module = aliases[base.id]
        if module == "rnnlib" and node.attr not in allowed_rnnlib:
            found.append(f"uses rnnlib.{node.attr}, which this assignment asks you to write")
    if isinstance(node.ctx, (ast.Store, ast.Del)) and not (isinstance(base, ast.Name)
                                                            and base.id == "self"):
        found.append(f"changes the attribute {node.attr} of an object it did not create")
    return found

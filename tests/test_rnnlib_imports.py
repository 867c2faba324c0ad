"""rnnlib's import graph has no cycle, and no import is hidden in a function to dodge one.

The modules are read as source (ast), not imported: an edge M -> X is an import of rnnlib
module X written at the top level of M. A package's own ``__init__`` is not an edge of its
submodules (Python loads it first anyway). An import inside a function body is allowed only
when moving it to the top would not close a cycle: then it defers a slow import (sympy,
matplotlib, ipywidgets) rather than hiding a dependency that goes both ways.
"""
from __future__ import annotations

import ast
from pathlib import Path

import rnnlib

ROOT = Path(rnnlib.__file__).resolve().parent


def module_name(path: Path) -> str:
    parts = ("rnnlib",) + path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in ROOT.rglob("*.py")}


def targets(node, current: str, is_package: bool) -> list[str]:
    """The rnnlib modules an Import / ImportFrom node loads."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names if a.name.split(".")[0] == "rnnlib"]
    if node.level:
        base = current.split(".")
        base = base if is_package else base[:-1]
        base = base[:len(base) - (node.level - 1)]
        pkg = ".".join(base + ([node.module] if node.module else []))
    else:
        pkg = node.module or ""
    if pkg.split(".")[0] != "rnnlib":
        return []
    out = [f"{pkg}.{a.name}" for a in node.names if f"{pkg}.{a.name}" in MODULES]
    return out or [pkg]


def edges() -> tuple[dict, list]:
    """(top-level graph {module: set of modules}, [(module, line, target) in function bodies])."""
    graph, deferred = {m: set() for m in MODULES}, []
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        is_package = path.name == "__init__.py"
        in_function = set()
        for fn in ast.walk(tree):
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                in_function.update(id(n) for n in ast.walk(fn) if n is not fn)
        for node in ast.walk(tree):
            if not isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            for target in targets(node, name, is_package):
                if target == name or name.startswith(target + "."):
                    continue            # a package's own __init__, loaded first anyway
                if id(node) in in_function:
                    deferred.append((name, node.lineno, target))
                else:
                    graph[name].add(target)
    return graph, deferred


def reaches(graph: dict, start: str, goal: str) -> bool:
    seen, todo = set(), [start]
    while todo:
        m = todo.pop()
        if m == goal:
            return True
        if m not in seen:
            seen.add(m)
            todo.extend(graph.get(m, ()))
    return False


def find_cycle(graph: dict) -> list[str] | None:
    """One cycle as [m0, m1, ..., m0], or None."""
    colour, stack = {}, []

    def visit(m):
        colour[m] = "grey"
        stack.append(m)
        for n in sorted(graph.get(m, ())):
            if colour.get(n) == "grey":
                return stack[stack.index(n):] + [n]
            if n not in colour:
                found = visit(n)
                if found:
                    return found
        stack.pop()
        colour[m] = "black"
        return None

    for m in sorted(graph):
        if m not in colour:
            found = visit(m)
            if found:
                return found
    return None


def test_the_walk_sees_the_core():
    graph, _ = edges()
    assert {"rnnlib.core.loop", "rnnlib.core.rnn"} <= graph["rnnlib.core.forward"]
    assert "rnnlib.core.lstm" in graph["rnnlib.core.loop"]
    assert "rnnlib.core.validation" in graph["rnnlib.core.gru"]


def test_no_import_cycle():
    graph, _ = edges()
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_no_import_inside_a_function_dodges_a_cycle():
    graph, deferred = edges()
    dodging = [f"{m}:{line} imports {t}, which imports {m} back" for m, line, t in deferred
               if reaches(graph, t, m)]
    assert not dodging, "\n".join(dodging)


def test_the_checker_finds_a_cycle_and_a_dodge():
    graph = {"a": {"b"}, "b": {"c"}, "c": set()}
    assert find_cycle(graph) is None
    assert reaches(graph, "a", "c") and not reaches(graph, "c", "a")
    graph["c"].add("a")
    assert find_cycle(graph) == ["a", "b", "c", "a"]


LIBRARY = ("rnnlib.core", "rnnlib.training", "rnnlib.architectures", "rnnlib.text")
ON_TOP = ("rnnlib.book", "rnnlib.plotting", "rnnlib.widgets", "rnnlib.symbolic",
          "rnnlib.experiments")


def test_the_library_does_not_import_what_serves_the_book():
    graph, deferred = edges()
    wrong = [f"{m} imports {t}" for m, targets_ in graph.items() for t in targets_
             if m.startswith(LIBRARY) and t.startswith(ON_TOP)]
    wrong += [f"{m}:{line} imports {t}" for m, line, t in deferred
              if m.startswith(LIBRARY) and t.startswith(ON_TOP)]
    assert not wrong, "\n".join(wrong)


def test_no_loose_modules_at_the_top():
    assert sorted(p.name for p in ROOT.glob("*.py")) == ["__init__.py"]

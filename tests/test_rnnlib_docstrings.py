"""Every public function of the library that takes or returns arrays states their shapes.

The rule, made precise:

- *public*: a function whose name has no leading underscore, defined (not imported) in a
  module of ``rnnlib.core``, ``rnnlib.training`` or ``rnnlib.architectures`` (the library
  proper), or named in ``rnnlib.__all__``;
- *takes or returns arrays*: a parameter or the return value is annotated ``np.ndarray``, or a
  parameter has one of the contract's array names (``ARRAY_ARGS``: xs, targets, h0, s0, ...);
- *states a shape*: its docstring holds at least one shape in the book's style, a parenthesised
  tuple of size symbols with a comma, such as ``(T, B, D)``, ``(H,)``, ``(G·H, D)``,
  ``(T+1, B)`` or ``(T, [B,] H)`` (single letters with short subscripts, numbers, and ·, +, -,
  [ ] between them; at least one size, i.e. a number or a capital other than the parameter
  names U, V, W, so "(V, c)" is not a shape), or, for an elementwise function, says
  "any shape" or "same shape". ("grads shaped like params" says nothing of xs's shape.)

A function that only passes arrays through to another one still says their shapes: a reader
holds one function in their head, not the chain.
"""
from __future__ import annotations

import importlib
import inspect
import pkgutil
import re

import numpy as np

import rnnlib

PACKAGES = ("rnnlib.core", "rnnlib.training", "rnnlib.architectures")
ARRAY_ARGS = {"xs", "targets", "h0", "s0", "dh", "d_o", "ids", "src", "tgt", "query",
              "mask", "lengths", "prime_ids", "o", "a", "h", "hs", "x_t", "h_prev", "xu", "dz",
              "W", "analytic", "numeric"}
TOKEN = r"(?:\d*[A-Z](?:_?[A-Za-z0-9]{1,3})?['′→←]?|\d+|\.\.\.|…|[a-z][a-z_]*)"
PART = re.compile(rf"{TOKEN}(?:\s*[·+\-*]\s*{TOKEN})*")
# Elementwise functions say so instead of naming sizes.
ANY_SHAPE = re.compile(r"\bany shape\b|\bsame shape\b")
SIZE = re.compile(r"[0-9]|[A-TX-Z]")      # a number or a size symbol (U, V, W are parameters)


def states_shape(doc: str) -> bool:
    """Whether ``doc`` holds a shape such as (T, B, D), (H,), (G·H, D), (T, [B,] H)."""
    if ANY_SHAPE.search(doc):
        return True
    for group in re.findall(r"\(([^()]*)\)", doc):
        parts = [p.strip() for p in group.replace("[", "").replace("]", "").split(",")]
        if len(parts) < 2 or parts[-1] == "" and len(parts) == 2 and not parts[0]:
            continue
        if parts[-1] == "":
            parts = parts[:-1]                  # (H,)
        if all(PART.fullmatch(p) for p in parts) and any(SIZE.search(p) for p in parts):
            return True
    return False


# Every package is under the rule now (chapter 10's seq2seq joined it last).
NOT_YET = ()


def library_functions():
    seen = {}
    for pkg_name in PACKAGES:
        pkg = importlib.import_module(pkg_name)
        for info in pkgutil.walk_packages(pkg.__path__, pkg_name + "."):
            if info.name.startswith(NOT_YET):
                continue
            module = importlib.import_module(info.name)
            for name, fn in vars(module).items():
                if (inspect.isfunction(fn) and not name.startswith("_")
                        and fn.__module__ == module.__name__):
                    seen[f"{module.__name__}.{name}"] = fn
    for name in rnnlib.__all__:
        fn = getattr(rnnlib, name)
        if inspect.isfunction(fn) and not fn.__module__.startswith(NOT_YET):
            seen.setdefault(f"{fn.__module__}.{fn.__name__}", fn)
    return seen


def handles_arrays(fn) -> bool:
    sig = inspect.signature(fn)
    annotations = [str(p.annotation) for p in sig.parameters.values()]
    annotations.append(str(sig.return_annotation))
    return (any("ndarray" in a for a in annotations)
            or any(name in ARRAY_ARGS for name in sig.parameters))


def test_the_shape_pattern():
    for text in ("xs (T, B, D)", "h0 (H,)", "U (G·H, D)", "(T+1, B)", "h (T, [B,] H)",
                 "(K, H)", "(B, H_L)", "(n, 2)", "elementwise, any shape"):
        assert states_shape(text), text
    for text in ("(xs, targets)", "(loss, grads)", "(a float)", "see (1)", "(i.e. H)", "(a, b)",
                 "returns (V, c)", "(U, W, b)", "grads shaped like params"):
        assert not states_shape(text), text


def test_the_rule_catches_a_function_without_shapes():
    """The rule can fail: a function taking xs whose docstring names no shape is reported."""
    def run(params, xs):
        """Run the model over xs and return grads shaped like params."""

    def step(h: np.ndarray) -> np.ndarray:
        """One step; returns (V, c)."""
    for fn in (run, step):
        assert handles_arrays(fn) and not states_shape(inspect.getdoc(fn)), fn.__name__


def test_every_public_function_with_arrays_states_shapes():
    missing = [name for name, fn in sorted(library_functions().items())
               if handles_arrays(fn) and not states_shape(inspect.getdoc(fn) or "")]
    assert not missing, ("docstrings without a shape such as (T, B, D):\n  "
                         + "\n  ".join(missing))

"""Parameters of composite models as nested mappings, and what training needs from them.

A bidirectional model's parameters are ``{"forward": {U, W, b}, "backward": {U, W, b}, "V", "c"}``,
a stacked one's ``{"layers": [{U, W, b}, ...], "V", "c"}``: each part keeps the book's names.
``leaves`` walks such a tree, so one optimiser, one clipping rule and one gradient check
(``tree_grad_errors``) serve every architecture. A plain model's flat {U, W, V, b, c} is the
simplest tree. Keys named "h0" and "s0" hold gradients of initial states, not parameters;
``leaves(..., params_only=True)`` skips them.
"""
from __future__ import annotations

import numpy as np

from ..core.gradcheck import numerical_grads, relative_error
from ..core.params import copy_params as copy_tree  # noqa: F401  (one deep copy; its tree name)
from ..core.validation import PARAM_KEYS, bad_type, bad_value, check_positive

STATE_KEYS = ("h0", "s0")     # gradients of initial states: not parameters


def leaves(tree, prefix: str = "", params_only: bool = False):
    """(path, array) for every array in a nested dict/list, paths like "forward/U" or "layers/0/W"."""
    if isinstance(tree, dict):
        for key in tree:
            if params_only and key in STATE_KEYS:
                continue
            yield from leaves(tree[key], f"{prefix}{key}/", params_only)
    elif isinstance(tree, (list, tuple)):
        for i, item in enumerate(tree):
            yield from leaves(item, f"{prefix}{i}/", params_only)
    else:
        yield prefix[:-1], tree


def get(tree, path: str):
    """The entry of ``tree`` (nested dicts and lists of arrays) at ``path`` ("layers/0/W", or
    "W" in a flat model): the array there, of its own shape."""
    if "/" not in path and isinstance(tree, dict):
        return tree[path]
    for part in path.split("/"):
        tree = tree[int(part)] if isinstance(tree, (list, tuple)) else tree[part]
    return tree


def param_leaves(tree):
    """(path, array) for every parameter of a tree, states excluded; a flat model's
    {U, W, V, b, c} in that order (so sums over a flat model add in one fixed order)."""
    if isinstance(tree, dict) and isinstance(tree.get("W"), np.ndarray):     # a flat model
        return [(k, tree[k]) for k in PARAM_KEYS if k in tree]
    return list(leaves(tree, params_only=True))


def as_vector(tree) -> np.ndarray:
    """Every parameter of a tree as one vector (N,), N the number of parameters: the arrays of
    ``param_leaves`` (states excluded) raveled and joined in that order."""
    if not isinstance(tree, (dict, list, tuple)):
        raise bad_type("tree", "a parameter tree (a dict or list of arrays)", tree)
    arrays = [np.ravel(p) for _, p in param_leaves(tree)]
    if not arrays:
        raise bad_value("tree", "a parameter tree holding at least one parameter", "none")
    return np.concatenate(arrays)


def count(params) -> int:
    """The number of trainable numbers in a parameter tree (nested dicts and lists of arrays
    of any shape): the sum of their sizes, the states' gradients "h0", "s0" excluded."""
    return int(sum(np.size(p) for _, p in leaves(params, params_only=True)))


def _spelled(path: str) -> str:
    """A leaf's path as the caller indexes it: "encoder/W" -> "params['encoder']['W']"."""
    return "params" + "".join(f"[{p}]" if p.isdigit() else f"['{p}']" for p in path.split("/"))


def tree_grad_errors(loss_and_grads, params, *args, eps: float = 1e-5, floor: float = 1e-9,
                     **kwargs) -> dict:
    """How far a model's gradients are from central finite differences, for every parameter
    array of a tree: {path: relative error} (paths as ``leaves`` writes them, "encoder/W").

    loss_and_grads(params, *args, **kwargs) -> (loss, grads), grads a tree shaped like
    ``params`` (a flat model's {U, W, V, b, c}, an architecture's, chapter 10's seq2seq
    tree). Each parameter array, a float ndarray of any shape, is perturbed in place entry by
    entry by ±eps (``numerical_grads``) and restored; the states' gradients "h0", "s0" are not
    checked. ``floor`` is the ``eps`` of ``relative_error``: a finite difference carries
    rounding noise of about 1e-11 relative to the loss, so a gradient much smaller than
    ``floor`` is compared absolutely. Values below ~1e-6 mean the gradient is right.
    """
    if not callable(loss_and_grads):
        raise bad_type("loss_and_grads", "a function params -> (loss, grads)", loss_and_grads)
    if not isinstance(params, (dict, list, tuple)):
        raise bad_type("params", "a parameter tree (a dict or list of arrays)", params)
    eps, floor = check_positive("eps", eps), check_positive("floor", floor)
    arrays = param_leaves(params)
    if not arrays:
        raise bad_value("params", "a parameter tree holding at least one parameter", "none")
    for path, array in arrays:
        # numerical_grads writes x + eps into the array: an int array would round it away
        if not (isinstance(array, np.ndarray) and array.dtype.kind == "f"):
            raise bad_type(_spelled(path), "a float ndarray (perturbed in place)", array)
    _, grads = loss_and_grads(params, *args, **kwargs)

    def loss(_):
        return loss_and_grads(params, *args, **kwargs)[0]
    errors = {}
    for path, array in arrays:
        try:
            analytic = get(grads, path)
        except (KeyError, IndexError, TypeError):
            raise bad_value("loss_and_grads", "a function returning (loss, grads) with grads "
                            "shaped like params", f"grads without '{path}'") from None
        numeric = numerical_grads(loss, {path: array}, eps)[path]
        errors[path] = relative_error(analytic, numeric, floor)
    return errors

"""Parameters of composite models as nested mappings, and what training needs from them.

A bidirectional model's parameters are ``{"forward": {U, W, b}, "backward": {U, W, b}, "V", "c"}``,
a stacked one's ``{"layers": [{U, W, b}, ...], "V", "c"}``: each part keeps the book's names.
``leaves`` walks such a tree, so one optimiser, one clipping rule and one gradient check
(``tree_grad_errors``) serve every architecture. A plain model's flat {U, W, V, b, c} is the
simplest tree; a flat model may hold more arrays (the skip weights "Ws" of
``experiments.long_memory``), and every walker counts them. Keys named "h0" and "s0" hold
gradients of initial states, not parameters; ``leaves(..., params_only=True)`` skips them.
"""
from __future__ import annotations

from numbers import Real

import numpy as np

from ..core.bptt import loss_and_grads as core_loss_and_grads
from ..core.gradcheck import FLOOR, numerical_grads, relative_error
from ..core.params import copy_params as copy_tree  # noqa: F401  (one deep copy; its tree name)
from ..core.validation import (PARAM_KEYS, as_array, bad_type, bad_value, check_positive)

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


def _is_flat(tree) -> bool:
    """A flat model: a mapping whose "W" is an array (the core's {U, W, V, b, c}, maybe with
    more arrays), rather than a tree of parts."""
    return isinstance(tree, dict) and isinstance(tree.get("W"), np.ndarray)


def param_leaves(tree):
    """(path, array) for every parameter of a tree, states excluded. A flat model's entries come
    in one fixed order whatever the dict's order: the core's U, W, V, b, c, then its other
    entries sorted by name (so sums over a flat model, a global norm, add in one order, and a
    parameters' and its gradients' dict list them alike); a nested tree's in its own order."""
    if _is_flat(tree):
        core = [k for k in PARAM_KEYS if k in tree]
        others = sorted(k for k in tree if k not in PARAM_KEYS and k not in STATE_KEYS)
        return [leaf for k in core + others for leaf in leaves(tree[k], f"{k}/", True)]
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
    of any shape): the sum of the sizes of ``param_leaves``, the states' gradients "h0", "s0"
    excluded (so it is the length of ``as_vector``)."""
    return int(sum(np.size(p) for _, p in param_leaves(params)))


def spelled(path: str, root: str = "params") -> str:
    """A leaf's path as the caller indexes it: "encoder/W" -> "params['encoder']['W']"."""
    return root + "".join(f"[{p}]" if p.isdigit() else f"['{p}']" for p in path.split("/"))


def _loss(value) -> float:
    """What a loss function returned as its loss: a finite real number."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise bad_type("loss_and_grads", "a function returning (loss, grads) with the loss a "
                       "real number", value)
    if not np.isfinite(value):
        raise bad_value("loss_and_grads", "a function returning a finite loss", float(value))
    return float(value)


def _loss_and_grads(loss_and_grads, params, args, kwargs):
    """(loss, grads) from the caller's function, its result checked to be such a pair."""
    out = loss_and_grads(params, *args, **kwargs)
    if not (isinstance(out, tuple) and len(out) == 2):
        raise bad_value("loss_and_grads", "a function returning the pair (loss, grads)",
                        f"{type(out).__name__}" + (f" of {len(out)} items"
                                                   if isinstance(out, tuple) else ""))
    return _loss(out[0]), out[1]


def tree_grad_errors(loss_and_grads, params, *args, eps: float = 1e-5, floor: float = FLOOR,
                     states: bool = False, **kwargs) -> dict:
    """How far a model's gradients are from central finite differences, for every parameter
    array of a tree: {path: relative error} (paths as ``leaves`` writes them, "encoder/W").

    loss_and_grads(params, *args, **kwargs) -> (loss, grads): the loss a real number, grads a
    tree shaped like ``params`` (a flat model's {U, W, V, b, c}, an architecture's, chapter
    10's seq2seq tree). Each parameter array, a float64 ndarray of any shape, is perturbed in
    place entry by entry by ±eps (``numerical_grads``) and restored. The states' gradients
    "h0", "s0" are checked only with ``states=True``, when the tree holds the states (as
    ``check_grads`` builds it). ``floor``: see ``core.gradcheck.FLOOR``. Values below ~1e-6
    mean the gradient is right.
    """
    if not callable(loss_and_grads):
        raise bad_type("loss_and_grads", "a function params -> (loss, grads)", loss_and_grads)
    if not isinstance(params, (dict, list, tuple)):
        raise bad_type("params", "a parameter tree (a dict or list of arrays)", params)
    eps, floor = check_positive("eps", eps), check_positive("floor", floor)
    if not isinstance(states, bool):
        raise bad_type("states", "a bool", states)
    arrays = param_leaves(params)
    if states:
        arrays += [(p, a) for p, a in leaves(params) if p.split("/")[-1] in STATE_KEYS]
    if not arrays:
        raise bad_value("params", "a parameter tree holding at least one parameter", "none")
    for path, array in arrays:
        # numerical_grads writes x ± eps into the array: an int array would round it away and
        # float32 keep only ~2 of its digits (a right gradient would look ~1e-3 off)
        if not (isinstance(array, np.ndarray) and array.dtype == np.float64):
            raise bad_type(spelled(path), "a float64 ndarray (perturbed in place)", array)
    _, grads = _loss_and_grads(loss_and_grads, params, args, kwargs)
    analytic = {}
    for path, array in arrays:
        try:
            g = get(grads, path)
        except (KeyError, IndexError, TypeError):
            raise bad_value("loss_and_grads", "a function returning (loss, grads) with grads "
                            "shaped like params", f"grads without {spelled(path, 'grads')}"
                            ) from None
        g = as_array("loss_and_grads", g)
        if g.dtype.kind not in "iuf" or g.shape != array.shape:
            raise bad_value("loss_and_grads", "a function returning (loss, grads) with grads "
                            "shaped like params", f"{spelled(path, 'grads')} of shape {g.shape} "
                            f"and dtype {g.dtype} for {spelled(path)} of shape {array.shape}")
        analytic[path] = g

    def loss(_):
        return _loss_and_grads(loss_and_grads, params, args, kwargs)[0]
    return {path: relative_error(analytic[path], numerical_grads(loss, {path: array}, eps)[path],
                                 floor)
            for path, array in arrays}


def check_grads(params: dict, xs, targets, *, h0=None, s0=None, eps: float = 1e-5,
                floor: float = FLOOR, **options) -> dict:
    """Relative error between BPTT and finite differences for U, W, V, b, c, h0 (and the
    LSTM's s0): ``tree_grad_errors`` on the core's model, its initial states included.

    params, xs (T, [B,] D) or ids (T, [B,]), targets, h0 and s0 ((H,) / (B, H)) as for
    ``rnnlib.loss_and_grads``; ``options`` are passed to it (cell, activation, loss, mode,
    truncate). ``floor``: see ``core.gradcheck.FLOOR``. Returns {name: relative error};
    values below ~1e-6 mean the gradient is right.
    """
    _, analytic = core_loss_and_grads(params, xs, targets, h0=h0, s0=s0, **options)
    # a float64 copy of every array, states included, perturbed instead of the caller's
    tree = {k: np.array(params[k], dtype=float) for k in PARAM_KEYS}
    for k, given in (("h0", h0), ("s0", s0)):
        if k in analytic:           # s0: the LSTM's only
            tree[k] = np.zeros_like(analytic[k]) if given is None else np.array(given, float)

    def run(t):
        return core_loss_and_grads({k: t[k] for k in PARAM_KEYS}, xs, targets, h0=t["h0"],
                                   s0=t.get("s0"), **options)
    return tree_grad_errors(run, tree, eps=eps, floor=floor, states=True)

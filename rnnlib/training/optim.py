"""The optimisers, one object each: SGD, Adagrad (min-char-rnn's), Adam.

Each has ``step(params, grads)``, which updates every parameter array of ``params`` in place
(training loops then need no copying) and returns ``params``. ``params`` is any parameter
tree: a plain or gated model's {U, W, V, b, c}, or an architecture's nested dicts and lists
(rnnlib.training.tree). ``grads`` has the same layout; its keys that are not parameters
("h0", "s0") are ignored. Per-parameter state (Adagrad's G, Adam's m and v) is keyed by the
parameter's path ("U", or "layers/0/W"). Notation: learning rate η (``lr``), gradient g.

    SGD       θ ← θ − η g
    Adagrad   G ← G + g²                θ ← θ − η g / √(G + ε)          (Duchi et al., 2011)
    Adam      m ← β₁ m + (1 − β₁) g     v ← β₂ v + (1 − β₂) g²           (Kingma & Ba, 2015)
              m̂ = m / (1 − β₁ᵏ)         v̂ = v / (1 − β₂ᵏ)                k: updates so far
              θ ← θ − η m̂ / (√v̂ + ε)
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..core.validation import as_array, bad_type, bad_value, check_fraction, check_positive
from .tree import get, param_leaves


def _pairs(params, grads):
    """(path, parameter, its gradient) for every parameter; checks the gradient's shape."""
    if not isinstance(grads, (Mapping, list, tuple)):
        raise bad_type("grads", "a mapping like params", grads)
    for path, p in param_leaves(params):
        if not (isinstance(p, np.ndarray) and p.dtype.kind == "f"):     # updated in place
            raise bad_type(f"params['{path}']", "a float ndarray (updated in place)", p)
        try:
            g = get(grads, path)
        except (KeyError, IndexError):
            raise bad_value("grads", "the layout of params",
                            f"no gradient of {path!r}") from None
        if as_array(f"grads['{path}']", g).dtype.kind not in "iuf":
            raise bad_type(f"grads['{path}']", "a real numeric array", g)
        if np.shape(g) != np.shape(p):
            raise bad_value("grads", f"the gradient of {path!r} shaped {np.shape(p)} like the "
                            "parameter", f"shape {np.shape(g)}")
        yield path, p, g


class SGD:
    """θ ← θ − η g: plain gradient descent, no state."""

    def __init__(self, lr: float = 0.1):
        self.lr = check_positive("lr", lr)

    def step(self, params, grads):
        """Update ``params`` (a parameter tree of float arrays) in place with ``grads`` (the
        same layout, each gradient shaped like its parameter) and return it."""
        for _, p, g in _pairs(params, grads):
            p -= self.lr * g
        return params


class Adagrad:
    """θ ← θ − η g / √(G + ε), G the running sum of g²: each entry's step shrinks as its
    gradients accumulate, so rarely-updated entries (columns of U for rare tokens) keep larger
    steps (Duchi et al., 2011). ``memory[path]`` is G for that parameter."""

    def __init__(self, lr: float = 0.1, eps: float = 1e-8):
        self.lr = check_positive("lr", lr)
        self.eps = check_positive("eps", eps)
        self.memory: dict = {}

    def step(self, params, grads):
        """Update ``params`` (a parameter tree of float arrays) in place with ``grads`` (the
        same layout, each gradient shaped like its parameter) and return it."""
        for path, p, g in _pairs(params, grads):
            mem = self.memory.setdefault(path, np.zeros_like(p))
            mem += g * g
            p -= self.lr * g / np.sqrt(mem + self.eps)
        return params


class Adam:
    """Adam with the defaults of its paper: lr 0.001, β₁ 0.9, β₂ 0.999, ε 1e-8. An entry whose
    gradient is always 0 never moves, so zeroing a gradient (``rnnlib.freeze``) keeps that
    parameter fixed under Adam too. ``t`` counts the updates (k in the book)."""

    def __init__(self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8):
        self.lr = check_positive("lr", lr)
        self.beta1 = check_fraction("beta1", beta1)
        self.beta2 = check_fraction("beta2", beta2)
        self.eps = check_positive("eps", eps)
        self.t = 0                       # updates done so far
        self.m: dict = {}                # running mean of g, per parameter
        self.v: dict = {}                # running mean of g², per parameter

    def step(self, params, grads):
        """Update ``params`` (a parameter tree of float arrays) in place with ``grads`` (the
        same layout, each gradient shaped like its parameter) and return it."""
        pairs = list(_pairs(params, grads))        # every shape checked before any update
        self.t += 1
        for path, p, g in pairs:
            m = self.m.setdefault(path, np.zeros_like(p))
            v = self.v.setdefault(path, np.zeros_like(p))
            m *= self.beta1
            m += (1 - self.beta1) * g
            v *= self.beta2
            v += (1 - self.beta2) * g * g
            m_hat = m / (1 - self.beta1 ** self.t)
            v_hat = v / (1 - self.beta2 ** self.t)
            p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
        return params


OPTIMIZERS = {"sgd": SGD, "adagrad": Adagrad, "adam": Adam}


def sgd_step(params, grads, lr: float):
    """θ ← θ − lr · ∂L/∂θ for every parameter: one step of :class:`SGD`; ``params`` and
    ``grads`` as :meth:`SGD.step` takes them. Returns ``params``."""
    return SGD(lr).step(params, grads)

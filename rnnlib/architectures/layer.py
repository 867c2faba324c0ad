"""One recurrent layer without an output layer: the building block of every architecture here.

    a_t = b + W h_{t-1} + U x_t,        h_t = f(a_t),        t = 1..T

A layer's parameters are U (H, D), W (H, H), b (H,): the book's RNN minus V and c. What sits on
top of the states (an output layer, another layer, a decoder) is not the layer's business, so
the backward pass takes ∂L/∂h_t *from above* for every t, ``dh`` (T, B, H), and adds the part
that comes back through the recurrence:

    ∂L/∂a_t = (dh_t + Wᵀ ∂L/∂a_{t+1}) ⊙ f'(a_t)

Everything works in the batched layout: xs (T, B, D) floats or (T, B) token ids, h0 (B, H).
``as_batch`` brings a caller's single sequence into it. The forward pass is rnnlib's own
(``rnnlib.forward``, with a placeholder output layer that nothing reads), and so is the
backward pass (``rnnlib.core.bptt.recurrence_backward``, the part of BPTT below the output
layer): the recurrence, its input checks and its error messages are the core's.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from ..core.bptt import recurrence_backward
from ..core.forward import forward
from ..core.params import init_params
from ..core.validation import check_param_mapping

LAYER_KEYS = ("U", "W", "b")


@dataclass
class LayerCache:
    """What the backward pass needs. xs (T, B, D) or (T, B) ids; h0 (B, H); a, h (T, B, H)."""

    xs: np.ndarray
    h0: np.ndarray
    a: np.ndarray
    h: np.ndarray
    activation: str

    @property
    def token_ids(self) -> bool:
        return self.xs.dtype.kind in "iu"


def init_layer(input_size: int, hidden_size: int, *, seed: int = 0) -> dict:
    """U (H, D), W (H, H), b (H,) drawn as ``rnnlib.init_params`` draws them."""
    p = init_params(input_size, hidden_size, 1, seed=seed)
    return {k: p[k] for k in LAYER_KEYS}


@contextmanager
def named(prefix: str):
    """Re-raise the core's ValueError/TypeError with the argument renamed for this architecture.

    The core says "argument 'params['U']'"; inside a bidirectional model the caller should read
    "argument 'params['forward']['U']'". ``prefix`` is the path, e.g. "params['forward']".
    """
    try:
        yield
    except (ValueError, TypeError) as exc:
        message = re.sub(r"argument 'params(\[[^\]]*\])?'", lambda m: f"argument '{prefix}{m.group(1) or ''}'",
                         str(exc))
        raise type(exc)(message) from None


def check_layer_params(params, name: str = "params") -> dict:
    """The mapping must hold U, W and b (V and c, if present, are ignored)."""
    check_param_mapping(params, LAYER_KEYS, name)
    return {k: params[k] for k in LAYER_KEYS}


def as_batch(xs) -> tuple[np.ndarray, bool]:
    """(xs in the batched layout, whether the caller passed a batch).

    Token ids (T,) become (T, 1), floats (T, D) become (T, 1, D); batches pass through. Shapes
    that fit neither are left for the core's check to reject with its message.
    """
    arr = np.asarray(xs)
    if arr.dtype.kind in "iu" and arr.ndim == 1:
        return arr[:, None], False
    if arr.dtype.kind == "f" and arr.ndim == 2:
        return arr[:, None, :], False
    return arr, True


def layer_forward(params: dict, xs: np.ndarray, h0=None, *, activation: str = "tanh",
                  name: str = "params") -> LayerCache:
    """Run one layer over xs (T, B, D) floats or (T, B) ids (one sequence is a batch of one);
    h0 (B, H), (H,) shared by the batch, or None for zeros.

    Returns the cache, always batched; ``cache.h`` (T, B, H) holds h_1..h_T. ``name`` is how
    errors name the parameters.
    """
    layer = check_layer_params(params, name)
    with named(name):
        H = np.shape(layer["W"])[0] if np.ndim(layer["W"]) == 2 else 1
        # rnnlib.forward wants an output layer; a zero one of size 1 costs one tiny product.
        full = {**layer, "V": np.zeros((1, H)), "c": np.zeros(1)}
        xs, _ = as_batch(xs)
        run = forward(full, xs, h0=h0, activation=activation)
    xs = xs.astype(np.int64) if xs.dtype.kind in "iu" else xs.astype(np.float64)
    return LayerCache(xs=xs, h0=np.array(run.h0), a=run.a, h=run.h, activation=activation)


def layer_backward(params: dict, cache: LayerCache, dh: np.ndarray, *,
                   input_grad: bool = False) -> dict:
    """Gradients of one layer given dh = ∂L/∂h_t from above for every t, (T, B, H).

    Returns {"U", "W", "b"} shaped like the parameters and "h0" of shape (B, H): ∂L/∂h_0.
    dh counts only what reaches h_t from outside the layer; the recurrence adds the rest.
    With ``input_grad`` (float inputs only) also "xs" (T, B, D): ∂L/∂x_t = Uᵀ ∂L/∂a_t, what a
    layer below receives from this one.
    """
    U, W = np.asarray(params["U"], float), np.asarray(params["W"], float)
    h = cache.h
    if np.shape(dh) != h.shape:
        raise ValueError(f"argument 'dh': expected shape {h.shape} like the layer's states, "
                         f"got {np.shape(dh)}")
    hs = np.concatenate([cache.h0[None], h])    # h_0..h_T, as the core's BPTT takes them
    da = np.array(dh, dtype=float)              # becomes ∂L/∂a_t in place
    grads = recurrence_backward(W, cache.xs, cache.token_ids, U.shape[1], hs, da,
                                cache.activation)
    if input_grad:
        if cache.token_ids:
            raise ValueError("argument 'input_grad': token-id inputs have no gradient; "
                             "expected float inputs (T, B, D)")
        grads["xs"] = da @ U
    return grads

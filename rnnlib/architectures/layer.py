"""One recurrent layer without an output layer, of any cell: the building block of every
architecture here.

    plain:  a_t = b + W h_{t-1} + U x_t,   h_t = f(a_t)        LSTM, GRU: ``rnnlib.core.lstm``,
                                                               ``rnnlib.core.gru``

A layer's parameters are U (G·H, D), W (G·H, H), b (G·H,): the cell's model minus V and c (G = 1
for cell="rnn", 4 for "lstm", 3 for "gru", the gates stacked as the contract says; ``cell_of``
reads the cell back off W's shape, for chapter 10's seq2seq tree, which names none). What sits
on top of the states (an output layer, another layer, a decoder) is not the layer's business, so
the backward pass takes ∂L/∂h_t *from above* for every t, ``dh`` (T, B, H), and the cell adds
the part that comes back through the recurrence (for the plain cell
∂L/∂a_t = (dh_t + Wᵀ ∂L/∂a_{t+1}) ⊙ f'(a_t)).

Everything works in the batched layout: xs (T, B, D) floats or (T, B) token ids, h0 (B, H).
``layer_forward`` also takes one sequence (T, D) / (T,) and holds its h0 to (H,), as the core
does; its cache is batched either way, and its ``h0_shared`` says whether ∂L/∂h0 is summed to
(H,) for the caller (``rnnlib.core.loop.unbatch``, the core's rule). ``as_batch`` tells the
architectures which layout they got. Forward and backward are the core's own cell protocol
(``rnnlib.core.loop``: the checks, with a placeholder output layer the checks want, then the
cell's ``run`` and ``backward``), so the recurrence, its input checks and its error messages are
the core's. ``run_layer`` is the same run without the checks, for a model that has checked its
parameters once and then runs many short steps (chapter 10's decoders). The LSTM's cell state
starts at ``s0``, zeros unless given (``start_state``, the one place that says so); the state an
architecture hands on (a context, a layer's summary) is h.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.loop import CELLS
from ..core.params import init_params
from ..core.sequence import input_grads, input_term
from ..core.validation import (CELLS as CELL_NAMES, GATE_COUNT, as_array, bad_type, bad_value,
                               check_cell_call, check_choice, check_param_mapping, check_shape,
                               named)

LAYER_KEYS = ("U", "W", "b")


@dataclass
class LayerCache:
    """What the backward pass needs. xs (T, B, D) or (T, B) ids; h0 (B, H); h (T, B, H) the
    states h_1..h_T; the cell's name and its own cache (``inner``); ``last`` the final state,
    (h_T,) or, for the LSTM, (h_T, s_T), each (B, H). ``h0_shared``: whether the caller's h0
    is one (H,) state for every sequence (so for one sequence too), as ``Call.h0_shared`` says."""

    xs: np.ndarray
    h0: np.ndarray
    h: np.ndarray
    cell: str = "rnn"
    inner: object = None
    last: tuple = ()
    h0_shared: bool = False

    @property
    def token_ids(self) -> bool:
        return self.xs.dtype.kind in "iu"


def init_layer(input_size: int, hidden_size: int, *, cell: str = "rnn", seed: int = 0) -> dict:
    """U (G·H, D), W (G·H, H), b (G·H,) drawn as ``rnnlib.init_params`` draws them for ``cell``."""
    p = init_params(input_size, hidden_size, 1, cell=check_choice("cell", cell, CELL_NAMES),
                    seed=seed)
    return {k: p[k] for k in LAYER_KEYS}


def cell_of(params, name: str = "params") -> str:
    """The cell ("rnn", "lstm" or "gru") a layer's parameters are shaped for, read off W
    (G·H, H): G = 1, 4 or 3. For a model that stores no cell name (chapter 10's seq2seq tree).
    ``name`` is how errors name the parameters."""
    check_layer_params(params, name)
    shape = np.shape(params["W"])
    for cell, G in GATE_COUNT.items():
        if len(shape) == 2 and shape[1] and shape[0] == G * shape[1]:
            return cell
    raise bad_value(f"{name}['W']", "shape (G·H, H) with G = 1 (rnn), 4 (lstm) or 3 (gru)",
                    f"shape {shape}")


def check_layer_params(params, name: str = "params") -> dict:
    """The mapping must hold U, W and b (V and c, if present, are ignored)."""
    check_param_mapping(params, LAYER_KEYS, name)
    return {k: params[k] for k in LAYER_KEYS}


def as_batch(xs) -> tuple[np.ndarray, bool]:
    """(xs in the batched layout, whether the caller passed a batch).

    Token ids (T,) become (T, 1), floats (T, D) become (T, 1, D); batches pass through. Shapes
    that fit neither are left for the core's check to reject with its message (a ragged list
    is rejected here, naming 'xs').
    """
    arr = as_array("xs", xs)
    if arr.dtype.kind in "iu" and arr.ndim == 1:
        return arr[:, None], False
    if arr.dtype.kind == "f" and arr.ndim == 2:
        return arr[:, None, :], False
    return arr, True


def start_state(h0: np.ndarray, cell: str) -> tuple:
    """The state a layer of ``cell`` starts from, given h0 (B, H): (h0,), or for the LSTM
    (h0, s0) with the cell state s0 = 0. Every architecture here starts an LSTM so unless it is
    given an s0 (chapter 7's and chapter 10's decoders from their context C)."""
    return (h0, np.zeros_like(h0)) if cell == "lstm" else (h0,)


def run_layer(params: dict, xs: np.ndarray, state: tuple, *, cell: str,
              activation: str = "tanh", h0_shared: bool = False) -> LayerCache:
    """``layer_forward`` without its checks: the caller has checked ``params`` (U, W, b as
    float arrays of the cell's shapes), xs (T, B, D) floats of D = U's columns or (T, B) ids
    below it, and ``state`` ((h0,) or the LSTM's (h0, s0), each (B, H); not written to)."""
    inner, h, last = CELLS[cell].run(params, input_term(params, xs, xs.dtype.kind in "iu"),
                                     state, activation)
    return LayerCache(xs=xs, h0=state[0], h=h, cell=cell, inner=inner, last=last,
                      h0_shared=h0_shared)


def layer_forward(params: dict, xs: np.ndarray, h0=None, *, s0=None, activation: str = "tanh",
                  cell: str = "rnn", name: str = "params") -> LayerCache:
    """Run one layer of ``cell`` over xs (T, B, D) floats or (T, B) ids, or one sequence (T, D)
    / (T,); h0 (B, H), (H,) shared by the batch, or None for zeros (one sequence: (H,) only);
    s0 likewise, LSTM only (None: zeros).

    Returns the cache, always batched (one sequence is a batch of one); ``cache.h`` (T, B, H)
    holds h_1..h_T. ``name`` is how errors name the parameters.
    """
    layer = check_layer_params(params, name)
    check_choice("cell", cell, CELL_NAMES)
    with named(name):
        W = layer["W"]
        H = np.shape(W)[1] if np.ndim(W) == 2 else 1
        # the core's checks want an output layer; a zero one of size 1, never run
        full = {**layer, "V": np.zeros((1, H)), "c": np.zeros(1)}
        if cell == "lstm" and s0 is None and h0 is not None:
            s0 = start_state(as_array("h0", h0), cell)[1]   # h0 itself is checked next
        call = check_cell_call(full, xs, cell=cell, h0=h0, s0=s0, activation=activation)
    return run_layer(call.params, call.xs, call.state(), cell=cell, activation=activation,
                     h0_shared=call.h0_shared)


def layer_backward(params: dict, cache: LayerCache, dh: np.ndarray, *,
                   input_grad: bool = False, name: str = "params") -> dict:
    """Gradients of one layer given dh = ∂L/∂h_t from above for every t, (T, B, H).

    Returns {"U", "W", "b"} shaped like the parameters and "h0" of shape (B, H): ∂L/∂h_0 (and,
    for the LSTM, "s0" (B, H)). dh counts only what reaches h_t from outside the layer; the
    recurrence adds the rest. With ``input_grad`` (float inputs only) also "xs" (T, B, D):
    ∂L/∂x_t = Uᵀ ∂L/∂a_t (a_t the cell's stacked pre-activations b + W h_{t-1} + U x_t), what
    a layer below receives from this one. ``name`` is how errors name the parameters.
    """
    if not isinstance(cache, LayerCache):
        raise bad_type("cache", "the LayerCache that layer_forward returned", cache)
    if not isinstance(input_grad, bool):
        raise bad_type("input_grad", "a bool", input_grad)
    check_param_mapping(params, LAYER_KEYS, name)
    # the parameters layer_forward ran with (checked then): shapes only, against the cache
    G, H = GATE_COUNT[cache.cell], cache.h.shape[-1]
    W = np.asarray(check_shape(f"{name}['W']", params["W"], (G * H, H), "as in layer_forward"),
                   dtype=float)
    U = np.asarray(as_array(f"{name}['U']", params["U"]), dtype=float)
    if cache.token_ids:     # ids index U's columns: it needs one past the largest id read
        fits = U.ndim == 2 and U.shape[1] > (cache.xs.max() if cache.xs.size else -1)
        columns = f"D > {int(cache.xs.max()) if cache.xs.size else 0} columns (the ids read)"
    else:
        fits = U.ndim == 2 and U.shape[1] == cache.xs.shape[-1]
        columns = f"D = {cache.xs.shape[-1]} columns (the inputs' size)"
    if U.ndim != 2 or U.shape[0] != G * H or not fits:
        raise bad_value(f"{name}['U']", f"shape ({G * H}, D) with {columns}, as in "
                        "layer_forward", str(U.shape))
    dh = check_shape("dh", dh, cache.h.shape, "like the layer's states")
    # dh is checked elementwise, not by check_float_array's one BLAS dot: above ~10,000 entries
    # OpenBLAS runs that dot on several threads, which measured 3 ms a call on a loaded machine.
    if dh.dtype.kind not in "iuf":
        raise bad_type("dh", "a real numeric array", dh)
    if not np.isfinite(dh).all():
        raise bad_value("dh", "finite values", "a non-finite entry")
    if input_grad and cache.token_ids:
        raise bad_value("input_grad", "False for token-id inputs (they have no gradient), or "
                        "float inputs (T, B, D)", True)
    dz, dW, dstate = CELLS[cache.cell].backward({"W": W}, cache.inner,
                                               np.array(dh, dtype=float))   # (overwritten)
    dU, db = input_grads(cache.xs, cache.token_ids, U.shape[1], dz)
    grads = {"U": dU, "W": dW, "b": db, "h0": dstate[0]}
    if len(dstate) > 1:
        grads["s0"] = dstate[1]
    if input_grad:
        grads["xs"] = dz @ U
    return grads

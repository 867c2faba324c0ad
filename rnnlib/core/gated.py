"""What the LSTM and the GRU share: checks, the sequence forward pass, BPTT with truncation,
Jacobian norms, parameters, and the dictionary to PyTorch's parameter names.

The cells themselves live in ``lstm.py`` and ``gru.py``; each provides ``run`` (forward over a
run of steps from a state) and ``backward`` (∂L/∂z for the stacked gate pre-activations z, ∂L/∂W
and the gradient of the state the run started from). Everything else is the same for both:

    z_t = b + W h_{t-1} + U x_t  (the part with U and b computed for all t at once)
    o_t = c + V h_t              (the output layer, losses and modes of the plain RNN)

State: the GRU carries h; the LSTM carries (h, s). With ``truncate=k`` the state is carried
from chunk to chunk as plain arrays, so no gradient crosses a chunk boundary.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import gru, lstm
from .losses import score
from .params import init_params as _init_params
from .sequence import chunks, input_term, output_term, scatter_rows
from .softmax import softmax
from .validation import CELLS, PARAM_KEYS, GatedCall, check_choice, check_gated_call, check_params

CELL_MODULES = {"lstm": lstm, "gru": gru}


@dataclass
class GatedForwardResult:
    """A gated cell's forward pass; h[t-1] is h_t. Shapes for one sequence (drop B) or a batch:
    h (T, [B,] H); o (T, [B,] K); s (T, [B,] H) the LSTM's cell state (None for the GRU);
    gates: name -> (T, [B,] H) after the nonlinearity (i, f, g, q or u, r, n); h0, s0 ([B,] H).
    """

    h: np.ndarray
    o: np.ndarray
    s: np.ndarray | None
    gates: dict
    h0: np.ndarray
    s0: np.ndarray | None
    cell: str
    activation: str = field(default="tanh")

    @property
    def y_hat(self) -> np.ndarray:
        return softmax(self.o, axis=-1)

    @property
    def h_last(self) -> np.ndarray:
        return self.h[-1]


def run_checked(call: GatedCall, xs: np.ndarray, state: tuple):
    """Forward over ``xs`` (a run of steps, batched layout) from ``state``:
    (cache, h (T, B, H), o (T, B, K), final state)."""
    cell = CELL_MODULES[call.cell]
    cache, h, last = cell.run(call.params, input_term(call.params, xs, call.token_ids), state)
    return cache, h, output_term(call.params, h), last


def forward(params, xs, *, h0=None, s0=None, cell: str = "lstm",
            activation: str = "tanh") -> GatedForwardResult:
    """Run a gated cell over ``xs`` (floats (T, D) / (T, B, D) or ids (T,) / (T, B))."""
    call = check_gated_call(params, xs, cell=cell, h0=h0, s0=s0, activation=activation)
    cache, h, o, _ = run_checked(call, call.xs, call.state())
    H = call.sizes.H
    names = CELL_MODULES[cell].GATE_NAMES
    gates = {name: cache.gates[..., k * H:(k + 1) * H] for k, name in enumerate(names)}
    s = cache.s if cell == "lstm" else None

    def one(x):
        return x if (x is None or call.batched) else x[:, 0]
    start = (lambda x: x if (x is None or call.batched) else x[0])
    return GatedForwardResult(h=one(h), o=one(o), s=one(s),
                              gates={k: one(v) for k, v in gates.items()},
                              h0=start(call.h0), s0=start(call.s0), cell=cell)


def backward_checked(call: GatedCall, xs: np.ndarray, cache, h: np.ndarray,
                     d_o: np.ndarray) -> tuple[dict, tuple]:
    """Parameter gradients of one run and the gradient of the state it started from."""
    T, B, H = h.shape
    p, sizes = call.params, call.sizes
    d_o2 = d_o.reshape(T * B, sizes.K)
    dh = (d_o2 @ p["V"]).reshape(T, B, H)           # the outputs' share of ∂L/∂h_t
    dz, dW, dstate = CELL_MODULES[call.cell].backward(p, cache, dh)
    dz2 = dz.reshape(T * B, -1)
    if call.token_ids:
        dU = scatter_rows(xs.reshape(-1), dz2, sizes.D).T
    else:
        dU = dz2.T @ xs.reshape(T * B, sizes.D)
    g = {"U": dU, "W": dW, "V": d_o2.T @ h.reshape(T * B, H), "b": dz2.sum(axis=0),
         "c": d_o2.sum(axis=0)}
    return g, dstate


def bptt_checked(call: GatedCall) -> tuple[float, dict, tuple]:
    """Loss, batched gradients (with "h0" and, for the LSTM, "s0" as (B, H)), final state."""
    total = 0.0
    grads = {k: np.zeros_like(v) for k, v in call.params.items()}
    state = call.state()
    dstate0 = tuple(np.zeros_like(x) for x in state)
    for i, (start, stop) in enumerate(chunks(call.T, call.truncate)):
        xs = call.xs[start:stop]
        cache, h, o, last = run_checked(call, xs, state)
        targets = call.targets[start:stop] if call.mode == "many_to_many" else call.targets
        loss, d_o = score(o, targets, call.loss, call.mode, holds_last_step=stop == call.T, out=o)
        total += loss
        if d_o is not None:
            g, dstate = backward_checked(call, xs, cache, h, d_o)
            for key in PARAM_KEYS:
                grads[key] += g[key]
            if i == 0:  # the initial state is reached through the first chunk only
                dstate0 = dstate
        state = last
    grads["h0"] = dstate0[0]
    if call.cell == "lstm":
        grads["s0"] = dstate0[1]
    return total, grads, state


def _unbatch(call: GatedCall, d: np.ndarray, shared: bool) -> np.ndarray:
    if not call.batched:
        return d[0]
    return d.sum(axis=0) if shared else d


def loss_and_grads(params, xs, targets, *, h0=None, s0=None, cell: str = "lstm",
                   activation: str = "tanh", loss: str = "cross_entropy",
                   mode: str = "many_to_many", truncate: int | None = None) -> tuple[float, dict]:
    """Summed loss and gradients of a gated cell by BPTT; arguments as ``rnnlib.loss_and_grads``.

    grads: U (G·H, D), W (G·H, H), b (G·H,), V (K, H), c (K,), "h0" shaped as h0 is (or would
    be), and for the LSTM "s0" shaped as s0 is (or would be).
    """
    total, grads, _ = loss_grads_state(params, xs, targets, h0=h0, s0=s0, cell=cell,
                                       activation=activation, loss=loss, mode=mode,
                                       truncate=truncate)
    return total, grads


def loss_grads_state(params, xs, targets, *, h0=None, s0=None, cell: str = "lstm",
                     activation: str = "tanh", loss: str = "cross_entropy",
                     mode: str = "many_to_many", truncate: int | None = None):
    """:func:`loss_and_grads` and the final state as keyword arguments for the next call:
    {"h0": h_T} and, for the LSTM, "s0": s_T; each (H,) or (B, H)."""
    call = check_gated_call(params, xs, cell=cell, h0=h0, s0=s0, activation=activation,
                            targets=targets, loss=loss, mode=mode, truncate=truncate)
    total, grads, last = bptt_checked(call)
    grads["h0"] = _unbatch(call, grads["h0"], call.h0_shared)
    if cell == "lstm":
        grads["s0"] = _unbatch(call, grads["s0"], call.s0_shared)
    state = {name: (x if call.batched else x[0]) for name, x in zip(("h0", "s0"), last)}
    return total, grads, state


def jacobian_norms(params, xs, *, h0=None, s0=None, cell: str = "lstm",
                   activation: str = "tanh") -> np.ndarray:
    """‖∂h_T/∂(state at t)‖₂ for t = 0..T: (T+1,), or (T+1, B) for a batch. Entry T is 1.

    The state is h_t for the GRU and (h_t, s_t) for the LSTM: the LSTM's h_T depends on the
    past through both, so the norm is that of the H × 2H block ∂h_T/∂[h_t; s_t].
    """
    call = check_gated_call(params, xs, cell=cell, h0=h0, s0=s0, activation=activation)
    cache, _, _, _ = run_checked(call, call.xs, call.state())
    J = CELL_MODULES[cell].step_jacobians(call.params, cache)      # (T, B, n, n)
    T, B, n, _ = J.shape
    H = call.sizes.H
    norms = np.ones((T + 1, B))
    product = np.broadcast_to(np.eye(n)[:H], (B, H, n))           # ∂h_T/∂(state_T)
    for t in range(T, 0, -1):
        product = product @ J[t - 1]
        norms[t - 1] = np.linalg.norm(product, ord=2, axis=(-2, -1))
    return norms if call.batched else norms[:, 0]


def init_params(D: int, H: int, K: int, *, cell: str, seed: int = 0,
                weight_scale: float | None = None, forget_bias: float = 1.0) -> dict:
    """:func:`rnnlib.init_params` for a gated cell: U (G·H, D), W (G·H, H), V (K, H), b (G·H,),
    c (K,)."""
    return _init_params(D, H, K, cell=cell, seed=seed, weight_scale=weight_scale,
                        forget_bias=forget_bias)


# PyTorch stacks the LSTM's gates as i, f, g, o (ours: i, f, g, q: the same order) and the
# GRU's as r, z, n (ours: u, r, n with u = PyTorch's z), and keeps two biases per gate.
_TORCH_ORDER = {"rnn": (0,), "lstm": (0, 1, 2, 3), "gru": (1, 0, 2)}


def to_pytorch(params, *, cell: str = "rnn") -> dict:
    """rnnlib parameters as the tensors of ``torch.nn.RNN/LSTM/GRU`` (one layer) and a
    ``torch.nn.Linear`` output layer, as numpy arrays keyed by PyTorch's names:
    weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0, linear.weight, linear.bias.

    Our single bias b goes to bias_ih_l0; bias_hh_l0 is zero. (For the GRU that is where the
    models part: PyTorch's GRU is a different model, see ``gru.pytorch_gru_forward``.)
    """
    check_choice("cell", cell, CELLS)
    p, sizes = check_params(params, cell)
    H = sizes.H

    def reorder(a):
        return np.concatenate([a[k * H:(k + 1) * H] for k in _TORCH_ORDER[cell]])
    return {"weight_ih_l0": reorder(p["U"]), "weight_hh_l0": reorder(p["W"]),
            "bias_ih_l0": reorder(p["b"]), "bias_hh_l0": np.zeros_like(p["b"]),
            "linear.weight": p["V"].copy(), "linear.bias": p["c"].copy()}

"""One forward loop and one BPTT loop, for any cell.

A cell is a module (``rnn.py``, ``lstm.py``, ``gru.py``) that says how many blocks it stacks in
U, W, b (``G``), names its gates (``GATE_NAMES``), runs forward over a run of steps from a state
(``run(p, xu, state, activation) -> (cache, h, last state)``), backpropagates from that cache
(``backward(p, cache, dh) -> (∂L/∂z, ∂L/∂W, ∂L/∂state)``) and gives its step Jacobians; it
also lists its gradient keys (``GRAD_KEYS``: ``PARAM_KEYS``, then its state's, the one order
the loop returns every cell's gradients in), and its cache says in ``free`` which
(T, B, H) buffer the loop may overwrite with ∂L/∂h (None: none). A new cell is also named in
``validation.CELLS`` and ``GATE_COUNT`` (validation cannot import the cells; a test holds the
two lists equal). What every cell shares is written once, here and in ``sequence.py``:

    z_t = b + W h_{t-1} + U x_t     the part U x_t + b for all t at once; ∂L/∂U, ∂L/∂b after
    o_t = c + V h_t                 the output layer, the losses and modes, for all t at once
    truncation                      chunks of k steps, the state carried as plain arrays, so no
                                    gradient crosses a chunk boundary

The state is a tuple: (h,) for the plain cell and the GRU, (h, s) for the LSTM. The loops take
a checked call (``validation.check_cell_call``), in the batched layout.
"""
from __future__ import annotations

import numpy as np

from . import gru, lstm, rnn
from .losses import score
from .sequence import chunks, input_grads, input_term, output_term
from .validation import PARAM_KEYS, Call

CELLS = {"rnn": rnn, "lstm": lstm, "gru": gru}
STATE_NAMES = ("h0", "s0")       # how the gradients and the carried state name (h, s)


def run_checked(call: Call, xs: np.ndarray, state: tuple):
    """Forward over ``xs`` (a run of steps, batched layout: (T, B, D) or (T, B) ids) from
    ``state``: (cache, h (T, B, H), o (T, B, K), final state)."""
    cache, h, last = CELLS[call.cell].run(call.params, input_term(call.params, xs, call.token_ids),
                                          state, call.activation)
    return cache, h, output_term(call.params, h), last


def backward_checked(call: Call, xs: np.ndarray, cache, h: np.ndarray,
                     d_o: np.ndarray) -> tuple[dict, tuple]:
    """Parameter gradients of one run given d_o = ∂L/∂o (T, B, K) (overwritten), and the
    gradient of the state it started from (a tuple of (B, H)). The dict's "h0" is a
    placeholder (None) that keeps its place in the order of the cells' GRAD_KEYS."""
    T, B, H = h.shape
    p, sizes = call.params, call.sizes
    d_o2 = d_o.reshape(T * B, sizes.K)
    dh = cache.free                             # Vᵀ ∂L/∂o_t for every t: the outputs' share
    if dh is None:                              # of ∂L/∂h_t
        dh = (d_o2 @ p["V"]).reshape(T, B, H)
    else:
        np.dot(d_o2, p["V"], out=dh.reshape(T * B, H))
    dz, dW, dstate = CELLS[call.cell].backward(p, cache, dh)
    dU, db = input_grads(xs, call.token_ids, sizes.D, dz)
    return {"U": dU, "W": dW, "V": d_o2.T @ h.reshape(T * B, H), "b": db,
            "c": d_o2.sum(axis=0), "h0": None}, dstate


def bptt_checked(call: Call) -> tuple[float, dict, tuple]:
    """Loss, batched gradients ("h0" and, for the LSTM, "s0" as (B, H)) and the final state.

    With truncation each chunk runs forward from the carried state, is scored, and is
    backpropagated on its own; nothing of an earlier chunk is kept, so memory does not grow
    with T.
    """
    cell = CELLS[call.cell]
    p = call.params
    total, grads, dstate0 = 0.0, None, None
    state = call.state()
    for i, (start, stop) in enumerate(chunks(call.T, call.truncate)):
        xs = call.xs[start:stop]
        cache, h, last = cell.run(p, input_term(p, xs, call.token_ids), state, call.activation)
        o = output_term(p, h)
        targets = call.targets[start:stop] if call.mode == "many_to_many" else call.targets
        # o is not needed after scoring, so ∂L/∂o is written over it (out=o).
        loss, d_o = score(o, targets, call.loss, call.mode, holds_last_step=stop == call.T, out=o)
        total += loss
        if d_o is not None:
            g, dstate = backward_checked(call, xs, cache, h, d_o)
            if grads is None:         # the first scored chunk: its arrays become the sums
                grads = g
                dstate0 = dstate if i == 0 else None   # the start is reached through chunk 0 only
            else:
                for key in PARAM_KEYS:
                    grads[key] += g[key]
        state = last
    state = (state[0].copy(),) + state[1:]   # h_T may be a view into the last run's buffers
    if grads is None:                 # defensive: some step is always scored
        grads = {k: np.zeros_like(p[k]) for k in PARAM_KEYS} | {"h0": None}
    if dstate0 is None:
        dstate0 = tuple(np.zeros_like(x) for x in call.state())
    grads["h0"] = dstate0[0]
    if len(dstate0) > 1:
        grads["s0"] = dstate0[1]
    return total, grads, state


def unbatch(d: np.ndarray, shared: bool) -> np.ndarray:
    """A state's gradient (B, H) in the shape the caller gave the state (``shared`` as
    ``Call.h0_shared`` says): (H,) for one sequence (a batch of one, its state shared) or a
    state shared by the batch (summed), else (B, H), a batch's None state included."""
    return d.sum(axis=0) if shared else d


def jacobian_norms_checked(call: Call) -> np.ndarray:
    """‖∂h_T/∂(state at t)‖₂ for t = 0..T, batched: (T+1, B). Entry T is 1.

    The state is h_t, or (h_t, s_t) for the LSTM: its h_T depends on the past through both, so
    the norm is that of the H × 2H block ∂h_T/∂[h_t; s_t].
    """
    cache, _, _, _ = run_checked(call, call.xs, call.state())
    J = CELLS[call.cell].step_jacobians(call.params, cache)      # (T, B, n, n)
    T, B, n, _ = J.shape
    H = call.sizes.H
    norms = np.ones((T + 1, B))
    product = np.broadcast_to(np.eye(n)[:H], (B, H, n))           # ∂h_T/∂(state_T)
    for t in range(T, 0, -1):           # extend the chain one step further into the past
        product = product @ J[t - 1]
        norms[t - 1] = np.linalg.norm(product, ord=2, axis=(-2, -1))
    return norms

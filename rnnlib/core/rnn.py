"""The plain RNN cell, forward and backward over a run of steps, batched layout: the book's
model, in the protocol every cell follows (``lstm.py``, ``gru.py``; ``loop.py`` runs them all).

    a_t = b + W h_{t-1} + U x_t        h_t = f(a_t)        f ∈ {tanh, sigmoid, relu}

One block (G = 1), no gates; the state is (h,). ``run`` takes the input terms U x_t + b already
computed for every t (``sequence.input_term``), so only the recurrence is left to it;
``backward`` takes ∂L/∂h_t from above and returns ∂L/∂a_t, from which the loop forms ∂L/∂U
and ∂L/∂b (``sequence.input_grads``).

:mod:`rnnlib.core.reference` computes the same numbers as the algorithm reads (one sequence,
column vectors); this module does it fast, with the tricks commented where they are used.
"""
from __future__ import annotations

import numpy as np

from .activations import activation_into, derivative, derivative_from_h
from .validation import PARAM_KEYS

G = 1
GATE_NAMES: tuple = ()          # no gates: the one block is the pre-activation a
# The gradient dict's keys, in the one order of every cell (lstm.py, gru.py) and of
# ``reference``: the parameters as PARAM_KEYS lists them, then the initial state's.
GRAD_KEYS = PARAM_KEYS + ("h0",)

SLOPE_BLOCK = 64   # steps whose f'(a_t) ``backward`` computes together


class RNNCache:
    """What the backward pass needs. a (T, B, H) the pre-activations; hs (T+1, B, H) the
    states h_0..h_T (hs[t] is h_t, as in the book); the activation's name.

    ``free`` is ``a``: backward reads f' off h, so the loop may write ∂L/∂h_t into it (big
    fresh arrays cost page faults at long T)."""

    __slots__ = ("a", "hs", "activation", "free")

    def __init__(self, a: np.ndarray, hs: np.ndarray, activation: str):
        self.a, self.hs, self.activation, self.free = a, hs, activation, a


def recur(p: dict, xu: np.ndarray, h_prev: np.ndarray, activation: str) -> tuple[np.ndarray, np.ndarray]:
    """Run the recurrence over precomputed input terms ``xu`` (T, B, H) from ``h_prev`` (B, H).

    Returns a (T, B, H) and the states hs (T+1, B, H) with hs[0] = h_prev: hs[t] is h_t, as
    in the book. ``xu`` is reused as the buffer for a.
    """
    # Wᵀ as a C-contiguous copy: numpy's product with the transposed *view* measured 3-4x
    # slower for these small (B, H) x (H, H) steps (and worse when BLAS runs two threads).
    WT = np.ascontiguousarray(p["W"].T)
    a = xu
    # One array for h_0..h_T: BPTT's ∂L/∂W pairs ∂L/∂a_t with h_{t-1}, and with h_0 in the
    # same array that is one matrix product over all T·B rows instead of two.
    hs = np.empty((a.shape[0] + 1,) + a.shape[1:])
    hs[0] = h_prev
    Wh = np.empty_like(h_prev)            # W h_{t-1}, one buffer reused at every step
    f = activation_into(activation)
    # h.dot(...) rather than np.matmul: the same BLAS product, with less overhead per call
    # (0.7 µs), which is a quarter of a step at B = 1.
    for a_t, h_prev, h_t in zip(a, hs[:-1], hs[1:]):   # the only sequential part:
        h_prev.dot(WT, out=Wh)                        # three small operations a step
        a_t += Wh
        f(a_t, h_t)
    return a, hs


def run(p: dict, xu: np.ndarray, state: tuple, activation: str = "tanh") -> tuple[RNNCache, np.ndarray, tuple]:
    """Run the cell over ``xu`` = U x_t + b (T, B, H) from ``state`` = (h0,), h0 (B, H).
    Returns (cache, h (T, B, H) the states h_1..h_T, (h_T,)); h_T is a view into the cache
    (the BPTT loop copies the state it returns, so no caller keeps the run's buffers alive)."""
    a, hs = recur(p, xu, state[0], activation)
    return RNNCache(a, hs, activation), hs[1:], (hs[-1],)


def backward(p: dict, cache: RNNCache, dh: np.ndarray) -> tuple[np.ndarray, np.ndarray, tuple]:
    """Backpropagate through the run; dh (T, B, H) is ∂L/∂h_t from the outputs only (it is
    overwritten: it becomes ∂L/∂a_t). Returns ∂L/∂a (T, B, H), ∂L/∂W (H, H) and (∂L/∂h0,),
    ∂L/∂h0 (B, H)."""
    W, hs, da = p["W"], cache.hs, dh
    T, B, H = da.shape
    dh_next = np.zeros((B, H))         # Wᵀ ∂L/∂a_{t+1}: what step t+1 sends back to h_t
    # t = T-1 down to 0, three small operations a step. f'(a_t) is computed a block of steps
    # at a time, just before the loop needs it: one pass per block rather than one per step,
    # and at long T no (T, B, H) array that has to come back from RAM.
    for stop in range(T, 0, -SLOPE_BLOCK):
        start = max(stop - SLOPE_BLOCK, 0)
        slope = derivative_from_h(hs[start + 1:stop + 1], cache.activation)
        for da_t, slope_t in zip(da[start:stop][::-1], slope[::-1]):
            da_t += dh_next
            da_t *= slope_t
            da_t.dot(W, out=dh_next)   # (∂L/∂a_t)ᵀ W: Wᵀ ∂L/∂a_t, as a row (.dot: see recur)
    # Every sum over time is one product over all T·B rows; step t pairs ∂L/∂a_t with h_{t-1}.
    dW = da.reshape(T * B, H).T @ hs[:-1].reshape(T * B, H)
    return da, dW, (dh_next,)


def step_jacobians(p: dict, cache: RNNCache) -> np.ndarray:
    """∂h_t/∂h_{t-1} = diag(f'(a_t)) W for t = 1..T: (T, B, H, H) (row i scaled by f'(a_i))."""
    return derivative(cache.a, cache.hs[1:], cache.activation)[..., :, None] * p["W"]

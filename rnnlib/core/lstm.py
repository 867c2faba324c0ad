"""The LSTM cell (Hochreiter & Schmidhuber, 1997; forget gate of Gers et al., 2000), forward
and backward over a run of steps, batched layout.

Gates stacked in U (4H, D), W (4H, H), b (4H,) in the order i, f, g, q:

    z_t = b + W h_{t-1} + U x_t                      (B, 4H), split into four (B, H) blocks
    i_t = σ(z_i)   f_t = σ(z_f)   g_t = tanh(z_g)   q_t = σ(z_q)
    s_t = f_t ⊙ s_{t-1} + i_t ⊙ g_t                  h_t = q_t ⊙ tanh(s_t)

The cell state s is updated by addition, not by a matrix product: ∂s_t/∂s_{t-1} = diag(f_t),
so a gradient travels back along s scaled only by the forget gates.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .activations import sigmoid_into
from .validation import PARAM_KEYS

G = 4
GATE_NAMES = ("i", "f", "g", "q")
GRAD_KEYS = PARAM_KEYS + ("h0", "s0")   # the gradient dict's keys, in order (see rnn.py)


@dataclass
class LSTMCache:
    """What the backward pass needs. gates (T, B, 4H) holds i, f, g, q after their
    nonlinearities; s, tanh_s, h (T, B, H); h0, s0 (B, H) the state before the run."""

    gates: np.ndarray
    s: np.ndarray
    tanh_s: np.ndarray
    h: np.ndarray
    h0: np.ndarray
    s0: np.ndarray
    free = None          # no buffer the loop may reuse for ∂L/∂h (see rnn.RNNCache)


def run(p: dict, xu: np.ndarray, state: tuple, activation: str = "tanh") -> tuple[LSTMCache, np.ndarray, tuple]:
    """Run the cell over precomputed input terms ``xu`` = U x_t + b (T, B, 4H) from
    ``state`` = (h0, s0), each (B, H). Returns (cache, h (T, B, H), (h_T, s_T)).
    ``xu`` becomes the cache's gate buffer. ``activation`` is always "tanh" (the protocol's
    argument; the gates' nonlinearities are fixed)."""
    h_prev, s_prev = state
    T, B, GH = xu.shape
    H = GH // G
    WT = p["W"].T
    z = xu
    s, tanh_s, h = np.empty((T, B, H)), np.empty((T, B, H)), np.empty((T, B, H))
    for t in range(T):
        zt = z[t]
        zt += h_prev @ WT
        i_f, g, q = zt[:, :2 * H], zt[:, 2 * H:3 * H], zt[:, 3 * H:]
        sigmoid_into(i_f, out=i_f)                 # in place: no allocation per step
        np.tanh(g, out=g)
        sigmoid_into(q, out=q)
        i, f = i_f[:, :H], i_f[:, H:]
        np.multiply(f, s_prev, out=s[t])
        s[t] += i * g                              # the additive update
        np.tanh(s[t], out=tanh_s[t])
        np.multiply(q, tanh_s[t], out=h[t])
        h_prev, s_prev = h[t], s[t]
    cache = LSTMCache(z, s, tanh_s, h, state[0], state[1])
    return cache, h, (h[-1].copy(), s[-1].copy())


def backward(p: dict, cache: LSTMCache, dh: np.ndarray) -> tuple[np.ndarray, np.ndarray, tuple]:
    """Backpropagate through the run. dh (T, B, H) is ∂L/∂h_t from the outputs only.

    Returns ∂L/∂z (T, B, 4H) (the caller turns it into ∂L/∂U and ∂L/∂b), ∂L/∂W (4H, H) and
    (∂L/∂h0, ∂L/∂s0), each (B, H).
    """
    T, B, H = cache.h.shape
    W = p["W"]
    dz = np.empty((T, B, G * H))
    dh_next, ds_next = np.zeros((B, H)), np.zeros((B, H))
    for t in range(T - 1, -1, -1):
        gt = cache.gates[t]
        i, f, g, q = gt[:, :H], gt[:, H:2 * H], gt[:, 2 * H:3 * H], gt[:, 3 * H:]
        s_prev = cache.s[t - 1] if t > 0 else cache.s0
        ts = cache.tanh_s[t]
        dht = dh[t] + dh_next
        ds = dht * q * (1.0 - ts * ts) + ds_next      # s_t reaches L through h_t and s_{t+1}
        dzt = dz[t]
        np.multiply(ds * g, i * (1.0 - i), out=dzt[:, :H])
        np.multiply(ds * s_prev, f * (1.0 - f), out=dzt[:, H:2 * H])
        np.multiply(ds * i, 1.0 - g * g, out=dzt[:, 2 * H:3 * H])
        np.multiply(dht * ts, q * (1.0 - q), out=dzt[:, 3 * H:])
        ds_next = ds * f                              # ∂s_t/∂s_{t-1} = diag(f_t)
        dh_next = dzt @ W
    h_prev = np.concatenate([cache.h0[None], cache.h[:-1]]).reshape(T * B, H)
    dW = dz.reshape(T * B, G * H).T @ h_prev
    return dz, dW, (dh_next, ds_next)


def step_jacobians(p: dict, cache: LSTMCache) -> np.ndarray:
    """∂(h_t, s_t)/∂(h_{t-1}, s_{t-1}) for t = 1..T: (T, B, 2H, 2H), blocks [[hh, hs], [sh, ss]].

    ss = diag(f_t): the additive path. The other blocks go through the gates and W.
    """
    T, B, H = cache.h.shape
    W = p["W"]
    Wi, Wf, Wg, Wq = W[:H], W[H:2 * H], W[2 * H:3 * H], W[3 * H:]
    J = np.zeros((T, B, 2 * H, 2 * H))
    for t in range(T):
        gt = cache.gates[t]
        i, f, g, q = gt[:, :H], gt[:, H:2 * H], gt[:, 2 * H:3 * H], gt[:, 3 * H:]
        s_prev = cache.s[t - 1] if t > 0 else cache.s0
        ts = cache.tanh_s[t]
        sh = ((s_prev * f * (1 - f))[..., None] * Wf + (g * i * (1 - i))[..., None] * Wi
              + (i * (1 - g * g))[..., None] * Wg)                       # ∂s_t/∂h_{t-1}
        dtanh = q * (1 - ts * ts)
        J[t, :, :H, :H] = (ts * q * (1 - q))[..., None] * Wq + dtanh[..., None] * sh
        J[t, :, :H, H:] = _diag(dtanh * f)
        J[t, :, H:, :H] = sh
        J[t, :, H:, H:] = _diag(f)
    return J


def _diag(v: np.ndarray) -> np.ndarray:
    """(B, H) -> (B, H, H) diagonal matrices."""
    out = np.zeros(v.shape + (v.shape[-1],))
    idx = np.arange(v.shape[-1])
    out[..., idx, idx] = v
    return out

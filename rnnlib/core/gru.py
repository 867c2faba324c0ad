"""The GRU cell as Cho et al. (2014) and Goodfellow et al. (eq. 10.45-10.46) write it, forward
and backward over a run of steps, batched layout; and PyTorch's variant, for comparison.

Gates stacked in U (3H, D), W (3H, H), b (3H,) in the order u, r, n:

    u_t = σ(b_u + W_u h_{t-1} + U_u x_t)        r_t = σ(b_r + W_r h_{t-1} + U_r x_t)
    n_t = tanh(b_n + W_n (r_t ⊙ h_{t-1}) + U_n x_t)
    h_t = u_t ⊙ h_{t-1} + (1 - u_t) ⊙ n_t

The reset gate acts *before* the recurrent product. PyTorch's ``nn.GRU`` applies it after,
n_t = tanh(b_in + U_n x_t + r_t ⊙ (W_n h_{t-1} + b_hn)): a different function of the same
weights (:func:`pytorch_gru_forward`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .activations import sigmoid_into
from .lstm import _diag
from .sequence import input_term
from .validation import PARAM_KEYS, check_gated_call, check_vector

G = 3
GATE_NAMES = ("u", "r", "n")
GRAD_KEYS = PARAM_KEYS + ("h0",)   # the gradient dict's keys, in order (see rnn.py)


@dataclass
class GRUCache:
    """gates (T, B, 3H) holds u, r, n after their nonlinearities; rh (T, B, H) is
    r_t ⊙ h_{t-1}; h (T, B, H); h0 (B, H) the state before the run."""

    gates: np.ndarray
    rh: np.ndarray
    h: np.ndarray
    h0: np.ndarray
    free = None          # no buffer the loop may reuse for ∂L/∂h (see rnn.RNNCache)


def run(p: dict, xu: np.ndarray, state: tuple, activation: str = "tanh") -> tuple[GRUCache, np.ndarray, tuple]:
    """Run the cell over ``xu`` = U x_t + b (T, B, 3H) from ``state`` = (h0,), h0 (B, H).
    Returns (cache, h (T, B, H), (h_T,)). ``activation`` is always "tanh" (see lstm.run)."""
    (h_prev,) = state
    T, B, GH = xu.shape
    H = GH // G
    W_ur_T, W_n_T = p["W"][:2 * H].T, p["W"][2 * H:].T
    z = xu
    rh, h = np.empty((T, B, H)), np.empty((T, B, H))
    for t in range(T):
        zt = z[t]
        zt[:, :2 * H] += h_prev @ W_ur_T
        ur = zt[:, :2 * H]
        sigmoid_into(ur, out=ur)                   # in place: no allocation per step
        u, r = zt[:, :H], zt[:, H:2 * H]
        np.multiply(r, h_prev, out=rh[t])
        n = zt[:, 2 * H:]
        n += rh[t] @ W_n_T                      # reset before the product (Cho et al.)
        np.tanh(n, out=n)
        np.subtract(h_prev, n, out=h[t])
        h[t] *= u
        h[t] += n                               # u ⊙ h_{t-1} + (1 - u) ⊙ n
        h_prev = h[t]
    return GRUCache(z, rh, h, state[0]), h, (h[-1].copy(),)


def backward(p: dict, cache: GRUCache, dh: np.ndarray) -> tuple[np.ndarray, np.ndarray, tuple]:
    """Backpropagate through the run; dh (T, B, H) is ∂L/∂h_t from the outputs only.
    Returns ∂L/∂z (T, B, 3H), ∂L/∂W (3H, H) and (∂L/∂h0,) with ∂L/∂h0 (B, H)."""
    T, B, H = cache.h.shape
    W_ur, W_n = p["W"][:2 * H], p["W"][2 * H:]
    dz = np.empty((T, B, G * H))
    dh_next = np.zeros((B, H))
    for t in range(T - 1, -1, -1):
        gt = cache.gates[t]
        u, r, n = gt[:, :H], gt[:, H:2 * H], gt[:, 2 * H:]
        h_prev = cache.h[t - 1] if t > 0 else cache.h0
        dht = dh[t] + dh_next
        dzt = dz[t]
        np.multiply(dht * (1.0 - u), 1.0 - n * n, out=dzt[:, 2 * H:])      # ∂L/∂z_n
        drh = dzt[:, 2 * H:] @ W_n                                          # ∂L/∂(r ⊙ h)
        np.multiply(dht * (h_prev - n), u * (1.0 - u), out=dzt[:, :H])     # ∂L/∂z_u
        np.multiply(drh * h_prev, r * (1.0 - r), out=dzt[:, H:2 * H])      # ∂L/∂z_r
        dh_next = dht * u + drh * r + dzt[:, :2 * H] @ W_ur
    h_prev = np.concatenate([cache.h0[None], cache.h[:-1]]).reshape(T * B, H)
    dz2 = dz.reshape(T * B, G * H)
    dW = np.concatenate([dz2[:, :2 * H].T @ h_prev, dz2[:, 2 * H:].T @ cache.rh.reshape(T * B, H)])
    return dz, dW, (dh_next,)


def step_jacobians(p: dict, cache: GRUCache) -> np.ndarray:
    """∂h_t/∂h_{t-1} for t = 1..T: (T, B, H, H).

    diag(u_t) is the direct path (the old state kept); the rest goes through the gates and W.
    """
    T, B, H = cache.h.shape
    W = p["W"]
    Wu, Wr, Wn = W[:H], W[H:2 * H], W[2 * H:]
    J = np.empty((T, B, H, H))
    for t in range(T):
        gt = cache.gates[t]
        u, r, n = gt[:, :H], gt[:, H:2 * H], gt[:, 2 * H:]
        h_prev = cache.h[t - 1] if t > 0 else cache.h0
        dr = (r * (1 - r))[..., None] * Wr                     # ∂r_t/∂h_{t-1} (B, H, H)
        drh = _diag(r) + h_prev[..., None] * dr                # ∂(r ⊙ h_{t-1})/∂h_{t-1}
        dn = (1 - n * n)[..., None] * (Wn @ drh)
        J[t] = (_diag(u) + ((h_prev - n) * u * (1 - u))[..., None] * Wu
                + (1 - u)[..., None] * dn)
    return J


def pytorch_gru_forward(params: dict, xs, *, h0=None, b_hn=None) -> np.ndarray:
    """PyTorch's GRU on rnnlib's GRU parameters: the hidden states h (T, [B,] H).

    The same gates u (PyTorch's z) and r, but the reset gate multiplies *after* the recurrent
    product, and the candidate has a second bias b_hn inside it (default zeros, shape (H,)):

        n_t = tanh(b_n + U_n x_t + r_t ⊙ (W_n h_{t-1} + b_hn))

    With b_hn = 0 this differs from Cho's GRU only in where r acts, which is enough to give a
    different model. Matches ``torch.nn.GRU`` with the weights :func:`rnnlib.to_pytorch` gives.
    """
    call = check_gated_call(params, xs, h0=h0, cell="gru")
    p, H = call.params, call.sizes.H
    bias = np.zeros(H) if b_hn is None else check_vector("b_hn", b_hn, size=H)
    xu = input_term(p, call.xs, call.token_ids)
    W_ur_T, W_n_T = p["W"][:2 * H].T, p["W"][2 * H:].T
    h_prev, hs = call.h0, np.empty((call.T, call.B, H))
    for t in range(call.T):
        ur = sigmoid_into(xu[t, :, :2 * H] + h_prev @ W_ur_T)
        u, r = ur[:, :H], ur[:, H:]
        n = np.tanh(xu[t, :, 2 * H:] + r * (h_prev @ W_n_T + bias))
        hs[t] = u * h_prev + (1 - u) * n
        h_prev = hs[t]
    return hs if call.batched else hs[:, 0]

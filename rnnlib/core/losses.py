"""The two losses and their gradient with respect to the logits o.

cross_entropy: L_t = -log ŷ_t[y_t] with ŷ_t = softmax(o_t);  ∂L_t/∂o_t = ŷ_t - onehot(y_t)
mse:           L_t = ½ ‖o_t - y_t‖²  (ŷ_t = o_t);              ∂L_t/∂o_t = o_t - y_t

The total loss is the *sum* over scored steps and sequences (not the mean), so a gradient
check compares like with like and the numbers in the book add up by hand.
"""
from __future__ import annotations

import numpy as np


def cross_entropy(o: np.ndarray, y: np.ndarray,
                  out: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per-row losses and ∂L/∂o for logits o (..., K) and integer classes y (...).

    Returns (losses of shape y.shape, dL/do of shape o.shape). Stable for any finite o:
    log Σ e^{o} is computed as max + log Σ e^{o - max}. dL/do is written into ``out`` when
    given (``out`` may be ``o`` itself, when the caller is done with the logits).
    """
    # One (..., K) buffer goes through every stage in place: o - max, then e^{o - max}, then
    # ŷ, then ŷ - onehot(y). Only per-row vectors are allocated besides it.
    delta = np.subtract(o, o.max(axis=-1, keepdims=True), out=out)
    flat = delta.reshape(-1)                         # a view of the buffer
    K = o.shape[-1]
    target_at = np.arange(0, flat.size, K) + y.reshape(-1)   # where o_t[y_t] sits in flat
    picked = flat[target_at].reshape(y.shape)        # o_t[y_t] - max, read before exp overwrites it
    np.exp(delta, out=delta)
    total = delta.sum(axis=-1, keepdims=True)
    losses = np.log(total[..., 0]) - picked
    delta *= 1.0 / total                             # ŷ_t: one division per row, not per entry
    flat[target_at] -= 1.0                           # ŷ_t - onehot(y_t)
    return losses, delta


def mse(o: np.ndarray, y: np.ndarray,
        out: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per-row losses ½‖o - y‖² and ∂L/∂o = o - y for o, y of shape (..., K).

    ∂L/∂o is written into ``out`` when given (``out`` may be ``o`` itself).
    """
    delta = np.subtract(o, y, out=out)
    return 0.5 * np.einsum("...k,...k->...", delta, delta), delta


LOSS_FUNCTIONS = {"cross_entropy": cross_entropy, "mse": mse}


def score(o: np.ndarray, targets: np.ndarray, loss: str, mode: str,
          holds_last_step: bool = True, out: np.ndarray | None = None
          ) -> tuple[float, np.ndarray | None]:
    """Total loss and ∂L/∂o over a run of steps, batched layout.

    o: (T, B, K). targets: (T, B) / (T, B, K) for many_to_many; (B,) / (B, K) for many_to_one,
    where only the sequence's last step is scored — and only if this run ``holds_last_step``.
    Returns (loss, dL/do (T, B, K)), or (0.0, None) when no step of the run is scored.
    ``out``: where to write dL/do (may be ``o`` itself: BPTT no longer needs the logits).
    """
    fn = LOSS_FUNCTIONS[loss]
    if mode == "many_to_many":
        losses, delta = fn(o, targets, out=out)
        return float(losses.sum()), delta
    if not holds_last_step:
        return 0.0, None
    delta = np.zeros_like(o) if out is None else out
    losses, _ = fn(o[-1], targets, out=delta[-1])   # reads o[-1] before delta[:-1] is cleared
    delta[:-1] = 0.0                                 # unscored steps send no gradient
    return float(losses.sum()), delta

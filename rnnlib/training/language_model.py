"""Training a language model on one long text, as practitioners do.

The text (token ids) is cut into ``batch_size`` parallel streams; each update reads the next
``seq_len`` steps of every stream, predicts each next token, backpropagates through those
steps only (truncated BPTT), and carries the final hidden state into the next chunk, so the
model still sees the text as one continuous sequence. When the streams run out, reading starts
again at the top with a zero state.

    streams = batchify(ids, B)                          (N, B): column j is one stretch of text
    xs, ys  = streams[t : t+L], streams[t+1 : t+L+1]    inputs and next-token targets
    loss, grads = loss_and_grads(params, xs, ys, h0=h)  then clip, step, h ← h_L
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ..core.bptt import loss_and_grads
from ..core.forward import forward
from ..core.softmax import log_softmax, softmax
from .clipping import clip_by_global_norm


def _check_int(name: str, value, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"argument '{name}': expected an int >= {minimum}, got {value!r}")
    return int(value)


def _check_ids(name: str, ids) -> np.ndarray:
    ids = np.asarray(ids)
    if ids.ndim != 1 or ids.dtype.kind not in "iu":
        raise ValueError(f"argument '{name}': expected a 1-D array of integer token ids, got "
                         f"shape {ids.shape} and dtype {ids.dtype}")
    return ids


def batchify(ids, batch_size: int) -> np.ndarray:
    """(N, B) token ids: the text cut into B consecutive stretches of N tokens, one per column.

    The last len(ids) mod B tokens are dropped.
    """
    ids = _check_ids("ids", ids)
    B = _check_int("batch_size", batch_size, 1)
    N = len(ids) // B
    if N < 2:
        raise ValueError(f"argument 'ids': {len(ids)} tokens give fewer than 2 per stream for "
                         f"batch_size={B}; expected at least {2 * B}")
    return ids[:N * B].reshape(B, N).T.copy()


def carried_state(run, cell: str) -> dict:
    """The state after a chunk, as keyword arguments for the next call (h0, and s0 for an LSTM)."""
    state = {"h0": run.h[-1]}
    if cell == "lstm":
        state["s0"] = run.s[-1]
    return state


@dataclass
class LMHistory:
    """train_loss[i]: nats per token on update i's chunk; val_loss[j]: held-out nats per token
    after update val_step[j]."""

    train_loss: list = field(default_factory=list)
    val_step: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)


def train_language_model(params: dict, ids, *, steps: int, optimizer, batch_size: int = 32,
                         seq_len: int = 50, clip: float | None = 5.0, cell: str = "rnn",
                         val_ids=None, eval_every: int | None = None,
                         progress: Callable[[int], None] | None = None) -> LMHistory:
    """Train ``params`` in place for ``steps`` updates of truncated BPTT with a carried state.

    ids: (n,) token ids of the training text. optimizer: an object with ``step(params, grads)``
    (rnnlib.Adagrad, rnnlib.Adam). The gradient is averaged over the B·L tokens of a chunk, so
    the learning rate does not depend on the chunk's size; clip: max global norm of that
    average, or None. val_ids / eval_every: measure held-out loss every ``eval_every`` updates.
    progress(i) is called after update i (for a progress bar).
    """
    streams = batchify(ids, batch_size)
    L = _check_int("seq_len", seq_len, 1)
    _check_int("steps", steps, 0)
    if len(streams) < L + 1:
        raise ValueError(f"argument 'seq_len': each stream has {len(streams)} tokens, expected "
                         f"more than seq_len={L}; use a smaller seq_len or batch_size")
    history, state, start = LMHistory(), {}, 0
    for i in range(steps):
        if start + L + 1 > len(streams):     # the streams ran out: back to the top, fresh state
            state, start = {}, 0
        xs, ys = streams[start:start + L], streams[start + 1:start + L + 1]
        loss, grads = loss_and_grads(params, xs, ys, cell=cell, **state)
        grads = {k: g / ys.size for k, g in grads.items()}
        if clip is not None:
            grads, _ = clip_by_global_norm(grads, clip)
        # The state for the next chunk comes from the parameters this chunk was scored with.
        state = carried_state(forward(params, xs, cell=cell, **state), cell)
        optimizer.step(params, grads)
        history.train_loss.append(loss / ys.size)
        start += L
        if val_ids is not None and eval_every and ((i + 1) % eval_every == 0 or i + 1 == steps):
            history.val_step.append(i + 1)
            history.val_loss.append(mean_loss(params, val_ids, cell=cell))
        if progress is not None:
            progress(i)
    return history


def mean_loss(params: dict, ids, *, cell: str = "rnn", batch_size: int = 8) -> float:
    """Held-out cross-entropy in nats per token: the text read as ``batch_size`` streams, each
    from a zero state, every next token scored."""
    streams = batchify(ids, batch_size)
    run = forward(params, streams[:-1], cell=cell)
    logp = log_softmax(run.o, axis=-1)
    targets = streams[1:]
    picked = np.take_along_axis(logp, targets[..., None], axis=-1)
    return float(-picked.mean())


def perplexity(nats_per_token: float) -> float:
    """exp(mean cross-entropy): the size of a uniform choice that would be as uncertain."""
    return float(np.exp(nats_per_token))


def generate(params: dict, prime_ids, n: int, *, temperature: float = 1.0, seed: int = 0,
             cell: str = "rnn") -> np.ndarray:
    """(n,) token ids drawn one at a time after reading ``prime_ids``, each fed back as input.

    temperature divides the logits: below 1 sharpens the distribution, above 1 flattens it.
    The same seed gives the same ids.
    """
    prime = _check_ids("prime_ids", prime_ids)
    n = _check_int("n", n, 0)
    if len(prime) == 0:
        raise ValueError("argument 'prime_ids': expected at least one token to start from")
    rng = np.random.default_rng(seed)
    run = forward(params, prime[:-1], cell=cell) if len(prime) > 1 else None
    state = carried_state(run, cell) if run is not None else {}
    token, out = int(prime[-1]), []
    for _ in range(n):
        run = forward(params, np.array([token]), cell=cell, **state)
        state = carried_state(run, cell)
        probs = softmax(run.o[-1], temperature=temperature)
        token = int(rng.choice(len(probs), p=probs))
        out.append(token)
    return np.array(out, dtype=np.int64)

"""Training a language model on one long text, as practitioners do.

The text (token ids) is cut into ``batch_size`` parallel streams; each update reads the next
``seq_len`` steps of every stream, predicts each next token, backpropagates through those
steps only (truncated BPTT), and carries the final hidden state into the next chunk, so the
model still sees the text as one continuous sequence. When the streams run out, reading starts
again at the top with a zero state.

    streams = batchify(ids, B)                          (N, B): column j is one stretch of text
    xs, ys  = streams[t : t+L], streams[t+1 : t+L+1]    inputs and next-token targets
    loss, grads = loss_and_grads(params, xs, ys, h0=h)  then clip, step, h ← h_L

``train_language_model`` is ``rnnlib.fit`` with those batches (``carry_state=True``,
``per_token=True``) and a callback that measures held-out loss.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from ..core.forward import forward
from ..core.softmax import log_softmax
from ..core.validation import (CELLS, bad_type, bad_value, check_choice, check_int,
                               check_params, check_positive, check_token_ids)
from .sampling import sample
from .train import History, fit


def batchify(ids, batch_size: int) -> np.ndarray:
    """(N, B) token ids: the text cut into B consecutive stretches of N tokens, one per column.

    The last len(ids) mod B tokens are dropped.
    """
    ids = check_token_ids("ids", ids, axes=("N",))
    B = check_int("batch_size", batch_size, minimum=1)
    N = len(ids) // B
    if N < 2:
        raise bad_value("ids", f"at least {2 * B} tokens (2 per stream for batch_size={B})",
                        f"{len(ids)} tokens, fewer than 2 per stream")
    return ids[:N * B].reshape(B, N).T.copy()


def stream_batches(streams: np.ndarray, seq_len: int):
    """Batch i of a language model: the next ``seq_len`` steps of every stream and the tokens
    that follow, (L, B) each, and True when the streams ran out and reading starts again at
    the top (from a zero state)."""
    L, start = seq_len, 0

    def batch(_i: int):
        nonlocal start
        fresh = start + L + 1 > len(streams)
        if fresh:
            start = 0
        xs, ys = streams[start:start + L], streams[start + 1:start + L + 1]
        start += L
        return xs, ys, fresh
    return batch


def random_windows(ids, seq_len: int, batch_size: int, *, seed: int = 0):
    """A function i -> batch i of ``batch_size`` windows of ``seq_len`` tokens drawn at random
    from the text ``ids`` (n,): (xs, ys), each (L, B), ys the tokens that follow xs. Each call
    draws new windows from one generator seeded by ``seed``, so a run is reproducible.
    For ``rnnlib.fit(params, random_windows(...), ...)``: windows, not streams, so no state
    is carried."""
    ids = check_token_ids("ids", ids, axes=("N",))
    L = check_int("seq_len", seq_len, minimum=1)
    B = check_int("batch_size", batch_size, minimum=1)
    if len(ids) <= L:
        raise bad_value("ids", f"more tokens than seq_len={L}", f"{len(ids)} tokens")
    rng = np.random.default_rng(seed)

    def batch(_i: int):
        starts = rng.integers(0, len(ids) - L, B)
        idx = starts + np.arange(L)[:, None]
        return ids[idx], ids[idx + 1]
    return batch


def train_language_model(params: dict, ids, *, steps: int, optimizer, batch_size: int = 32,
                         seq_len: int = 50, clip: float | None = 5.0, cell: str = "rnn",
                         val_ids=None, eval_every: int | None = None,
                         progress: Callable[[int], None] | None = None) -> History:
    """Train ``params`` in place for ``steps`` updates of truncated BPTT with a carried state.

    ids: (n,) token ids of the training text, read as ``batch_size`` streams in chunks of
    ``seq_len`` steps (xs, ys (L, B)). optimizer: an object with ``step(params, grads)``
    (rnnlib.Adagrad, rnnlib.Adam). The gradient is averaged over the B·L tokens of a chunk,
    so the learning rate does not depend on the chunk's size; clip: max global norm of that
    average, or None. val_ids / eval_every: measure held-out loss every ``eval_every`` updates.
    progress(i) is called after update i (for a progress bar). This is :func:`rnnlib.fit`
    with ``carry_state=True, per_token=True``.
    """
    streams = batchify(ids, batch_size)
    L = check_int("seq_len", seq_len, minimum=1)
    steps = check_int("steps", steps, minimum=0)
    if isinstance(optimizer, (str, type)) or not hasattr(optimizer, "step"):
        # a name would train at fit's lr 0.1, 100 times Adam's own default
        raise bad_type("optimizer", "an optimiser object such as rnnlib.Adam(0.002)", optimizer)
    if (val_ids is None) != (eval_every is None):
        raise bad_value("eval_every" if eval_every is None else "val_ids",
                        "val_ids and eval_every given together (or neither)", "only one of them")
    if eval_every is not None:
        eval_every = check_int("eval_every", eval_every, minimum=1)
        check_token_ids("val_ids", val_ids, axes=("N",))
    if len(streams) < L + 1:
        raise bad_value("seq_len", f"fewer than the {len(streams)} tokens of each stream (use a "
                        "smaller seq_len or batch_size)", L)

    def after_update(i, params, history):
        if eval_every is not None and ((i + 1) % eval_every == 0 or i + 1 == steps):
            history.val_step.append(i + 1)
            history.val_loss.append(mean_loss(params, val_ids, cell=cell))
        if progress is not None:
            progress(i)

    return fit(params, stream_batches(streams, L), steps=steps, optimizer=optimizer, clip=clip,
               carry_state=True, per_token=True, cell=cell, callback=after_update)


def mean_loss(params: dict, ids, *, cell: str = "rnn", batch_size: int = 8) -> float:
    """Held-out cross-entropy in nats per token of ids (N,): the text read as ``batch_size``
    streams, each from a zero state, every next token scored."""
    _, sizes = check_params(params, check_choice("cell", cell, CELLS))
    streams = batchify(check_token_ids("ids", ids, sizes.D, axes=("N",), bound="D"), batch_size)
    run = forward(params, streams[:-1], cell=cell)
    logp = log_softmax(run.o, axis=-1)
    targets = streams[1:]
    picked = np.take_along_axis(logp, targets[..., None], axis=-1)
    return float(-picked.mean())


def perplexity(nats_per_token: float) -> float:
    """exp(mean cross-entropy): the size of a uniform choice that would be as uncertain."""
    return float(np.exp(check_positive("nats_per_token", nats_per_token, allow_zero=True)))


def generate(params: dict, prime_ids, n: int, *, temperature: float = 1.0, seed: int = 0,
             cell: str = "rnn") -> np.ndarray:
    """(n,) token ids drawn after reading ``prime_ids`` (P,): :func:`rnnlib.sample` by its
    language-model name."""
    return sample(params, prime_ids, n, temperature=temperature, seed=seed, cell=cell)

"""Small tasks the book trains on, generated from a seed (nothing is downloaded)."""
from __future__ import annotations

import numpy as np

from ..core.validation import bad_type, bad_value, check_int, check_int_ids


def sine_windows(n_sequences: int, T: int, *, dx: float = 0.2, seed: int = 0):
    """Windows of sin(x) and the value that follows each window: a regression task for mse, many-to-one.

    Returns xs (T, B, 1) with xs[t, i, 0] = sin(x_i + t·dx) for a random start x_i, and the
    targets (B, 1) = sin(x_i + T·dx): score with loss="mse", mode="many_to_one".
    """
    n_sequences, T = check_int("n_sequences", n_sequences), check_int("T", T)
    starts = np.random.default_rng(seed).uniform(0, 2 * np.pi, n_sequences)
    grid = starts[None, :] + dx * np.arange(T + 1)[:, None]         # (T + 1, B)
    values = np.sin(grid)
    return values[:T, :, None], values[T][:, None]


def recall_first(n_sequences: int, length: int, *, n_symbols: int = 4, n_noise: int = 4,
                 seed: int = 0):
    """Remember the first token: a symbol, then ``length - 1`` noise tokens; answer the symbol.

    Token ids 0..n_symbols-1 are symbols, n_symbols..n_symbols+n_noise-1 are noise, so
    D = n_symbols + n_noise and K = n_symbols. Returns xs (length, B) ids and targets (B,),
    to score with mode="many_to_one". Chance accuracy is 1 / n_symbols; a model must carry
    the first token through ``length - 1`` steps to beat it.
    """
    n_sequences, length = check_int("n_sequences", n_sequences), check_int("length", length)
    n_symbols, n_noise = check_int("n_symbols", n_symbols), check_int("n_noise", n_noise)
    rng = np.random.default_rng(seed)
    xs = rng.integers(n_symbols, n_symbols + n_noise, size=(length, n_sequences))
    targets = rng.integers(0, n_symbols, size=n_sequences)
    xs[0] = targets
    return xs, targets


def seen_in_training(train, test) -> np.ndarray:
    """Which test sequences also occur among the training sequences: a bool per test sequence.

    train, test: token-id sequences, each an iterable of 1-D integer sequences (a list of arrays
    of any lengths, or the columns of a (T, B) batch: pass ``xs.T``). A test set drawn apart from
    the training data is not disjoint from it when the task has few possible sequences; this
    finds the overlap, so that it can be counted and the unseen sequences scored on their own.
    """
    for name, value in (("train", train), ("test", test)):
        if isinstance(value, str) or not hasattr(value, "__iter__"):
            raise bad_type(name, "an iterable of token-id sequences", value)
    drawn = {_as_key("train", seq) for seq in train}
    return np.array([_as_key("test", seq) in drawn for seq in test], dtype=bool)


def _as_key(name: str, seq) -> tuple:
    ids = check_int_ids(name, seq, "sequences of integer token ids")
    if ids.ndim != 1:
        raise bad_value(name, "1-D sequences of token ids", f"one of shape {ids.shape}")
    return tuple(ids.tolist())

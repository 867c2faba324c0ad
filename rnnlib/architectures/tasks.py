"""Small generated tasks, one per shape of sequence task (chapter 7). Nothing is downloaded.

Every generator takes a size and a ``seed`` and returns numpy arrays in the batched layout
(time first). Each is small enough to train in seconds, and each needs the feature it stands
for: memory for tagging, the future for the "Rex" task, the whole source for reversal.
"""
from __future__ import annotations

import numpy as np

from ..core.validation import check_int, check_positive


def _lengths(min_len, max_len) -> tuple[int, int]:
    """Sequence lengths drawn from [min_len, max_len]: 1 <= min_len <= max_len."""
    min_len = check_int("min_len", min_len, minimum=1)
    return min_len, check_int("max_len", max_len, minimum=min_len)


def xor_points(n: int, *, noise: float = 0.15, seed: int = 0):
    """One-to-one: points near the four corners (±1, ±1); the class is 1 where the signs differ.

    Returns xs (1, n, 2) floats (a sequence of length one) and targets (1, n) ints. No linear
    classifier beats 3/4 on it; one hidden layer can.
    """
    n, noise = check_int("n", n), check_positive("noise", noise, allow_zero=True)
    rng = np.random.default_rng(seed)
    signs = rng.choice([-1.0, 1.0], size=(n, 2))
    xs = signs + rng.normal(0.0, noise, size=(n, 2))
    return xs[None], (signs[:, 0] != signs[:, 1]).astype(np.int64)[None]


def seen_before(n: int, T: int = 8, *, n_symbols: int = 6, seed: int = 0):
    """Many-to-many, equal lengths: tag each step 1 if its symbol already occurred, else 0.

    Returns xs (T, n) ids in [0, n_symbols) and targets (T, n) in {0, 1}. A step's tag depends
    on everything before it, which is what the state has to remember.
    """
    n, T, n_symbols = check_int("n", n), check_int("T", T), check_int("n_symbols", n_symbols)
    xs = np.random.default_rng(seed).integers(0, n_symbols, size=(T, n))
    seen = np.zeros((T, n), dtype=np.int64)
    for t in range(1, T):
        seen[t] = (xs[:t] == xs[t]).any(axis=0)
    return xs, seen


def majority(n: int, *, min_len: int = 2, max_len: int = 10, seed: int = 0):
    """Many-to-one, variable lengths: which of symbols a (0) and b (1) occurs more often?

    The other symbols, c (2) and d (3), are noise. Lengths are drawn from [min_len, max_len] and
    ties are redrawn. Returns (list of n id sequences, targets (n,) in {0, 1}): pad them with
    ``masking.pad``.
    """
    n, (min_len, max_len) = check_int("n", n), _lengths(min_len, max_len)
    rng = np.random.default_rng(seed)
    seqs, labels = [], []
    while len(seqs) < n:
        s = rng.integers(0, 4, size=int(rng.integers(min_len, max_len + 1)))
        a, b = int(np.sum(s == 0)), int(np.sum(s == 1))
        if a != b:
            seqs.append(s)
            labels.append(int(b > a))
    return seqs, np.array(labels, dtype=np.int64)


REX_WORDS = ("the", "saw", "ran", "Rex", "dog", "dinosaur")
REX, DOG, DINO = 3, 4, 5


def rex(n: int, T: int = 8, *, seed: int = 0):
    """Many-to-many where the answer may come later: is "Rex" a dog's or a dinosaur's name?

    Each sequence of T words (``REX_WORDS``) holds "Rex" once and one cue, "dog" or
    "dinosaur", before or after it, among filler words. The tag of "Rex" is 1 (dog) or 2
    (dinosaur), every other word's tag is 0. Returns xs (T, n) ids, targets (T, n) and
    cue_after (n,) bools: whether the cue follows "Rex", where a left-to-right reader cannot
    know the answer when it reaches "Rex".
    """
    n, T = check_int("n", n), check_int("T", T, minimum=2)   # room for Rex and a cue
    rng = np.random.default_rng(seed)
    xs = rng.integers(0, 3, size=(T, n))
    targets = np.zeros((T, n), dtype=np.int64)
    cue_after = np.zeros(n, dtype=bool)
    for i in range(n):
        where_rex, where_cue = rng.choice(T, size=2, replace=False)
        cue = int(rng.integers(0, 2))
        xs[where_rex, i], xs[where_cue, i] = REX, DOG + cue
        targets[where_rex, i] = 1 + cue
        cue_after[i] = where_cue > where_rex
    return xs, targets, cue_after


def reversal(n: int, *, min_len: int = 2, max_len: int = 8, n_symbols: int = 6, seed: int = 0):
    """Encoder–decoder: read a sequence of symbols, write it backwards.

    Returns (a list of n source id sequences, each (L,) with L in [min_len, max_len], the list
    of their reversals, each (L,)): pad them with ``masking.pad``.
    """
    n, (min_len, max_len) = check_int("n", n), _lengths(min_len, max_len)
    n_symbols = check_int("n_symbols", n_symbols)
    rng = np.random.default_rng(seed)
    seqs = [rng.integers(0, n_symbols, size=int(rng.integers(min_len, max_len + 1))) for _ in range(n)]
    return seqs, [s[::-1].copy() for s in seqs]


def set_members(n_symbols: int = 8, *, stop: int | None = None):
    """One-to-many: every non-empty subset of n_symbols as a 0/1 vector, and its members in
    increasing order followed by a stop symbol: id ``n_symbols`` unless given, and never a
    member's id, so at least ``n_symbols``.

    Returns xs (2^n_symbols - 1, n_symbols) floats and a list of target id sequences.
    """
    n_symbols = check_int("n_symbols", n_symbols)
    stop = n_symbols if stop is None else check_int("stop", stop, minimum=n_symbols)
    codes = np.arange(1, 2 ** n_symbols)
    bits = (codes[:, None] >> np.arange(n_symbols)[None, :]) & 1
    targets = [np.append(np.flatnonzero(row), stop) for row in bits]
    return bits.astype(np.float64), targets

"""One-hot vectors: what a token id stands for as an input x_t.

The forward pass never builds them (U times a one-hot x is a column of U); they are here to
show and to compute with by hand.
"""
from __future__ import annotations

import numpy as np

from .validation import check_int


def one_hot(ids, size: int) -> np.ndarray:
    """The one-hot encoding of ``ids`` (an int, or integer ids of any shape) over ``size``
    classes: shape ``np.shape(ids) + (size,)``, a 1 at each id and 0 elsewhere."""
    size = check_int("size", size)
    arr = np.asarray(ids)
    if arr.dtype == bool or arr.dtype.kind not in "iu":
        raise TypeError(f"argument 'ids': expected integer ids, got dtype {arr.dtype}")
    if arr.size and (arr.min() < 0 or arr.max() >= size):
        bad = arr.min() if arr.min() < 0 else arr.max()
        raise ValueError(f"argument 'ids': id {int(bad)} is outside [0, size) = [0, {size})")
    return np.eye(size)[arr]

"""One-hot vectors: what a token id stands for as an input x_t.

The forward pass never builds them (U times a one-hot x is a column of U); they are here to
show and to compute with by hand.
"""
from __future__ import annotations

import numpy as np

from .validation import check_id_range, check_int, check_int_ids


def one_hot(ids, size: int) -> np.ndarray:
    """The one-hot encoding of ``ids`` (an int, or integer ids of any shape) over ``size``
    classes: shape ``np.shape(ids) + (size,)``, a 1 at each id and 0 elsewhere."""
    size = check_int("size", size)
    arr = check_id_range("ids", check_int_ids("ids", ids), size, "id", "size")
    return np.eye(size)[arr]

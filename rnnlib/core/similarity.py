"""The cosine of the angle between two arrays read as vectors: whether they point the same way,
whatever their lengths (a gradient before and after clipping, two word vectors)."""
from __future__ import annotations

import numpy as np

from .validation import bad_value, check_float_array, check_shape


def cosine_similarity(a, b) -> float:
    """cos θ = a·b / (‖a‖ ‖b‖), in [-1, 1], for two arrays of the same shape (any shape; a
    matrix is read as the vector of its entries). Neither may be all zeros: it has no direction.
    """
    a = check_float_array("a", a)
    b = check_shape("b", check_float_array("b", b), a.shape, "like 'a'")
    a, b = a.ravel(), b.ravel()
    for name, v in (("a", a), ("b", b)):
        if not v.any():
            raise bad_value(name, "an array with a non-zero entry (a direction)",
                            "all zeros" if v.size else "no entries")
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))

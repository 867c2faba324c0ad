"""What a computation costs: the multiply-adds of one forward step (chapter 2's exercise) and
the peak memory of a call (chapter 4's measurement of BPTT)."""
from __future__ import annotations

import tracemalloc

from ..core.validation import bad_type, check_int


def step_multiply_adds(D: int, H: int, K: int, *, token_ids: bool = False) -> int:
    """Multiply-adds of one step a_t = b + W h + U x, o_t = c + V h (biases, f, softmax ignored).

    U x_t costs H·D, W h_{t-1} costs H·H, V h_t costs K·H. With a token id, U x_t is a column
    lookup and costs nothing, so the count is H·(H + K).
    """
    D, H, K = check_int("D", D), check_int("H", H), check_int("K", K)
    return (0 if token_ids else H * D) + H * H + K * H


def peak_bytes(fn, /, *args, **kwargs) -> int:
    """The most memory ``fn(*args, **kwargs)`` held at once beyond what was live before, in bytes.

    Measured by ``tracemalloc``, to which numpy reports its arrays; Python's own objects count
    too, so the figure varies by a few kilobytes from run to run. Arrays made before the call
    (its inputs) are not counted. If tracemalloc is already tracing, it keeps tracing after.
    """
    if not callable(fn):
        raise bad_type("fn", "a function", fn)
    started = not tracemalloc.is_tracing()
    if started:
        tracemalloc.start()
    before, _ = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    try:
        fn(*args, **kwargs)
        return tracemalloc.get_traced_memory()[1] - before
    finally:
        if started:
            tracemalloc.stop()

"""What one forward step costs, counted in multiply-adds (chapter 2's exercise)."""
from __future__ import annotations

from ..core.validation import check_int


def step_multiply_adds(D: int, H: int, K: int, *, token_ids: bool = False) -> int:
    """Multiply-adds of one step a_t = b + W h + U x, o_t = c + V h (biases, f, softmax ignored).

    U x_t costs H·D, W h_{t-1} costs H·H, V h_t costs K·H. With a token id, U x_t is a column
    lookup and costs nothing, so the count is H·(H + K).
    """
    D, H, K = check_int("D", D), check_int("H", H), check_int("K", K)
    return (0 if token_ids else H * D) + H * H + K * H

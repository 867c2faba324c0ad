"""How the steppers print numbers and tokens in HTML: fixed decimals, a true minus sign.

``fixed_point(x, 2)`` and ``scientific(x, 1)`` show a number in a frame at a fixed number of
decimals, for the eye (a true minus sign "−", the widths of a column alike). The numbers a
chapter prints or glues for its prose go through ``rnnlib.report.fmt`` instead, which rounds to
significant digits and writes a plain "-".
"""
from __future__ import annotations

import html

MINUS = "\u2212"


def fixed_point(value: float, digits: int = 2) -> str:
    """``value`` with ``digits`` decimals ("0.50", "−1.25"): a true minus sign, and no "−0.00"."""
    s = f"{value:.{digits}f}"
    if float(s) == 0:
        s = s.lstrip("-")
    return s.replace("-", MINUS)


def scientific(value: float, digits: int = 1) -> str:
    """``value`` in scientific notation with ``digits`` decimals, for tiny or huge numbers
    ("1.2e−05"), with a true minus sign."""
    return f"{value:.{digits}e}".replace("-", MINUS)


def esc(text) -> str:
    return html.escape(str(text), quote=True)


def token_label(token) -> str:
    """How a token is shown: characters in quotes, a space as '␣', a newline as '⏎'."""
    if isinstance(token, str):
        shown = {" ": "\u2423", "\n": "\u23ce", "\t": "\u21e5"}.get(token, token)
        return f"'{shown}'"
    return str(token)

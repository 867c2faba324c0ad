"""How the steppers print numbers and tokens in HTML: fixed decimals, a true minus sign."""
from __future__ import annotations

import html

MINUS = "\u2212"


def fmt(value: float, digits: int = 2) -> str:
    """A number with fixed decimals, a true minus sign, and no '-0.00'."""
    s = f"{value:.{digits}f}"
    if float(s) == 0:
        s = s.lstrip("-")
    return s.replace("-", MINUS)


def fmt_sci(value: float, digits: int = 1) -> str:
    """Scientific notation for tiny or huge numbers (1.2e−05)."""
    return f"{value:.{digits}e}".replace("-", MINUS)


def esc(text) -> str:
    return html.escape(str(text), quote=True)


def token_label(token) -> str:
    """How a token is shown: characters in quotes, a space as '␣', a newline as '⏎'."""
    if isinstance(token, str):
        shown = {" ": "\u2423", "\n": "\u23ce", "\t": "\u21e5"}.get(token, token)
        return f"'{shown}'"
    return str(token)

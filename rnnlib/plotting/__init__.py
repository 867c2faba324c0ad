"""Figures for the book. ``style.py`` fixes the look every chapter shares; each topic's
figures live in their own module beside it (one concept per module)."""
from .style import PALETTE, use_book_style

__all__ = ["PALETTE", "use_book_style"]

"""How much of a generated text is spelled right: the share of its words found in a reference.

A cheap, honest measure of what a character model has learned at the level of words: it says
nothing about grammar or meaning, only whether the letters between two spaces form a word the
reference text uses.
"""
from __future__ import annotations

import re

from ..core.validation import bad_value, check_int, check_str

_WORD = re.compile(r"[A-Za-z]+")


def words(text: str) -> list[str]:
    """The runs of ASCII letters in ``text``, lower-cased ("Return the `x1`" → return, the, x)."""
    return [w.lower() for w in _WORD.findall(check_str("text", text))]


def known_word_rate(generated: str, reference: str, *, min_letters: int = 3) -> float:
    """The fraction of the words of ``generated`` that also occur in ``reference`` (0 to 1).

    Only words of at least ``min_letters`` letters count: random letters make one- and
    two-letter "words" ("a", "x", "is") by chance, which would flatter an untrained model.
    Raises ValueError if ``generated`` has no such word.
    """
    min_letters = check_int("min_letters", min_letters, minimum=1)
    check_str("generated", generated)
    check_str("reference", reference)
    found = [w for w in words(generated) if len(w) >= min_letters]
    if not found:
        raise bad_value("generated", f"a text with at least one word of {min_letters} or more "
                        "letters", "none")
    known = set(words(reference))
    return sum(w in known for w in found) / len(found)

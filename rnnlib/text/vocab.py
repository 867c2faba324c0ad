"""A vocabulary: the map between tokens (words or characters) and integer ids.

Two special tokens: <UNK> stands for every token the vocabulary does not keep (rare or
unseen words), <EOS> marks the end of a sequence so a model can learn where to stop.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import Sequence

import numpy as np

from ..core.validation import (bad_type, bad_value, check_choice, check_int, check_str,
                               check_token_ids)
from ..core.encoding import one_hot

UNK, EOS = "<UNK>", "<EOS>"


def tokenize(text: str, level: str = "word") -> list[str]:
    """Lower-cased words and punctuation marks (level="word") or characters (level="char")."""
    check_str("text", text)
    if check_choice("level", level, ("word", "char")) == "char":
        return list(text)
    return re.findall(r"[a-z0-9']+|[^\sa-z0-9']", text.lower())


def _tokens(tokens) -> list:
    """``tokens`` as a list: a sequence of tokens, not one str (a text is tokenized first)."""
    if isinstance(tokens, str) or not isinstance(tokens, Iterable):
        raise bad_type("tokens", "a sequence of tokens, not one str (call tokenize(text) "
                       "first)", tokens)
    tokens = list(tokens)
    if set(map(type, tokens)) - {str}:   # ids are made from strs (sorting a mix fails)
        bad = next((i for i, t in enumerate(tokens) if not isinstance(t, str)), None)
        if bad is not None:                # (else only subclasses of str, such as numpy's)
            raise bad_type(f"tokens[{bad}]", "a str token", tokens[bad])
    return tokens


class Vocabulary:
    """Ids 0 and 1 are <UNK> and <EOS>; the other tokens follow, most frequent first
    (ties broken alphabetically, so the same corpus always gives the same ids)."""

    def __init__(self, tokens: Iterable[str], *, min_count: int = 1, max_size: int | None = None):
        tokens = _tokens(tokens)
        min_count = check_int("min_count", min_count, minimum=1)
        if max_size is not None:   # room for <UNK> and <EOS>
            max_size = check_int("max_size", max_size, minimum=2)
        self.counts = Counter(t for t in tokens if t not in (UNK, EOS))
        kept = sorted((t for t, n in self.counts.items() if n >= min_count),
                      key=lambda t: (-self.counts[t], t))
        if max_size is not None:
            kept = kept[: max_size - 2]
        self.itos: list[str] = [UNK, EOS] + kept
        self.stoi: dict[str, int] = {t: i for i, t in enumerate(self.itos)}

    @property
    def unk_id(self) -> int:
        return 0

    @property
    def eos_id(self) -> int:
        return 1

    def __len__(self) -> int:
        return len(self.itos)

    def __contains__(self, token: str) -> bool:
        return token in self.stoi

    def encode(self, tokens: Sequence[str], *, add_eos: bool = False) -> np.ndarray:
        """Token ids (n,) int64; unknown tokens become <UNK>'s id."""
        ids = [self.stoi.get(t, 0) for t in _tokens(tokens)] + ([1] if add_eos else [])
        return np.array(ids, dtype=np.int64)

    def decode(self, ids) -> list[str]:
        """Tokens for the ids (n,); raises for an id outside [0, len(vocab))."""
        ids = check_token_ids("ids", ids, len(self), bound="len(vocab)")
        return [self.itos[i] for i in ids.reshape(-1)]

    def one_hot(self, ids) -> np.ndarray:
        """The one-hot matrix (n, len(vocab)): for showing what the ids stand for. rnnlib's
        forward pass never builds it; it indexes columns of U instead."""
        self.decode(ids)  # validates
        return one_hot(np.asarray(ids).reshape(-1), len(self))

    def coverage(self, tokens: Sequence[str]) -> float:
        """The fraction of ``tokens`` the vocabulary knows (the rest would become <UNK>)."""
        tokens = _tokens(tokens)
        if not tokens:
            raise bad_value("tokens", "at least one token", "none")
        return sum(t in self.stoi for t in tokens) / len(tokens)

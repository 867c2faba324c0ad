"""Number words to digits: a sequence-to-sequence task generated from a seed (nothing downloaded).

    "four hundred and twelve thousand and six"  ->  412006

Sources are English number words, with the variations people write: "and" after "hundred" (or
before the last part) is optional, and a leading one is "one" or "a" ("a hundred and five").
The target is the digit string followed by the end symbol. Longer numbers take more words and
more digits, so the information the encoder must pass on grows with the input's length.
"""
from __future__ import annotations

import numpy as np

from ...core.validation import as_array, bad_type, bad_value, check_int, check_int_ids, check_token_ids
from ..masking import pad

ONES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
        "nineteen")
TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
SOURCE_WORDS = ONES + TENS[2:] + ("hundred", "thousand", "and", "a")
DIGITS = tuple("0123456789")
EOS = "<EOS>"
TARGET_SYMBOLS = DIGITS + (EOS,)        # K = 11; id 10 is the end symbol
# What padded places hold. It is embedded and run like any id, but masked (attention, the
# context, the loss never read what it gives), so its value changes no result.
PAD = 0
LIMIT = 1_000_000                        # the numbers are 0 .. LIMIT - 1: at most six digits
MAX_DIGITS = len(str(LIMIT - 1))


def _below_thousand(n: int, rng, *, leading: bool) -> list[str]:
    words = []
    hundreds, rest = divmod(n, 100)
    if hundreds:
        words += ["a" if hundreds == 1 and leading and rng.random() < 0.3 else ONES[hundreds],
                  "hundred"]
        if rest and rng.random() < 0.5:
            words.append("and")
    if rest >= 20:
        words.append(TENS[rest // 10])
        if rest % 10:
            words.append(ONES[rest % 10])
    elif rest:
        words.append(ONES[rest])
    return words


def number_words(n: int, rng=None) -> list[str]:
    """The words for 0 <= n < 1,000,000, with the optional "and"s and "a"s drawn from ``rng``."""
    n = check_int("n", n, minimum=0, maximum=LIMIT - 1)
    rng = np.random.default_rng(0) if rng is None else rng
    if not isinstance(rng, np.random.Generator):
        raise bad_type("rng", "None or a numpy Generator (np.random.default_rng(seed))", rng)
    if n == 0:
        return ["zero"]
    thousands, rest = divmod(int(n), 1000)
    words = []
    if thousands:
        words += _below_thousand(thousands, rng, leading=True) + ["thousand"]
        if 0 < rest < 100 and rng.random() < 0.5:
            words.append("and")
    if rest:
        words += _below_thousand(rest, rng, leading=not thousands)
    return words


def _whole_numbers(name: str, values, what: str) -> np.ndarray:
    """Integers of any shape as a flat int64 array (N,); an empty sequence is none (numpy
    makes () a float array)."""
    if as_array(name, values).size == 0:
        return np.zeros(0, dtype=np.int64)
    return check_int_ids(name, values, what).reshape(-1).astype(np.int64)


def sample_numbers(count: int, *, max_digits: int = MAX_DIGITS, seed: int = 0,
                   exclude=()) -> np.ndarray:
    """``count`` distinct numbers, an (N,) int array with N = count: a digit count drawn
    uniformly from 1..max_digits (at most 6: the words stop below a million), then a number
    with that many digits, uniformly; none of ``exclude`` (whole numbers, any shape: so a test
    set is held out)."""
    max_digits = check_int("max_digits", max_digits, maximum=MAX_DIGITS)
    rng = np.random.default_rng(check_int("seed", seed, minimum=0))
    taken, out = set(_whole_numbers("exclude", exclude, "whole numbers").tolist()), []
    free = 10 ** max_digits - len({x for x in taken if 0 <= x < 10 ** max_digits})
    if check_int("count", count, minimum=0) > free:
        raise bad_value("count", f"at most {free}, the numbers of at most {max_digits} digits "
                        "not excluded", count)
    while len(out) < count:
        d = int(rng.integers(1, max_digits + 1))
        x = int(rng.integers(0 if d == 1 else 10 ** (d - 1), 10 ** d))
        if x not in taken:
            taken.add(x)
            out.append(x)
    return np.array(out, dtype=np.int64)


def encode_pairs(numbers, *, seed: int = 0):
    """(sources, targets) as lists of id arrays, one pair per entry of ``numbers`` (whole
    numbers in [0, 1000000), any shape, read in order): words -> ids in SOURCE_WORDS (S_k,),
    digits + EOS (T_k,)."""
    want = f"whole numbers in [0, {LIMIT})"
    numbers = _whole_numbers("numbers", numbers, want)
    if numbers.size and (numbers.min() < 0 or numbers.max() >= LIMIT):
        bad = numbers.min() if numbers.min() < 0 else numbers.max()
        raise bad_value("numbers", want, int(bad))
    rng = np.random.default_rng(check_int("seed", seed, minimum=0))
    src_id = {w: i for i, w in enumerate(SOURCE_WORDS)}
    sources, targets = [], []
    for x in numbers:
        sources.append(np.array([src_id[w] for w in number_words(int(x), rng)], dtype=np.int64))
        targets.append(np.array([int(ch) for ch in str(int(x))] + [len(DIGITS)], dtype=np.int64))
    return sources, targets


def pad_batch(sequences, pad_id: int = PAD) -> tuple[np.ndarray, np.ndarray]:
    """Right-pad id sequences to (T, B); return (ids, lengths (B,)) (``masking.pad``'s)."""
    batch = pad(sequences, pad_id)
    return batch.xs, batch.lengths


def source_text(ids) -> str:
    """A source's ids (S,), each in [0, len(SOURCE_WORDS)), as its words joined by spaces
    ("four hundred and six"). (Not ``rnnlib.text.word_check.words``, which splits a text
    into its words.)"""
    ids = check_token_ids("ids", ids, len(SOURCE_WORDS), axes=("S",), bound="N")
    return " ".join(SOURCE_WORDS[i] for i in ids)


def target_text(ids) -> str:
    """An output's ids (T,), each a digit 0..9 or the end symbol (id 10, dropped), as the
    digit string ("406")."""
    ids = check_token_ids("ids", ids, len(TARGET_SYMBOLS), axes=("T",), bound="K")
    return "".join(DIGITS[i] for i in ids if i < len(DIGITS))

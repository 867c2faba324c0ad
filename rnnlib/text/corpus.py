"""A small English-like corpus generated from a grammar, so the book downloads nothing.

Its structure is deliberate and documented, which is what lets a chapter say honestly what
embeddings learned from it can and cannot show:

* People come in pairs that differ only in gender (king/queen, man/woman, prince/princess,
  boy/girl, father/mother, son/daughter, brother/sister, uncle/aunt). A gendered word
  appears with matching pronouns (he/his/him or she/her), so gender is a direction in the data.
* Each person belongs to a *rank* — royal (king, queen, prince, princess), common (man, woman,
  boy, girl) or family (the rest) — and each rank has its own places and verbs (palace, crown,
  rules / market, field, works / home, kitchen, visits). Rank is a second direction.
* Young people (prince, princess, boy, girl, son, daughter) also appear with "young", "plays",
  "school": age is a third, weaker direction.
* Animals and objects (dog, cat, horse, river, ...) fill sentences without gender or rank.
* Names follow a Zipf law (a few common, many rare) so a vocabulary's coverage against its
  size, and the need for <UNK>, can be measured.

What it cannot show: meaning beyond these few directions, polysemy, or anything real text
teaches about how words are used — it is a laboratory, not a language.
"""
from __future__ import annotations

import numpy as np

from ..core.validation import check_int

PAIRS = [("king", "queen"), ("prince", "princess"), ("man", "woman"), ("boy", "girl"),
         ("father", "mother"), ("son", "daughter"), ("brother", "sister"), ("uncle", "aunt")]
RANK = {"king": "royal", "prince": "royal", "man": "common", "boy": "common",
        "father": "family", "son": "family", "brother": "family", "uncle": "family"}
YOUNG = {"prince", "boy", "son"}
PLACES = {"royal": ["palace", "throne", "castle"], "common": ["market", "field", "village"],
          "family": ["home", "kitchen", "garden"]}
VERBS = {"royal": ["rules", "commands", "crowns"], "common": ["works", "sells", "digs"],
         "family": ["visits", "cooks", "helps"]}
THINGS = ["dog", "cat", "horse", "bird", "river", "tree", "road", "bridge"]
PRONOUNS = {"m": ("he", "his"), "f": ("she", "her")}
NAMES = ["anna", "ben", "clara", "david", "elena", "felix", "grace", "hugo", "iris", "jonas",
         "karin", "leo", "maya", "nils", "olga", "paul", "rosa", "sami", "tara", "ugo",
         "vera", "walt", "xena", "yuri", "zoe", "amir", "bela", "cyra", "dario", "enzo"]


def _person(rng) -> tuple[str, str, str]:
    """A random person word with its gender ("m"/"f") and rank."""
    male, female = PAIRS[rng.integers(len(PAIRS))]
    gender = "m" if rng.random() < 0.5 else "f"
    return (male if gender == "m" else female), gender, RANK[male]


_ZIPF = 1.0 / np.arange(1, len(NAMES) + 1)
NAME_PROBABILITIES = _ZIPF / _ZIPF.sum()     # rank r has probability ∝ 1/r


def _name(rng) -> str:
    """A name drawn from a Zipf law over NAMES."""
    return NAMES[rng.choice(len(NAMES), p=NAME_PROBABILITIES)]


def _sentence(rng) -> str:
    word, gender, rank = _person(rng)
    he, his = PRONOUNS[gender]
    place = PLACES[rank][rng.integers(3)]
    verb = VERBS[rank][rng.integers(3)]
    thing = THINGS[rng.integers(len(THINGS))]
    young = word in YOUNG or word in {"princess", "girl", "daughter"}
    templates = [
        f"the {word} {verb} in the {place} .",
        f"{he} is the {word} and {he} {verb} .",
        f"the {word} walks to {his} {place} with the {thing} .",
        f"{_name(rng)} saw the {word} near the {place} .",
        f"the {thing} follows the {word} and {his} {thing} .",
    ]
    if young:
        templates.append(f"the young {word} plays at school with {his} {thing} .")
    return templates[rng.integers(len(templates))]


def toy_corpus(n_sentences: int = 4000, *, seed: int = 0) -> list[str]:
    """``n_sentences`` sentences from the grammar above; the same seed gives the same text."""
    n_sentences = check_int("n_sentences", n_sentences, minimum=1)
    rng = np.random.default_rng(seed)
    return [_sentence(rng) for _ in range(n_sentences)]

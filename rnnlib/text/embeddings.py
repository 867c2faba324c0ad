"""Word vectors from counts: co-occurrence, PPMI and a truncated SVD; then cosine geometry.

The distributional idea: a word is known by the company it keeps. Count how often each word
appears within ``window`` positions of each other word; reweight the counts by positive
pointwise mutual information (how much more often than chance two words meet); keep the top
singular directions. Words used in similar contexts end up with similar vectors — the
count-based cousin of what word2vec and GloVe learn (Levy & Goldberg showed the two are close).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ..core.validation import (bad_type, bad_value, check_float_array, check_int, check_token_ids,
                               check_vector)
from .vocab import Vocabulary


def cooccurrence(sentences: Sequence[np.ndarray], vocab_size: int, window: int = 2) -> np.ndarray:
    """Symmetric counts C (V, V): C[i, j] = how often j appears within ``window`` of i.

    sentences: a list of id arrays; words never pair across a sentence boundary.
    """
    window = check_int("window", window, minimum=1)
    V = check_int("vocab_size", vocab_size)
    counts = np.zeros((V, V))
    for i, ids in enumerate(sentences):
        ids = check_token_ids(f"sentences[{i}]", ids, V, axes=("L",), bound="vocab_size")
        for shift in range(1, window + 1):
            left, right = ids[:-shift], ids[shift:]
            np.add.at(counts, (left, right), 1.0)   # small corpus: clarity over speed here
            np.add.at(counts, (right, left), 1.0)
    return counts


def ppmi(counts: np.ndarray) -> np.ndarray:
    """max(0, log P(i, j) / (P(i) P(j))): co-occurrence beyond what chance predicts."""
    counts = _matrix("counts", counts)
    total = counts.sum()
    if total == 0:
        raise bad_value("counts", "some co-occurrences", "an all-zero matrix")
    row = counts.sum(axis=1, keepdims=True)
    col = counts.sum(axis=0, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        pmi = np.log(counts * total / (row * col))
    return np.where(np.isfinite(pmi) & (pmi > 0), pmi, 0.0)


def svd_embeddings(matrix: np.ndarray, dim: int) -> np.ndarray:
    """Rows of U_k √S_k from the SVD of ``matrix``: one ``dim``-vector per word (V, dim).

    The sign of each singular vector is fixed (largest entry positive) so results repeat.
    """
    matrix = _matrix("matrix", matrix)
    dim = check_int("dim", dim, minimum=1, maximum=min(matrix.shape))
    u, s, _ = np.linalg.svd(matrix)
    u = u[:, :dim] * np.sqrt(s[:dim])
    signs = np.sign(u[np.abs(u).argmax(axis=0), np.arange(dim)])
    return u * signs


def normalize(vectors: np.ndarray) -> np.ndarray:
    """Each row scaled to length 1 (rows of zeros stay zero): vectors (..., dim), any number of
    leading axes (one vector (dim,), or (N, dim)), returns the same shape."""
    vectors = check_float_array("vectors", vectors)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.where(norms == 0, 1.0, norms)


def _matrix(name: str, value) -> np.ndarray:
    """A 2-D float array with at least one row and column (counts, or one vector per word)."""
    arr = check_float_array(name, value)
    if arr.ndim != 2 or 0 in arr.shape:
        raise bad_value(name, "a non-empty 2-D array", f"shape {arr.shape}")
    return arr


def _word_vectors(vectors, vocab) -> np.ndarray:
    """One vector per word of ``vocab`` (a Vocabulary): vectors (len(vocab), dim)."""
    if not isinstance(vocab, Vocabulary):
        raise bad_type("vocab", "a Vocabulary", vocab)
    vectors = _matrix("vectors", vectors)
    if len(vectors) != len(vocab):
        raise bad_value("vectors", f"one row per word of the vocabulary, {len(vocab)} rows",
                        f"shape {vectors.shape}")
    return vectors


def _id(vocab: Vocabulary, word: str, name: str = "word") -> int:
    if word not in vocab:
        raise bad_value(name, "a word in the vocabulary", repr(word))
    return vocab.stoi[word]


def nearest(vectors: np.ndarray, vocab: Vocabulary, word: str, k: int = 5,
            exclude: Sequence[str] = ()) -> list[tuple[str, float]]:
    """The ``k`` words whose vectors have the highest cosine with ``word``'s (itself excluded).

    vectors (len(vocab), dim): row i is the vector of ``vocab.itos[i]``. Returns up to ``k``
    pairs (word, cosine), most similar first; the specials and ``exclude`` are skipped."""
    vectors = _word_vectors(vectors, vocab)
    return nearest_to_vector(vectors, vocab, vectors[_id(vocab, word)], k, exclude=(word, *exclude))


def nearest_to_vector(vectors: np.ndarray, vocab: Vocabulary, query: np.ndarray, k: int = 5,
                      exclude: Sequence[str] = ()) -> list[tuple[str, float]]:
    """The ``k`` vocabulary words closest in cosine to ``query``, skipping specials and ``exclude``.

    vectors (len(vocab), dim) one row per word, query (dim,). Returns up to ``k`` pairs
    (word, cosine), most similar first."""
    vectors, k = _word_vectors(vectors, vocab), check_int("k", k)
    query = check_vector("query", query, "numbers, one per column of vectors",
                         size=vectors.shape[1])
    sims = normalize(vectors) @ normalize(query[None])[0]
    skip = {vocab.unk_id, vocab.eos_id} | {vocab.stoi[w] for w in exclude if w in vocab}
    order = [i for i in np.argsort(-sims, kind="stable") if i not in skip]
    return [(vocab.itos[i], float(sims[i])) for i in order[:k]]


def analogy(vectors: np.ndarray, vocab: Vocabulary, a: str, b: str, c: str,
            k: int = 1) -> list[tuple[str, float]]:
    """"a is to b as c is to ?": the words nearest to b - a + c, the three inputs excluded
    (as in Mikolov et al., 2013). Example: analogy(E, vocab, "man", "king", "woman")."""
    unit = normalize(_word_vectors(vectors, vocab))
    query = unit[_id(vocab, b, "b")] - unit[_id(vocab, a, "a")] + unit[_id(vocab, c, "c")]
    return nearest_to_vector(vectors, vocab, query, k, exclude=(a, b, c))


def project_2d(vectors: np.ndarray) -> np.ndarray:
    """The first two principal components of the rows (V, 2), signs fixed, for a plot."""
    vectors = _matrix("vectors", vectors)
    if vectors.shape[1] < 2:
        raise bad_value("vectors", "at least 2 columns to project to 2", f"shape {vectors.shape}")
    centred = vectors - vectors.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    points = centred @ vt[:2].T
    signs = np.sign(points[np.abs(points).argmax(axis=0), [0, 1]])
    return points * signs

"""The generated corpus and count-based embeddings."""
import numpy as np
import pytest

import rnnlib
from rnnlib.text import embeddings as E
from rnnlib.text.corpus import NAMES, toy_corpus


@pytest.fixture(scope="module")
def model():
    sentences = [rnnlib.tokenize(s) for s in toy_corpus(3000, seed=0)]
    vocab = rnnlib.Vocabulary([t for s in sentences for t in s])
    ids = [vocab.encode(s) for s in sentences]
    vectors = E.svd_embeddings(E.ppmi(E.cooccurrence(ids, len(vocab), window=2)), 12)
    return vocab, vectors


def test_corpus_is_seeded_and_follows_its_grammar():
    a, b = toy_corpus(50, seed=1), toy_corpus(50, seed=1)
    assert a == b and a != toy_corpus(50, seed=2)
    for sentence in toy_corpus(300):
        words = sentence.split()
        assert words[-1] == "."
        if "queen" in words:
            assert "he" not in words and "his" not in words   # gender agrees
    with pytest.raises(ValueError, match="'n_sentences'"):
        toy_corpus(0)


def test_names_are_zipfian():
    counts = {n: 0 for n in NAMES}
    for s in toy_corpus(5000):
        for w in s.split():
            if w in counts:
                counts[w] += 1
    assert counts[NAMES[0]] > 5 * counts[NAMES[-1]] > 0


def test_cooccurrence_counts_by_hand():
    c = E.cooccurrence([np.array([0, 1, 2])], 3, window=1)
    np.testing.assert_array_equal(c, [[0, 1, 0], [1, 0, 1], [0, 1, 0]])
    c2 = E.cooccurrence([np.array([0, 1, 2])], 3, window=2)
    assert c2[0, 2] == c2[2, 0] == 1
    with pytest.raises(ValueError, match="'window'"):
        E.cooccurrence([np.array([0])], 1, window=0)


def test_ppmi_is_zero_for_independent_words():
    counts = np.outer([1.0, 2.0], [3.0, 4.0])       # P(i, j) = P(i) P(j) exactly
    np.testing.assert_allclose(E.ppmi(counts), 0.0, atol=1e-12)
    assert E.ppmi(np.array([[0.0, 5.0], [5.0, 0.0]]))[0, 1] > 0


def test_svd_embeddings_are_deterministic_and_checked():
    m = np.random.default_rng(0).normal(size=(6, 6))
    np.testing.assert_array_equal(E.svd_embeddings(m, 3), E.svd_embeddings(m.copy(), 3))
    with pytest.raises(ValueError, match="'dim'"):
        E.svd_embeddings(m, 7)


def test_the_classic_analogy_holds_on_this_corpus(model):
    vocab, vectors = model
    assert E.analogy(vectors, vocab, "man", "king", "woman")[0][0] == "queen"
    assert E.analogy(vectors, vocab, "boy", "girl", "son")[0][0] == "daughter"


def test_nearest(model):
    vocab, vectors = model
    words = [w for w, _ in E.nearest(vectors, vocab, "king", k=5)]
    assert "king" not in words and "queen" in words[:2]
    with pytest.raises(ValueError, match="argument 'word': expected a word in the vocabulary, got 'emperor'"):
        E.nearest(vectors, vocab, "emperor")


def test_project_2d_shape(model):
    _, vectors = model
    assert E.project_2d(vectors).shape == (len(vectors), 2)


@pytest.mark.parametrize("call, error, name", [
    (lambda m: rnnlib.Vocabulary(3), TypeError, "tokens"),
    (lambda m: rnnlib.Vocabulary(["a", 1]), TypeError, r"tokens\[1\]"),
    (lambda m: m[0].encode(3), TypeError, "tokens"),
    (lambda m: m[0].coverage(3), TypeError, "tokens"),
    (lambda m: E.cooccurrence([np.array([0, 9])], 3), ValueError, r"sentences\[0\]"),
    (lambda m: E.ppmi("abc"), TypeError, "counts"),
    (lambda m: E.normalize("abc"), TypeError, "vectors"),
    (lambda m: E.nearest(m[1], m[0], "king", k=0), ValueError, "k"),
    (lambda m: E.nearest(m[1], list(m[0].itos), "king"), TypeError, "vocab"),
    (lambda m: E.nearest(m[1][:5], m[0], "king"), ValueError, "vectors"),
    (lambda m: E.analogy(m[1], m[0], "man", "emperor", "woman"), ValueError, "b"),
    (lambda m: E.project_2d(np.ones(3)), ValueError, "vectors"),
    (lambda m: rnnlib.cosine_similarity([1, 2], [1, 2, 3]), ValueError, "b"),
])
def test_bad_input_names_the_argument(model, call, error, name):
    with pytest.raises(error, match=f"argument '{name}'"):
        call(model)


def test_the_text_helpers_name_a_wrong_type():
    from rnnlib.text.docstrings import corpus_fingerprint, docstring_summary
    with pytest.raises(TypeError, match="argument 'doc'"):
        docstring_summary(3)
    with pytest.raises(TypeError, match="argument 'text'"):
        corpus_fingerprint(3)

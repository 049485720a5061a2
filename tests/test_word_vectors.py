"""PPMI-SVD word vectors: counts, PMI and vectors on corpora small enough to check by hand.

    /work/venv/bin/python -m pytest tests/test_word_vectors.py -q
"""

from __future__ import annotations

import numpy as np
import pytest

from seqbot.training.word_vectors import cooccurrence_counts, positive_pmi, ppmi_vectors


def test_counts_pairs_within_the_window_and_skips_padding_and_oov():
    ids = np.array([[0, 0, 2, 3, 4], [1, 2, 3, 0, 0]])
    counts = cooccurrence_counts(ids, vocab_size=5, window=1).toarray()
    assert counts[2, 3] == counts[3, 2] == 2  # adjacent in both rows
    assert counts[3, 4] == 1 and counts[2, 4] == 0  # 2 and 4 are two apart
    assert counts[:2].sum() == counts[:, :2].sum() == 0
    assert cooccurrence_counts(ids, vocab_size=5, window=2).toarray()[2, 4] == 1


def test_positive_pmi_matches_the_formula():
    counts = cooccurrence_counts(np.array([[2, 3, 2, 3, 4, 5, 4, 5, 2, 5]]), vocab_size=6, window=2)
    dense = counts.toarray()
    context = dense.sum(0) ** 0.75
    expected = np.zeros_like(dense)
    for w, c in zip(*np.nonzero(dense)):
        expected[w, c] = max(0.0, np.log(dense[w, c] * context.sum() / (dense[w].sum() * context[c])))
    np.testing.assert_allclose(positive_pmi(counts).toarray(), expected, rtol=1e-12)
    assert (expected > 0).any() and (expected[dense > 0] == 0).any()  # both kinds of pair occur


def test_words_used_alike_get_similar_vectors():
    rng = np.random.default_rng(0)
    # two topics: words 2-6 appear together, words 7-11 appear together
    rows = [rng.choice(np.arange(2, 7) if topic == 0 else np.arange(7, 12), size=20) for topic in rng.integers(0, 2, 400)]
    vectors = ppmi_vectors(np.array(rows), vocab_size=12, dim=4)
    assert vectors.shape == (12, 4) and vectors.dtype == np.float32
    assert not vectors[:2].any()
    unit = vectors[2:] / np.linalg.norm(vectors[2:], axis=1, keepdims=True)
    similarity = unit @ unit.T
    same = np.mean([similarity[i, j] for i in range(5) for j in range(5) if i != j])
    across = similarity[:5, 5:].mean()
    assert same > across + 0.5
    assert vectors[2:].std() == pytest.approx(0.05, rel=1e-3)
    np.testing.assert_array_equal(vectors, ppmi_vectors(np.array(rows), vocab_size=12, dim=4))  # reproducible


def test_too_many_dimensions_is_a_clear_error():
    with pytest.raises(ValueError, match="dimensions"):
        ppmi_vectors(np.array([[2, 3]]), vocab_size=4, dim=3)

"""The Naive Bayes models' text contract: a bag of words like scikit-learn's CountVectorizer.

    bag = BagOfWords().fit(texts)                       # vocabulary: every token, sorted
    rows, columns, values = bag.features(texts)         # sparse counts (or TF-IDF weights)
    scores = bag.linear_scores(texts, weights, bias)    # bias + features @ weights.T, never dense

Tokens: lower-cased, regular expression (?u)\\b\\w\\w+\\b (CountVectorizer's default).
`BagOfWords(weighting="tfidf", sublinear_tf=True)` gives TF-IDF weights instead of counts, like
TfidfVectorizer(sublinear_tf=True) (smooth idf, l2-normalised rows). Training fits it
(seqbot.training.naive_bayes) and the engine reads texts with it (seqbot.engine.naive_bayes).
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np

from seqbot.errors import SeqbotError

TOKEN_PATTERN = r"(?u)\b\w\w+\b"
WEIGHTINGS = ("counts", "tfidf")


class BagOfWords:
    """Vocabulary (sorted, like CountVectorizer) and the count matrix of texts."""

    def __init__(self, vocabulary: list[str] | None = None, token_pattern: str = TOKEN_PATTERN, lowercase: bool = True,
                 weighting: str = "counts", sublinear_tf: bool = False, idf: np.ndarray | None = None):
        if weighting not in WEIGHTINGS:
            raise SeqbotError(f"weighting must be 'counts' or 'tfidf', got {weighting!r}")
        self.weighting = weighting
        self.sublinear_tf = sublinear_tf
        self.idf = idf
        self.token_pattern = token_pattern
        self.lowercase = lowercase
        self._regex = re.compile(token_pattern)
        self.vocabulary = list(vocabulary or [])
        self.index = {word: i for i, word in enumerate(self.vocabulary)}

    def tokenize(self, text: str) -> list[str]:
        return self._regex.findall(text.lower() if self.lowercase else text)

    def fit(self, texts) -> "BagOfWords":
        words = set()
        for text in texts:
            words.update(self.tokenize(text))
        self.vocabulary = sorted(words)
        self.index = {word: i for i, word in enumerate(self.vocabulary)}
        if self.weighting == "tfidf":
            _, columns, _ = self.sparse_counts(texts)
            document_frequency = np.bincount(columns, minlength=len(self.vocabulary))
            self.idf = np.log((1 + len(texts)) / (1 + document_frequency)) + 1.0  # smooth_idf=True
        return self

    def features(self, texts) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(row, column, value): counts, or l2-normalised TF-IDF weights."""
        texts = list(texts)
        rows, columns, values = self.sparse_counts(texts)
        if self.weighting == "counts":
            return rows, columns, values
        if self.sublinear_tf:
            values = 1.0 + np.log(values)
        values = values * self.idf[columns]
        norms = np.sqrt(np.bincount(rows, weights=values ** 2, minlength=len(texts)))
        return rows, columns, values / np.where(norms > 0, norms, 1.0)[rows]

    def sparse_counts(self, texts) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(row, column, count) of every nonzero count; words outside the vocabulary are ignored.

        Sparse because 20 Newsgroups has ~100k words: a dense matrix would not fit in memory.
        """
        rows, columns, values = [], [], []
        for row, text in enumerate(texts):
            for word, count in Counter(self.tokenize(text)).items():
                column = self.index.get(word)
                if column is not None:
                    rows.append(row)
                    columns.append(column)
                    values.append(count)
        return np.array(rows, dtype=np.int64), np.array(columns, dtype=np.int64), np.array(values, dtype=np.float64)

    def linear_scores(self, texts, weights: np.ndarray, bias: np.ndarray) -> np.ndarray:
        """bias + features(texts) @ weights.T, shape (texts, len(bias)), `weights` (classes, vocabulary).
        Only the words a text holds contribute, so a -inf weight (Naive Bayes without smoothing)
        counts only for a word the text really contains (no 0 x -inf)."""
        texts = list(texts)
        rows, columns, values = self.features(texts)
        scores = np.zeros((len(texts), weights.shape[0]))
        np.add.at(scores, rows, weights[:, columns].T * values[:, None])
        return scores + bias

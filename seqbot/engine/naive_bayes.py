"""Multinomial Naive Bayes in NumPy, on a bag of words like scikit-learn's CountVectorizer.

    model = NaiveBayes(alpha=1.0).fit(texts, labels)
    model.predict(["you won a free ticket"])          # -> ["spam"]
    model.predict_log_proba(texts)                    # (n, classes), log P(class | text)
    model.explain("you won a free ticket")            # words pushing toward each class
    save_artifact("checkpoints/spam_nb.npz", model.to_artifact(metadata))

log P(c | d) = log P(c) + sum_w count(w, d) log P(w | c) - log Z, with
P(w | c) = (count(w, c) + alpha) / (count(c) + alpha |V|). Everything stays in log space, so
long texts never underflow; alpha = 0 (no smoothing) is allowed and gives log 0 = -inf for
a word never seen with a class, exactly the lecture's hand computation.
Tokens: lower-cased, regular expression (?u)\\b\\w\\w+\\b (CountVectorizer's default).
`BagOfWords(weighting="tfidf", sublinear_tf=True)` feeds TF-IDF weights instead of counts, like
TfidfVectorizer(sublinear_tf=True) (smooth idf, l2-normalised rows): better on 20 Newsgroups.
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np

from seqbot.artifact import Artifact
from seqbot.errors import CheckpointError, SeqbotError

KIND = "naive_bayes"
TOKEN_PATTERN = r"(?u)\b\w\w+\b"


class BagOfWords:
    """Vocabulary (sorted, like CountVectorizer) and the count matrix of texts."""

    def __init__(self, vocabulary: list[str] | None = None, token_pattern: str = TOKEN_PATTERN, lowercase: bool = True,
                 weighting: str = "counts", sublinear_tf: bool = False, idf: np.ndarray | None = None):
        if weighting not in ("counts", "tfidf"):
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


class NaiveBayes:
    def __init__(self, alpha: float = 1.0, bag: BagOfWords | None = None):
        if alpha < 0:
            raise SeqbotError(f"alpha must be >= 0, got {alpha}")
        self.alpha = float(alpha)
        self.bag = bag or BagOfWords()
        self.classes: list[str] = []
        self.class_log_prior = np.zeros(0)
        self.feature_log_prob = np.zeros((0, 0))

    def fit(self, texts, labels, class_prior: list[float] | None = None) -> "NaiveBayes":
        """Learn from texts and their labels. `class_prior` overrides the label frequencies."""
        if len(texts) != len(labels) or not texts:
            raise SeqbotError(f"need as many labels as texts (got {len(texts)} texts, {len(labels)} labels), at least one")
        self.bag.fit(texts)
        rows, columns, values = self.bag.features(texts)
        self.classes = sorted(set(labels))
        class_index = {name: i for i, name in enumerate(self.classes)}
        label_index = np.array([class_index[label] for label in labels])
        one_hot = np.eye(len(self.classes))[label_index]
        feature_counts = np.zeros((len(self.classes), len(self.bag.vocabulary)))
        np.add.at(feature_counts, (label_index[rows], columns), values)
        feature_counts += self.alpha
        with np.errstate(divide="ignore"):
            self.feature_log_prob = np.log(feature_counts) - np.log(feature_counts.sum(axis=1, keepdims=True))
            prior = np.asarray(class_prior, dtype=np.float64) if class_prior is not None else one_hot.sum(axis=0) / len(labels)
            self.class_log_prior = np.log(prior)
        return self

    def joint_log_likelihood(self, texts) -> np.ndarray:
        """log P(c) + sum_w count(w) log P(w | c), shape (n, classes)."""
        texts = list(texts)
        rows, columns, values = self.bag.features(texts)
        scores = np.zeros((len(texts), len(self.classes)))
        # Only words present in a text contribute, so log 0 = -inf appears only for a word the
        # text really contains (no 0 * -inf).
        np.add.at(scores, rows, self.feature_log_prob[:, columns].T * values[:, None])
        return scores + self.class_log_prior

    def predict_log_proba(self, texts) -> np.ndarray:
        joint = self.joint_log_likelihood(texts)
        top = joint.max(axis=1, keepdims=True)
        top = np.where(np.isfinite(top), top, 0.0)
        with np.errstate(divide="ignore"):
            log_norm = top + np.log(np.exp(joint - top).sum(axis=1, keepdims=True))
        return joint - log_norm

    def predict_proba(self, texts) -> np.ndarray:
        return np.exp(self.predict_log_proba(texts))

    def predict(self, texts) -> list[str]:
        return [self.classes[i] for i in self.joint_log_likelihood(texts).argmax(axis=1)]

    def explain(self, text: str, top: int = 5) -> dict[str, list[tuple[str, float]]]:
        """For each class, the words of `text` that pushed most toward it.

        A word's push toward class c is count * (log P(w | c) - mean over the other classes of
        log P(w | c')); for two classes this is the log-likelihood ratio of the word.
        """
        counts = Counter(word for word in self.bag.tokenize(text) if word in self.bag.index)
        result: dict[str, list[tuple[str, float]]] = {}
        for c, name in enumerate(self.classes):
            others = [o for o in range(len(self.classes)) if o != c]
            pushes = []
            for word, count in counts.items():
                column = self.bag.index[word]
                log_p = self.feature_log_prob[:, column]
                push = count * (log_p[c] - log_p[others].mean()) if others else 0.0
                if np.isfinite(push) and push > 0:
                    pushes.append((word, float(push)))
            pushes.sort(key=lambda item: (-item[1], item[0]))
            result[name] = pushes[:top]
        return result

    def word_pushes(self, text: str, positive: str) -> list[tuple[str, float]]:
        """Two classes: every known word of `text` with its push toward `positive` (+) or the other (-)."""
        if len(self.classes) != 2 or positive not in self.classes:
            raise SeqbotError(f"word_pushes needs two classes including {positive!r}; this model has {self.classes}")
        p, n = self.classes.index(positive), 1 - self.classes.index(positive)
        counts = Counter(word for word in self.bag.tokenize(text) if word in self.bag.index)
        pushes = []
        for word, count in counts.items():
            log_p = self.feature_log_prob[:, self.bag.index[word]]
            push = count * (log_p[p] - log_p[n])
            if np.isfinite(push):
                pushes.append((word, float(push)))
        pushes.sort(key=lambda item: (-abs(item[1]), item[0]))
        return pushes

    def to_artifact(self, metadata: dict | None = None, task: str = "spam", name: str = "spam_nb") -> Artifact:
        config = {
            "name": name,
            "task": task,
            "alpha": self.alpha,
            "classes": list(self.classes),
            "vocabulary": list(self.bag.vocabulary),
            "token_pattern": self.bag.token_pattern,
            "lowercase": self.bag.lowercase,
            "weighting": self.bag.weighting,
            "sublinear_tf": self.bag.sublinear_tf,
        }
        weights = {
            "feature_log_prob": self.feature_log_prob.astype(np.float32),
            "class_log_prior": self.class_log_prior.astype(np.float32),
        }
        if self.bag.idf is not None:
            weights["idf"] = self.bag.idf.astype(np.float32)
        return Artifact(kind=KIND, config=config, weights=weights, metadata=metadata or {})

    @classmethod
    def from_artifact(cls, artifact: Artifact) -> "NaiveBayes":
        try:
            config = artifact.config
            bag = BagOfWords(config["vocabulary"], config.get("token_pattern", TOKEN_PATTERN), config.get("lowercase", True),
                             config.get("weighting", "counts"), config.get("sublinear_tf", False),
                             artifact.weights["idf"].astype(np.float64) if "idf" in artifact.weights else None)
            model = cls(alpha=config.get("alpha", 1.0), bag=bag)
            model.classes = list(config["classes"])
            model.feature_log_prob = artifact.weights["feature_log_prob"].astype(np.float64)
            model.class_log_prior = artifact.weights["class_log_prior"].astype(np.float64)
        except KeyError as error:
            raise CheckpointError(f"Naive Bayes checkpoint lacks {error}") from None
        if model.feature_log_prob.shape != (len(model.classes), len(bag.vocabulary)):
            raise CheckpointError(
                f"Naive Bayes checkpoint is inconsistent: feature_log_prob {model.feature_log_prob.shape} "
                f"for {len(model.classes)} classes and {len(bag.vocabulary)} words")
        return model

"""Multinomial Naive Bayes inference in NumPy, on a bag of words like scikit-learn's CountVectorizer.

    model = NaiveBayes.from_artifact(load_artifact("checkpoints/spam_nb.npz"))
    model.predict(["you won a free ticket"])          # -> ["spam"]
    model.predict_log_proba(texts)                    # (n, classes), log P(class | text)
    model.explain("you won a free ticket")            # words pushing toward each class

log P(c | d) = log P(c) + sum_w count(w, d) log P(w | c) - log Z. Everything stays in log space, so
long texts never underflow; a -inf log P(w | c) (a model fitted without smoothing) counts only for
a word the text holds. The text contract (tokens, counts or TF-IDF weights) is
seqbot.data.bag_of_words; seqbot.training.naive_bayes fits the numbers (`NaiveBayes(**fit.parameters())`).
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from seqbot.artifact import Artifact
from seqbot.contract import keys
from seqbot.data.bag_of_words import TOKEN_PATTERN, BagOfWords
from seqbot.errors import CheckpointError, SeqbotError

KIND = keys.NAIVE_BAYES


class NaiveBayes:
    def __init__(self, classes: list[str], class_log_prior: np.ndarray, feature_log_prob: np.ndarray,
                 bag: BagOfWords, alpha: float = 1.0):
        if feature_log_prob.shape != (len(classes), len(bag.vocabulary)) or class_log_prior.shape != (len(classes),):
            raise CheckpointError(
                f"Naive Bayes model is inconsistent: feature_log_prob {feature_log_prob.shape} and class_log_prior "
                f"{class_log_prior.shape} for {len(classes)} classes and {len(bag.vocabulary)} words")
        self.classes = list(classes)
        self.class_log_prior = class_log_prior
        self.feature_log_prob = feature_log_prob
        self.bag = bag
        self.alpha = float(alpha)

    def joint_log_likelihood(self, texts) -> np.ndarray:
        """log P(c) + sum_w count(w) log P(w | c), shape (n, classes)."""
        return self.bag.linear_scores(texts, self.feature_log_prob, self.class_log_prior)

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

    @classmethod
    def from_artifact(cls, artifact: Artifact) -> "NaiveBayes":
        try:
            config = artifact.config
            bag = BagOfWords(config["vocabulary"], config.get("token_pattern", TOKEN_PATTERN), config.get("lowercase", True),
                             config.get("weighting", "counts"), config.get("sublinear_tf", False),
                             artifact.weights["idf"].astype(np.float64) if "idf" in artifact.weights else None)
            return cls(list(config["classes"]), artifact.weights["class_log_prior"].astype(np.float64),
                       artifact.weights["feature_log_prob"].astype(np.float64), bag, config.get("alpha", 1.0))
        except KeyError as error:
            raise CheckpointError(f"Naive Bayes checkpoint lacks {error}") from None

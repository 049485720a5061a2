"""Fit multinomial Naive Bayes in NumPy and write it as the artifact the engine reads.

    fit = fit_naive_bayes(texts, labels, alpha=1.0)    # BagOfWords: seqbot.data.bag_of_words
    fit.predict(test_texts)                            # -> ["spam", "ham", ...]
    save_artifact(path, fit.to_artifact(metadata, task="spam", name="spam_nb"))
    NaiveBayes(**fit.parameters())                     # the engine's model, without the float32 round trip

P(w | c) = (count(w, c) + alpha) / (count(c) + alpha |V|), kept as log probabilities; alpha = 0 (no
smoothing) is allowed and gives log 0 = -inf for a word never seen with a class, exactly the
lecture's hand computation. The engine (seqbot.engine.naive_bayes) computes the posteriors and
explanations from the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from seqbot.artifact import Artifact
from seqbot.contract import keys
from seqbot.data.bag_of_words import BagOfWords
from seqbot.errors import SeqbotError


@dataclass
class NaiveBayesFit:
    """What fitting learns: the classes (sorted), their log priors and each word's log P(w | c)."""

    classes: list[str]
    class_log_prior: np.ndarray  # (classes,)
    feature_log_prob: np.ndarray  # (classes, vocabulary)
    bag: BagOfWords
    alpha: float

    def parameters(self) -> dict:
        """Keyword arguments of seqbot.engine.naive_bayes.NaiveBayes."""
        return {field.name: getattr(self, field.name) for field in fields(self)}

    def predict(self, texts) -> list[str]:
        """The most probable class of each text (the test accuracy a training run records)."""
        scores = self.bag.linear_scores(texts, self.feature_log_prob, self.class_log_prior)
        return [self.classes[i] for i in scores.argmax(axis=1)]

    def to_artifact(self, metadata: dict | None = None, task: str = "spam", name: str = "spam_nb") -> Artifact:
        config = {
            "name": name,
            keys.TASK: task,
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
        return Artifact(kind=keys.NAIVE_BAYES, config=config, weights=weights, metadata=metadata or {})


def fit_naive_bayes(texts, labels, alpha: float = 1.0, bag: BagOfWords | None = None,
                    class_prior: list[float] | None = None) -> NaiveBayesFit:
    """Learn from texts and their labels; `bag` (its settings; fitted here) defaults to word counts,
    `class_prior` overrides the label frequencies."""
    if alpha < 0:
        raise SeqbotError(f"alpha must be >= 0, got {alpha}")
    if len(texts) != len(labels) or not texts:
        raise SeqbotError(f"need as many labels as texts (got {len(texts)} texts, {len(labels)} labels), at least one")
    bag = (bag or BagOfWords()).fit(texts)
    rows, columns, values = bag.features(texts)
    classes = sorted(set(labels))
    class_index = {name: i for i, name in enumerate(classes)}
    label_index = np.array([class_index[label] for label in labels])
    one_hot = np.eye(len(classes))[label_index]
    feature_counts = np.zeros((len(classes), len(bag.vocabulary)))
    np.add.at(feature_counts, (label_index[rows], columns), values)
    feature_counts += float(alpha)
    with np.errstate(divide="ignore"):
        feature_log_prob = np.log(feature_counts) - np.log(feature_counts.sum(axis=1, keepdims=True))
        prior = np.asarray(class_prior, dtype=np.float64) if class_prior is not None else one_hot.sum(axis=0) / len(labels)
        class_log_prior = np.log(prior)
    return NaiveBayesFit(classes, class_log_prior, feature_log_prob, bag, float(alpha))

"""How sure the translator is: each character's probability, one score per French word, and a
calibrated probability that the whole translation is good. NumPy only.

    result = translator.translate("Where is the station?")
    result.char_probs      # each output character's probability under the model, as it was decoded
    result.words           # [WordScore(word="Où", start=0, end=2, score=0.98), ...]
    result.confidence      # P(good translation) from the artifact's calibrator; None without one

Per character: the softmax probability the decoder gave the character it wrote, given the English
and the characters before it (Hypothesis.token_log_probs, recorded while decoding: greedy pays no
second pass). A name or number written back over a stand-in (seqbot.data.placeholders) takes the
stand-in's characters' scores, as its attention rows do; the space that joins two sentences is
added by the translator, not decoded, and counts as certain (1.0).

Per word (WORD_SCORE): the MINIMUM of its characters' probabilities. In a character model most of
a word's characters are near-certain once its first few are written ("exposit" -> "ion"), so the
geometric mean dilutes the one uncertain choice with the certain ones and lets a long wrong word
look sure; the minimum keeps that choice. Measured on 600 of the novel split's validation pairs
(telling words found in the reference from the others, AUROC; greedy / beam 4): minimum 0.788 /
0.765, product (the word's probability) 0.791 / 0.761, geometric mean 0.776 / 0.740. The minimum
and the product rank words alike, but below LOW_WORD (0.5) the minimum shades 32 % of the words
(36 % are not in the reference) and the product 48 %: the product punishes length itself.

Per sentence: ConfidenceFeatures are what the decoder already has (mean and minimum token
log-probability, output/input length ratio, input length, unknown characters, and for beam search
the margin of the best hypothesis over the next distinct one), mapped to P(good) by a Calibrator,
a logistic regression fitted on the novel split's validation pairs with "good" = sentence chrF >= 50
against the reference (GOOD_CHRF; seqbot.evaluation.translation_confidence fits it, `seqbot train
calibrate translator` runs that). The artifact holds one calibrator for greedy decoding and one for
beam search (config["confidence"]).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

GOOD_CHRF = 50.0  # a translation is "good" when its sentence chrF against the reference is at least this
SURE, UNSURE = 0.7, 0.5  # confidence at or above SURE: sure; below UNSURE: unsure (the app marks it)
WORD_SCORE = "min"  # how a word's score comes from its characters' probabilities (see the docstring)
LOW_WORD = 0.5  # a word scored below this is shaded in the app
# A French word: letters and digits, with inner apostrophes or hyphens ("l'homme", "est-ce").
WORD = re.compile(r"[^\W_]+(?:['\u2019-][^\W_]+)*")
MARGIN_CAP = 2.0  # beam margins (log-probability per character) are clipped to this; no runner-up: the cap
MIN_LOG_PROB = -20.0  # a token log-probability below this counts as this (a feature, not a decoding change)
GREEDY_FEATURES = ("mean_log_prob", "min_log_prob", "log_length_ratio", "log_length_ratio_sq",
                   "log_source_chars", "unknown_share")
BEAM_FEATURES = GREEDY_FEATURES + ("margin",)


@dataclass(frozen=True)
class WordScore:
    word: str
    start: int  # character offsets into the translation's text
    end: int
    score: float


def word_scores(text: str, char_probs) -> list[WordScore]:
    """One WordScore per French word of `text`: the minimum of its characters' probabilities."""
    if char_probs is None:
        return []
    if len(char_probs) != len(text):
        raise ValueError(f"need one probability per character: {len(char_probs)} for {len(text)} characters")
    return [WordScore(match.group(0), match.start(), match.end(), float(np.min(char_probs[match.start():match.end()])))
            for match in WORD.finditer(text)]


@dataclass
class ConfidenceFeatures:
    """What the decoder knows about one translation (or several joined): sums, so that pieces combine."""

    log_prob: float  # sum of the scored tokens' log-probabilities (<end> included when finished)
    scored: int  # tokens scored
    min_log_prob: float
    source_chars: int
    output_chars: int
    unknown_chars: int  # distinct input characters the model never saw (skipped)
    margin: float | None = None  # beam search: normalised score of the best minus the next distinct one

    @property
    def mean_log_prob(self) -> float:
        """log P / tokens scored: the length normalisation of the 'average' penalty with alpha 1."""
        return self.log_prob / max(self.scored, 1)

    def values(self) -> dict[str, float]:
        ratio = math.log((self.output_chars + 1) / (self.source_chars + 1))
        values = {
            "mean_log_prob": max(self.mean_log_prob, MIN_LOG_PROB),
            "min_log_prob": max(self.min_log_prob, MIN_LOG_PROB),
            "log_length_ratio": ratio,
            "log_length_ratio_sq": ratio * ratio,
            "log_source_chars": math.log(self.source_chars + 1),
            "unknown_share": self.unknown_chars / max(self.source_chars, 1),
        }
        if self.margin is not None:
            values["margin"] = min(max(self.margin, 0.0), MARGIN_CAP)
        return values

    def vector(self, names) -> np.ndarray:
        values = self.values()
        missing = [name for name in names if name not in values]
        if missing:
            raise ValueError(f"confidence features {', '.join(missing)} are not known for this translation "
                             f"(a beam margin needs beam search)")
        return np.array([values[name] for name in names], dtype=np.float64)

    @classmethod
    def combine(cls, parts: list["ConfidenceFeatures"], output_chars: int, source_chars: int,
                unknown_chars: int) -> "ConfidenceFeatures":
        """The features of consecutive pieces read as one translation (the least sure piece's margin)."""
        margins = [part.margin for part in parts]
        return cls(sum(part.log_prob for part in parts), sum(part.scored for part in parts),
                   min(part.min_log_prob for part in parts), source_chars, output_chars, unknown_chars,
                   None if any(margin is None for margin in margins) else min(margins))


@dataclass
class Calibrator:
    """Logistic regression on standardised features: P(good) = sigmoid(bias + weights . (x - mean) / scale)."""

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float

    def probabilities(self, matrix) -> np.ndarray:
        standardised = (np.asarray(matrix, dtype=np.float64) - self.mean) / self.scale
        return _sigmoid(standardised @ self.weights + self.bias)

    def probability(self, features: ConfidenceFeatures) -> float:
        return float(self.probabilities(features.vector(self.features)[None, :])[0])

    @classmethod
    def fit(cls, matrix, labels, features, l2: float = 1.0, iterations: int = 50) -> "Calibrator":
        """Newton's method on the L2-penalised log-loss (the bias is not penalised)."""
        matrix = np.asarray(matrix, dtype=np.float64)
        labels = np.asarray(labels, dtype=np.float64)
        if matrix.ndim != 2 or matrix.shape[1] != len(features) or len(labels) != len(matrix):
            raise ValueError(f"need one row of {len(features)} features per label, got {matrix.shape} and {len(labels)} labels")
        if len(labels) < 20 or labels.min() == labels.max():
            raise ValueError(f"fitting a calibrator needs at least 20 sentences, good and bad ones; got {len(labels)} "
                             f"with {int(labels.sum())} good")
        mean = matrix.mean(axis=0)
        scale = matrix.std(axis=0)
        scale[scale < 1e-9] = 1.0
        design = np.hstack([(matrix - mean) / scale, np.ones((len(matrix), 1))])
        penalty = np.full(design.shape[1], l2)
        penalty[-1] = 0.0
        theta = np.zeros(design.shape[1])
        for _ in range(iterations):
            p = _sigmoid(design @ theta)
            gradient = design.T @ (p - labels) + penalty * theta
            hessian = (design * (p * (1 - p))[:, None]).T @ design + np.diag(penalty) + 1e-9 * np.eye(len(theta))
            step = np.linalg.solve(hessian, gradient)
            theta -= step
            if np.abs(step).max() < 1e-10:
                break
        return cls(tuple(features), mean, scale, theta[:-1], float(theta[-1]))

    def to_config(self) -> dict:
        return {"kind": "logistic", "features": list(self.features), "mean": [float(v) for v in self.mean],
                "scale": [float(v) for v in self.scale], "weights": [float(v) for v in self.weights],
                "bias": float(self.bias)}

    @classmethod
    def from_config(cls, config: dict) -> "Calibrator":
        try:
            if config.get("kind", "logistic") != "logistic":
                raise ValueError(f"unknown calibrator kind {config.get('kind')!r}")
            features = tuple(str(name) for name in config["features"])
            arrays = [np.asarray(config[key], dtype=np.float64) for key in ("mean", "scale", "weights")]
            bias = float(config["bias"])
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise ValueError(f"a confidence calibrator needs features, mean, scale, weights and bias: {error}") from None
        if any(array.shape != (len(features),) for array in arrays) or not all(np.isfinite(a).all() for a in arrays):
            raise ValueError(f"a confidence calibrator needs {len(features)} finite numbers for each of mean, scale, weights")
        unknown = set(features) - set(BEAM_FEATURES)
        if unknown:
            raise ValueError(f"unknown confidence features {sorted(unknown)}; known: {', '.join(BEAM_FEATURES)}")
        return cls(features, *arrays, bias)


@dataclass
class ConfidenceModel:
    """The artifact's calibrators: one for greedy decoding, one for beam search (any width > 1;
    fitted at the artifact's own width). config["confidence"] = to_config()."""

    greedy: Calibrator | None
    beam: Calibrator | None
    good: str = f"sentence chrF >= {GOOD_CHRF:g} against the reference"
    fitted_on: dict | None = None  # what it was fitted on (pairs, decoding), for people reading the artifact

    def for_beam(self, beam: int) -> Calibrator | None:
        return self.greedy if beam <= 1 else self.beam

    def to_config(self) -> dict:
        config = {"good": self.good, "greedy": self.greedy and self.greedy.to_config(),
                  "beam": self.beam and self.beam.to_config()}
        if self.fitted_on:
            config["fitted_on"] = self.fitted_on
        return config

    @classmethod
    def from_config(cls, config: dict) -> "ConfidenceModel":
        """ValueError with what is wrong when the entry is malformed."""
        if not isinstance(config, dict):
            raise ValueError(f"confidence must be an object with greedy and beam calibrators, got {type(config).__name__}")
        greedy, beam = (Calibrator.from_config(config[key]) if config.get(key) else None for key in ("greedy", "beam"))
        return cls(greedy, beam, str(config.get("good", cls.good)), config.get("fitted_on"))


def _sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(x, dtype=np.float64)))


def auroc(scores, labels) -> float:
    """Area under the ROC curve: P(a good sentence scores above a bad one), ties counting half."""
    scores, labels = np.asarray(scores, dtype=np.float64), np.asarray(labels, dtype=bool)
    good, bad = int(labels.sum()), int((~labels).sum())
    if not good or not bad:
        raise ValueError(f"AUROC needs good and bad sentences, got {good} good and {bad} bad")
    order = np.argsort(scores, kind="stable")
    ranks = np.empty(len(scores))
    sorted_scores = scores[order]
    start = 0
    for stop in range(1, len(scores) + 1):  # average ranks over ties
        if stop == len(scores) or sorted_scores[stop] != sorted_scores[start]:
            ranks[order[start:stop]] = (start + stop + 1) / 2
            start = stop
    return float((ranks[labels].sum() - good * (good + 1) / 2) / (good * bad))


def binary_ece(probabilities, labels, bins: int = 10) -> float:
    """Expected calibration error of P(good): over `bins` equal-width bins of the predicted
    probability, the share of sentences in the bin x |share good - mean predicted probability|."""
    probabilities, labels = np.asarray(probabilities, dtype=np.float64), np.asarray(labels, dtype=np.float64)
    if not len(labels):
        raise ValueError("ECE needs at least one sentence")
    which = np.minimum((probabilities * bins).astype(int), bins - 1)
    error = 0.0
    for index in range(bins):
        inside = which == index
        if inside.any():
            error += inside.mean() * abs(labels[inside].mean() - probabilities[inside].mean())
    return float(error)

"""How far to trust a classifier's probabilities, and temperature scaling to make them trustworthy.

    report = calibration_report(probabilities, labels)   # accuracy, log-loss, ECE, right at >= 70 %
    temperature = fit_temperature(probabilities, labels)  # T minimising the log-loss of softmax(log p / T)

Temperature scaling (Guo et al. 2017, "On Calibration of Modern Neural Networks") divides the
logits by one number fitted on validation texts: the ranking, and so the accuracy, stays; the
probabilities stop being too sure (T > 1) or too timid (T < 1). The engine applies an artifact's
`temperature` (seqbot.engine.classifier); seqbot.evaluation.calibration fits one for a checkpoint.
"""

from __future__ import annotations

import numpy as np

CONFIDENT = 0.7  # "the right class at >= 70 % probability"
BINS = 15  # equal-width confidence bins for the expected calibration error (Guo et al. use 15)
EPSILON = 1e-12


def _log_probabilities(probabilities: np.ndarray) -> np.ndarray:
    return np.log(np.clip(np.asarray(probabilities, dtype=np.float64), EPSILON, 1.0))


def with_temperature(probabilities: np.ndarray, temperature) -> np.ndarray:
    """softmax(log p / T) row by row: what the model would give with its logits divided by T
    (`temperature`: one number, or one per row)."""
    scaled = _log_probabilities(probabilities) / np.reshape(temperature, (-1, 1))
    scaled -= scaled.max(axis=1, keepdims=True)
    exp = np.exp(scaled)
    return exp / exp.sum(axis=1, keepdims=True)


def log_loss(probabilities: np.ndarray, labels: np.ndarray) -> float:
    """Mean negative log-probability of the right class (nats)."""
    labels = np.asarray(labels)
    return float(-_log_probabilities(probabilities)[np.arange(len(labels)), labels].mean())


def expected_calibration_error(probabilities: np.ndarray, labels: np.ndarray, bins: int = BINS) -> float:
    """Sum over confidence bins of (share of texts) x |accuracy - mean confidence| (Naeini et al. 2015)."""
    probabilities, labels = np.asarray(probabilities), np.asarray(labels)
    confidence = probabilities.max(axis=1)
    right = probabilities.argmax(axis=1) == labels
    edges = np.linspace(0.0, 1.0, bins + 1)
    error = 0.0
    for low, high in zip(edges[:-1], edges[1:]):
        inside = (confidence > low) & (confidence <= high)
        if inside.any():
            error += inside.mean() * abs(right[inside].mean() - confidence[inside].mean())
    return float(error)


def calibration_report(probabilities: np.ndarray, labels: np.ndarray, confident: float = CONFIDENT) -> dict:
    """texts, accuracy, log_loss, ece, and right_confident: the share of texts whose right class got >= `confident`."""
    probabilities, labels = np.asarray(probabilities, dtype=np.float64), np.asarray(labels)
    if len(labels) == 0:
        raise ValueError("a calibration report needs at least one text")
    right_probability = probabilities[np.arange(len(labels)), labels]
    return {"texts": int(len(labels)), "accuracy": float((probabilities.argmax(axis=1) == labels).mean()),
            "log_loss": log_loss(probabilities, labels), "ece": expected_calibration_error(probabilities, labels),
            "right_confident": float((right_probability >= confident).mean())}


def fit_temperature(probabilities: np.ndarray, labels: np.ndarray, low: float = 0.05, high: float = 20.0) -> float:
    """The T in [low, high] that minimises the log-loss of with_temperature(probabilities, T): a coarse
    grid in log T, then golden-section search around the best point (the loss is convex in 1/T)."""
    labels = np.asarray(labels)
    if len(labels) == 0:
        raise ValueError("fitting a temperature needs validation texts")

    def loss(log_t: float) -> float:
        return log_loss(with_temperature(probabilities, float(np.exp(log_t))), labels)

    grid = np.linspace(np.log(low), np.log(high), 61)
    best = int(np.argmin([loss(t) for t in grid]))
    a, b = grid[max(best - 1, 0)], grid[min(best + 1, len(grid) - 1)]
    ratio = (np.sqrt(5) - 1) / 2
    for _ in range(40):
        c, d = b - ratio * (b - a), a + ratio * (b - a)
        if loss(c) < loss(d):
            b = d
        else:
            a = c
    return float(np.exp((a + b) / 2))

"""How likely a translator finds the reference translations: teacher-forced scores, NumPy only.

Training reports a validation loss with label smoothing, and that loss can fall while the model
gets worse at the references: smoothing also rewards lifting every unlikely character towards the
uniform distribution. These scores separate the two parts, on the same pairs:

    scores = reference_scores(translator, [("Hello!", "Bonjour !"), ...], label_smoothing=0.1)
    scores.nll            # mean -log p(reference character), <end> included: what greedy decoding needs
    scores.uniform        # mean over the vocabulary of -log p(character): what smoothing also pays for
    scores.smoothed       # (1 - e) * nll + e * uniform: the training loss with label smoothing e
    scores.accuracy       # share of reference characters that are the model's most likely one (greedy's pick)

`seqbot eval translate --likelihood` prints them for any checkpoint and split.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from seqbot.contract.tokens import END, PAD, START, UNKNOWN
from seqbot.engine.decoding import NEVER_EMITTED

BATCH_SIZE = 64


@dataclass(frozen=True)
class ReferenceScores:
    nll: float
    uniform: float
    smoothed: float
    accuracy: float
    characters: int
    label_smoothing: float

    def to_dict(self) -> dict:
        return {key: round(value, 4) if isinstance(value, float) else value for key, value in asdict(self).items()}


def reference_scores(translator, pairs, label_smoothing: float = 0.1) -> ReferenceScores:
    """Teacher-forced scores of `pairs` (English, French) under `translator`'s model, each French
    character fed back as the previous one (a character the model cannot write counts as <unk>)."""
    if not 0.0 <= label_smoothing < 1.0:
        raise ValueError(f"label_smoothing must be in [0, 1), got {label_smoothing}")
    target_ids = {char: index for index, char in enumerate(translator.model.target_vocab) if index >= UNKNOWN + 1}
    nll = uniform = hits = 0.0
    count = 0
    prepared = [(translator.prepare(english).ids, [target_ids.get(char, UNKNOWN) for char in french] + [END])
                for english, french in pairs]
    prepared = [(source, target) for source, target in prepared if len(source)]
    for start in range(0, len(prepared), BATCH_SIZE):
        chunk = prepared[start:start + BATCH_SIZE]
        sources = np.full((len(chunk), max(len(source) for source, _ in chunk)), PAD, dtype=np.int64)
        targets = np.full((len(chunk), max(len(target) for _, target in chunk)), PAD, dtype=np.int64)
        for row, (source, target) in enumerate(chunk):
            sources[row, :len(source)] = source
            targets[row, :len(target)] = target
        state = translator.model.encode(sources)
        previous = np.full(len(chunk), START, dtype=np.int64)
        for t in range(targets.shape[1]):
            log_probs, state, _ = translator.model.step(previous, state)
            log_probs = log_probs - np.logaddexp.reduce(log_probs, axis=1, keepdims=True)  # normalised whatever step gives
            live = targets[:, t] != PAD
            rows = np.flatnonzero(live)
            chosen = log_probs[rows, targets[rows, t]]
            nll -= chosen.sum()
            uniform -= log_probs[rows].mean(axis=1).sum()
            emitted = log_probs[rows].copy()
            emitted[:, NEVER_EMITTED] = -np.inf  # as every search does: <pad> and <start> are never written
            hits += (emitted.argmax(axis=1) == targets[rows, t]).sum()
            count += len(rows)
            previous = np.where(live, targets[:, t], END)
    if not count:
        raise ValueError("no pair to score: every English sentence was empty for the model")
    nll, uniform = nll / count, uniform / count
    return ReferenceScores(float(nll), float(uniform), float((1 - label_smoothing) * nll + label_smoothing * uniform),
                           float(hits / count), count, label_smoothing)

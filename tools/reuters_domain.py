"""Choose the Reuters "not news-like" thresholds (seqbot.engine.news_domain.REUTERS_GATE) and report
their rates: Reuters test articles (in domain) against SMS messages and Friends lines (out of domain).

    SEQBOT_CORPORA=/path/to/corpora python tools/reuters_domain.py

Every text is scored once by the shipped Reuters model (top probability) and for its known-word
coverage; even-numbered texts choose the thresholds (the lowest mean of the rejected-news and the
accepted-chat rates on a grid), odd-numbered texts measure them. Takes about a minute (NumPy only).
"""

from __future__ import annotations

import sys

import numpy as np

from seqbot.data import dialogue, sms_spam
from seqbot.engine.classifier import load_classifier
from seqbot.engine.news_domain import DomainGate, known_word_coverage
from seqbot.paths import corpora_dir, default_checkpoint
from seqbot.data.classify_splits import load_dataset

FRIENDS_SAMPLE = 3000
CONFIDENCES = np.round(np.arange(0.0, 0.96, 0.025), 3)
COVERAGES = np.round(np.arange(0.0, 0.96, 0.025), 3)


def features(classifier, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    confidence = classifier.probabilities_batch(texts).max(axis=1)
    coverage = np.array([known_word_coverage(classifier.encoder, text) for text in texts])
    return confidence, coverage


def rates(gate: DomainGate, news, chat) -> tuple[float, float]:
    """(share of news articles called not news-like, share of chat messages called news-like)."""
    rejected = np.mean([not gate.news_like(c, v) for c, v in zip(*news)])
    accepted = np.mean([gate.news_like(c, v) for c, v in zip(*chat)])
    return float(rejected), float(accepted)


def main() -> int:
    root = corpora_dir()
    classifier = load_classifier(default_checkpoint("reuters"), "reuters")
    news_texts = load_dataset("reuters21578", str(root), classifier.metadata["split"]["seed"]).test_texts
    sms_texts = [message.text for message in sms_spam.read_messages(root / sms_spam.DEFAULT_FILE)]
    lines = [line.quote for line in dialogue.read_friends(root / "friends" / "friends-transcripts.tab") if line.quote.strip()]
    friends_texts = [lines[i] for i in np.random.default_rng(0).choice(len(lines), FRIENDS_SAMPLE, replace=False)]
    scored = {name: features(classifier, texts) for name, texts in
              (("news", news_texts), ("sms", sms_texts), ("friends", friends_texts))}

    def half(name, parity):
        confidence, coverage = scored[name]
        return confidence[parity::2], coverage[parity::2]

    def chat(parity):
        sms, friends = half("sms", parity), half("friends", parity)
        return np.concatenate([sms[0], friends[0]]), np.concatenate([sms[1], friends[1]])

    best = min((sum(rates(DomainGate(c, v), half("news", 0), chat(0))) / 2, c, v) for c in CONFIDENCES for v in COVERAGES)
    gate = DomainGate(float(best[1]), float(best[2]))
    print(f"chosen on the even halves: {gate}")
    print(f"measured on the odd halves ({len(half('news', 1)[0])} Reuters test articles, "
          f"{len(half('sms', 1)[0])} SMS, {len(half('friends', 1)[0])} Friends lines):")
    rejected, _ = rates(gate, half("news", 1), chat(1))
    print(f"  Reuters articles called not news-like: {rejected:.1%}")
    for name in ("sms", "friends"):
        _, accepted = rates(gate, half("news", 1), half(name, 1))
        print(f"  {name} messages called news-like: {accepted:.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""When the Reuters topic model's verdict means something: only for news-like text.

The Reuters model always names one of its 46 topics, even for "I am so happy today" (money-fx 67 %).
A message is news-like when the model is confident enough AND enough of its words are in the
model's 1,000-word vocabulary; otherwise the verdict is "not news-like".

    gate = REUTERS_GATE
    gate.news_like(confidence=0.92, coverage=0.81)   # True
    known_word_coverage(classifier.encoder, "I am so happy today")
    closest_topic_note([("money-fx", 0.57)], 0.43)  # "closest topic money-fx 57%; 43% of the words known"

Wherever a verdict is shown (seqbot classify, the app's side panel, its exports), a rejected message's
verdict is NOT_NEWS_LIKE alone, with closest_topic_note beside it: never a topic bar or a percentage
that reads as the probability of "not news-like".

The two thresholds were chosen by `python tools/reuters_domain.py` on half of the Reuters test
articles against half of the SMS Spam Collection and of a sample of Friends lines (lowest mean of
the two error rates), and measured on the other halves (see REUTERS_GATE).
"""

from __future__ import annotations

from dataclasses import dataclass

NOT_NEWS_LIKE = "not news-like"


@dataclass(frozen=True)
class DomainGate:
    min_confidence: float  # the top topic's probability
    min_coverage: float  # the share of the message's words in the model's vocabulary

    def news_like(self, confidence: float, coverage: float) -> bool:
        return confidence >= self.min_confidence and coverage >= self.min_coverage


def known_word_coverage(encoder, text: str) -> float:
    """The share of the text's words that the model has its own id for (not the out-of-vocabulary id)."""
    words = encoder.words(text)
    if not words:
        return 0.0
    oov = getattr(encoder, "oov_id", None)
    known = sum(1 for _, ids in words if ids and ids != [oov])
    return known / len(words)


def closest_topic_note(top: list[tuple[str, float]], coverage: float | None) -> str:
    """What goes beside a "not news-like" verdict: the topic the model was nearest to, its share, and
    how many of the message's words the model knows (when known)."""
    note = f"closest topic {top[0][0]} {float(top[0][1]):.0%}" if top else "no topic"
    if coverage is not None:
        note += f"; {float(coverage):.0%} of the words known"
    return note


# tools/reuters_domain.py, measured on the held-out halves: 8.2 % of 1,123 Reuters test articles are called
# not news-like; 11.7 % of 2,787 SMS messages and 11.1 % of 1,500 Friends lines are called news-like.
REUTERS_GATE = DomainGate(min_confidence=0.225, min_coverage=0.65)
REUTERS_CORPUS = "reuters21578"  # the gate applies to models trained on this corpus

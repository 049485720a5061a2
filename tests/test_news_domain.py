"""Reuters names a topic only for news-like text: the gate on confidence and known-word coverage,
on hand-made input, on the shipped model, and (real data) its rates on held-out articles and SMS."""

from __future__ import annotations

import numpy as np
import pytest

from seqbot.engine.classifier import ClassifierSet, TextEncoder, load_classifier
from seqbot.engine.news_domain import NOT_NEWS_LIKE, REUTERS_GATE, DomainGate, known_word_coverage
from seqbot.paths import default_checkpoint


def test_coverage_is_the_share_of_words_with_their_own_id():
    encoder = TextEncoder({"type": "words", "vocab": ["", "<oov>", "oil", "price", "the"], "oov_id": 1}, {})
    assert known_word_coverage(encoder, "The oil price, said zebra!") == pytest.approx(3 / 5)
    assert known_word_coverage(encoder, "!!!") == 0.0
    no_oov = TextEncoder({"type": "words", "vocab": ["", "oil"], "oov_id": None}, {})
    assert known_word_coverage(no_oov, "oil zebra") == pytest.approx(1 / 2)


def test_both_thresholds_must_be_met():
    gate = DomainGate(min_confidence=0.3, min_coverage=0.6)
    assert gate.news_like(0.3, 0.6) and gate.news_like(0.9, 0.9)
    assert not gate.news_like(0.29, 0.9) and not gate.news_like(0.9, 0.59)


@pytest.fixture(scope="module")
def reuters():
    return ClassifierSet.load(names=("reuters",))


@pytest.mark.parametrize("text", ["I am so happy today", "I love this movie.", "see you at lunch? bring the kids"])
def test_chat_messages_are_not_news_like(reuters, text):
    prediction = reuters.classify(text)[0]
    assert prediction.label == NOT_NEWS_LIKE
    assert prediction.top[0][0] != NOT_NEWS_LIKE and 0 <= prediction.coverage <= 1


@pytest.mark.parametrize("text, topic", [("Oil prices rose after OPEC agreed to cut crude output", "crude"),
                                         ("The central bank raised interest rates to defend the currency against the dollar",
                                          "money-fx")])
def test_news_gets_its_topic(reuters, text, topic):
    prediction = reuters.classify(text)[0]
    assert prediction.label == topic
    assert REUTERS_GATE.news_like(prediction.probability, prediction.coverage)


@pytest.mark.corpora
def test_rates_on_held_out_articles_and_sms(real_corpora):
    """Odd-numbered texts (the ones tools/reuters_domain.py measures on), first 150 of each."""
    from seqbot.data import sms_spam
    from seqbot.data.classify_splits import load_dataset

    classifier = load_classifier(default_checkpoint("reuters"), "reuters")
    articles = load_dataset("reuters21578", str(real_corpora), classifier.metadata["split"]["seed"]).test_texts[1::2][:150]
    messages = [m.text for m in sms_spam.read_messages(real_corpora / sms_spam.DEFAULT_FILE)][1::2][:150]

    def news_like(texts):
        confidence = classifier.probabilities_batch(texts).max(axis=1)
        return np.array([REUTERS_GATE.news_like(c, known_word_coverage(classifier.encoder, t)) for c, t in zip(confidence, texts)])

    assert 1 - news_like(articles).mean() < 0.15  # documented: 8.2 % of the articles rejected
    assert news_like(messages).mean() < 0.20  # documented: 11.7 % of the SMS accepted

"""Readers on the real corpora ($SEQBOT_CORPORA): the counts of the corpora README."""

from __future__ import annotations

from collections import Counter

import pytest

from seqbot.data import imdb, newsgroups, nsmc, reuters, sms_spam


@pytest.fixture(scope="module")
def reviews(real_corpora):
    return imdb.read_reviews(real_corpora / imdb.DEFAULT_FILE)  # the slow one: read once


@pytest.fixture(scope="module")
def articles(real_corpora):
    return reuters.read_articles(real_corpora / reuters.DEFAULT_FILE)


def test_sms_spam_counts_and_deduplication(real_corpora):
    messages = sms_spam.read_messages(real_corpora / sms_spam.DEFAULT_FILE)
    assert len(messages) == 5574
    assert Counter(m.label for m in messages) == {"ham": 4827, "spam": 747}
    unique = sms_spam.deduplicate(messages)
    assert len(unique) == 5171 and len({m.text for m in unique}) == 5171
    parts = sms_spam.split_messages(unique, test_fraction=0.2, seed=0)
    assert len(parts["test"]) == round(0.2 * 5171)
    assert {m.text for m in parts["train"]}.isdisjoint(m.text for m in parts["test"])


def test_reuters_keras_selection_is_11228_documents_in_46_classes(articles):
    assert len(articles) == 21578 and len({a.id for a in articles}) == 21578
    documents = reuters.keras_selection(articles)
    assert len(documents) == 11228
    assert len({d.label for d in documents}) == 46
    biggest = Counter(reuters.KERAS_LABELS[d.label] for d in documents).most_common(2)
    assert [name for name, _ in biggest] == ["earn", "acq"]
    parts = reuters.keras_split(documents, seed=113)
    assert (len(parts["train"]), len(parts["test"])) == (8982, 2246)  # Keras' reuters.load_data sizes


def test_reuters_modapte_split_sizes(articles):
    parts = reuters.modapte_split(articles)
    assert (len(parts["train"]), len(parts["test"])) == (9603, 3299)


def test_imdb_is_25000_by_25000_balanced(reviews):
    counts = Counter((r.split, r.label) for r in reviews)
    assert counts == {("train", 0): 12500, ("train", 1): 12500, ("test", 0): 12500, ("test", 1): 12500}
    assert all((r.rating >= 7) == (r.label == 1) and r.rating not in (5, 6) for r in reviews)
    assert not any("<br />" in r.text for r in reviews[:2000])


def test_nsmc_150000_and_50000(real_corpora):
    train = nsmc.read_ratings(real_corpora / nsmc.TRAIN_FILE)
    test = nsmc.read_ratings(real_corpora / nsmc.TEST_FILE)
    assert (len(train), len(test)) == (150000, 50000)
    assert sum(r.label for r in train) == 75139
    assert any(r.document == "" for r in train)


def test_newsgroups_bydate_tab_files(real_corpora):
    train = newsgroups.read_posts(real_corpora / newsgroups.TRAIN_FILE)
    test = newsgroups.read_posts(real_corpora / newsgroups.TEST_FILE)
    assert (len(train), len(test)) == (11293, 7528)
    assert newsgroups.group_names(train) == newsgroups.group_names(test) and len(newsgroups.group_names(train)) == 20

"""The NumPy multinomial Naive Bayes (fitted by seqbot.training.naive_bayes, run by the engine): the
lecture's toy example by hand, scikit-learn parity, log-space stability, explanations and the
artifact round trip."""

from __future__ import annotations

import math

import numpy as np
import pytest

from seqbot.artifact import load_artifact, save_artifact
from seqbot.data.bag_of_words import BagOfWords
from seqbot.engine.naive_bayes import NaiveBayes
from seqbot.errors import SeqbotError
from seqbot.training.naive_bayes import fit_naive_bayes

# The lecture's toy training set (tokenised mails and their class). Derived from its stated numbers:
# the 10 ham words hold "you" twice, "free" twice and no "lottery"; the 10 spam words hold "you" twice,
# "free" three times and "lottery" twice, so P(ham | you free lottery) ∝ 2/10 * 2/10 * 0/10 = 0 and
# P(spam | ...) ∝ 2/10 * 3/10 * 2/10 = 0.012 (the lecture leaves out the equal priors 1/2).
TOY_TEXTS = ["me free lottery", "free get free you", "you free scholarship", "free to contact me", "you won award",
             "you ticket lottery"]
TOY_LABELS = ["spam", "spam", "ham", "ham", "ham", "spam"]


def fitted(texts, labels, **options) -> NaiveBayes:
    """The engine's model with the fitted float64 numbers (an artifact stores float32)."""
    return NaiveBayes(**fit_naive_bayes(texts, labels, **options).parameters())


def read_fixture(fixtures_dir):
    rows = [line.split("\t", 1) for line in (fixtures_dir / "classify" / "SMSSpamCollection").read_text(encoding="utf-8").splitlines()]
    return [text for _, text in rows], [label for label, _ in rows]


def test_lecture_toy_example_without_smoothing():
    model = fitted(TOY_TEXTS, TOY_LABELS, alpha=0.0)
    likelihood = np.exp(model.joint_log_likelihood(["you free lottery"]) - model.class_log_prior)[0]
    assert model.classes == ["ham", "spam"]
    assert likelihood[0] == 0.0
    assert likelihood[1] == pytest.approx(0.012)
    assert model.predict(["you free lottery"]) == ["spam"]
    assert np.exp(model.class_log_prior) == pytest.approx([0.5, 0.5])
    assert model.predict_proba(["you free lottery"])[0] == pytest.approx([0.0, 1.0])


def test_smoothing_gives_unseen_words_a_nonzero_probability():
    model = fitted(TOY_TEXTS, TOY_LABELS, alpha=1.0)
    probabilities = model.predict_proba(["you free lottery"])[0]
    # ham: (2+1)(2+1)(0+1) / (10+11)^3, spam: (2+1)(3+1)(2+1) / (10+11)^3 (11 words in the vocabulary)
    assert len(model.bag.vocabulary) == 11
    assert probabilities[1] == pytest.approx(36 / (9 + 36))
    assert np.isfinite(model.predict_log_proba(["you free lottery"])).all()


def test_matches_scikit_learn_on_sms_fixture(fixtures_dir):
    feature_extraction = pytest.importorskip("sklearn.feature_extraction.text")
    naive_bayes = pytest.importorskip("sklearn.naive_bayes")
    texts, labels = read_fixture(fixtures_dir)
    train_texts, train_labels, test_texts = texts[:14], labels[:14], texts[14:] + ["free prize call now", "lunch lor"]
    for alpha in (1.0, 0.1):
        ours = fitted(train_texts, train_labels, alpha=alpha)
        vectorizer = feature_extraction.CountVectorizer().fit(train_texts)
        theirs = naive_bayes.MultinomialNB(alpha=alpha).fit(vectorizer.transform(train_texts), train_labels)
        assert ours.bag.vocabulary == list(vectorizer.get_feature_names_out())
        np.testing.assert_allclose(ours.predict_log_proba(test_texts), theirs.predict_log_proba(vectorizer.transform(test_texts)), atol=1e-9)
        assert ours.predict(test_texts) == list(theirs.predict(vectorizer.transform(test_texts)))


def test_tfidf_features_and_model_match_scikit_learn(fixtures_dir):
    """The TF-IDF bag newsgroups_nb uses: the same weights as TfidfVectorizer(sublinear_tf=True) (smooth
    idf, l2 rows), and Naive Bayes on them the same as MultinomialNB on TfidfVectorizer's matrix."""
    feature_extraction = pytest.importorskip("sklearn.feature_extraction.text")
    naive_bayes = pytest.importorskip("sklearn.naive_bayes")
    texts, labels = read_fixture(fixtures_dir)
    train_texts, train_labels = texts[:14], labels[:14]
    test_texts = texts[14:] + ["free free free prize call now", "lunch lor", "no known word here zzz"]
    for sublinear in (True, False):
        bag = BagOfWords(weighting="tfidf", sublinear_tf=sublinear).fit(train_texts)
        vectorizer = feature_extraction.TfidfVectorizer(sublinear_tf=sublinear).fit(train_texts)
        assert bag.vocabulary == list(vectorizer.get_feature_names_out())
        rows, columns, values = bag.features(test_texts)
        ours = np.zeros((len(test_texts), len(bag.vocabulary)))
        ours[rows, columns] = values
        np.testing.assert_allclose(ours, vectorizer.transform(test_texts).toarray(), atol=1e-12)
        model = fitted(train_texts, train_labels, alpha=0.1, bag=BagOfWords(weighting="tfidf", sublinear_tf=sublinear))
        theirs = naive_bayes.MultinomialNB(alpha=0.1).fit(vectorizer.transform(train_texts), train_labels)
        np.testing.assert_allclose(model.predict_log_proba(test_texts),
                                   theirs.predict_log_proba(vectorizer.transform(test_texts)), atol=1e-9)


def test_long_text_does_not_underflow(fixtures_dir):
    texts, labels = read_fixture(fixtures_dir)
    model = fitted(texts, labels)
    long_text = " ".join(texts) * 50  # thousands of words: a product of probabilities would be 0.0
    log_probabilities = model.predict_log_proba([long_text])[0]
    assert np.isfinite(log_probabilities).all()
    assert math.fsum(np.exp(log_probabilities)) == pytest.approx(1.0)


def test_explanation_names_the_words_behind_the_decision(fixtures_dir):
    texts, labels = read_fixture(fixtures_dir)
    model = fitted(texts, labels)
    message = "claim your free prize, see you at lunch"
    pushes = dict(model.word_pushes(message, "spam"))
    assert pushes["claim"] > 0 and pushes["prize"] > 0 and pushes["lunch"] < 0
    explained = model.explain(message)
    assert {word for word, _ in explained["spam"]} >= {"claim", "prize"}
    assert "lunch" in {word for word, _ in explained["ham"]}
    assert all(push > 0 for words in explained.values() for _, push in words)


def test_artifact_round_trip(tmp_path, fixtures_dir):
    texts, labels = read_fixture(fixtures_dir)
    fit = fit_naive_bayes(texts, labels, alpha=0.5)
    model = NaiveBayes(**fit.parameters())
    path = save_artifact(tmp_path / "nb.npz", fit.to_artifact({"corpus": "fixture"}))
    loaded = NaiveBayes.from_artifact(load_artifact(path, kind="naive_bayes"))
    probe = ["free entry to win cash", "ok lar see you"]
    assert loaded.predict(probe) == model.predict(probe)
    np.testing.assert_allclose(loaded.predict_log_proba(probe), model.predict_log_proba(probe), atol=1e-5)


def test_bad_arguments_are_clear_errors():
    with pytest.raises(SeqbotError, match="alpha"):
        fit_naive_bayes(["a text"], ["spam"], alpha=-1)
    with pytest.raises(SeqbotError, match="labels"):
        fit_naive_bayes(["a text"], [])


def test_matches_scikit_learn_on_20_newsgroups(real_corpora):
    """Real data: same predictions and log-probabilities as MultinomialNB on the bydate split."""
    feature_extraction = pytest.importorskip("sklearn.feature_extraction.text")
    naive_bayes = pytest.importorskip("sklearn.naive_bayes")
    from seqbot.data.classify_splits import load_dataset

    data = load_dataset("20newsgroups", str(real_corpora))
    # A seeded quarter of the posts keeps the test at a few seconds; every class is still present.
    rng = np.random.default_rng(0)
    picked = rng.choice(len(data.train_texts), size=3000, replace=False)
    train_texts, train_labels = [data.train_texts[i] for i in picked], [data.train_labels[i] for i in picked]
    test_texts = data.test_texts[:1000]
    ours = fitted(train_texts, train_labels, alpha=0.01)
    vectorizer = feature_extraction.CountVectorizer()
    theirs = naive_bayes.MultinomialNB(alpha=0.01).fit(vectorizer.fit_transform(train_texts), train_labels)
    expected = theirs.predict_log_proba(vectorizer.transform(test_texts))
    np.testing.assert_allclose(ours.predict_log_proba(test_texts), expected, atol=1e-6)
    assert ours.predict(test_texts) == list(theirs.predict(vectorizer.transform(test_texts)))

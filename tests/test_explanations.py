"""Every verdict explained: leave-one-word-out occlusion for the neural classifiers (masked and
unmasked, word and sentencepiece vocabularies) and multi-class Naive Bayes; two-class Naive Bayes'
closed-form word pushes are the same log-odds changes. Each score is checked against the model run
again, from the text, without that word."""

from __future__ import annotations

import json

import numpy as np
import pytest

from seqbot.cli import main
from seqbot.engine.classifier import NaiveBayesClassifier, NeuralClassifier, TextEncoder, log_odds
from seqbot.training.naive_bayes import fit_naive_bayes
from test_classify_command import ENGLISH_WORDS, checkpoints, neural_artifact  # noqa: F401 (fixture)

TEXT = "free prize call now see you at lunch free"


def without(text: str, word: str) -> str:
    return " ".join(token for token in text.split() if token != word)


def expected_scores(classifier, text: str, words: list[str]) -> dict[str, float]:
    """log-odds(explained label | text) - log-odds(... | text without the word), label as documented."""
    full = classifier.probabilities(text) if hasattr(classifier, "probabilities") else classifier.probabilities_batch([text])[0]
    label = 1 if len(full) == 2 else int(np.argmax(full))
    scores = {}
    for word in words:
        rest = classifier.probabilities(without(text, word)) if hasattr(classifier, "probabilities") \
            else classifier.probabilities_batch([without(text, word)])[0]
        scores[word] = float(log_odds(full[label]) - log_odds(rest[label]))
    return scores


@pytest.mark.parametrize("cell, labels, mask", [("lstm", ["ham", "spam"], True), ("gru", ["earn", "acq", "crude"], True),
                                                ("simplernn", ["negative", "positive"], False)])
def test_neural_word_scores_are_the_log_odds_change_without_the_word(cell, labels, mask):
    artifact = neural_artifact("model", ["", "<oov>"] + ENGLISH_WORDS, labels, "spam", "en", cell, seed=3)
    artifact.config["layers"][0]["mask_zero"] = mask
    classifier = NeuralClassifier(artifact, "model")
    text = TEXT + " zebra"  # "zebra" is out of vocabulary: the <oov> id, a word too
    explanation = classifier.explain(text, classifier.probabilities(text))
    prediction = classifier.predict(text)
    assert prediction.explanation == [(w, score) for w, score in explanation if abs(score) >= 0.01][:8]  # the strongest eight
    words = dict(explanation)
    assert set(words) == set(TEXT.split()) | {"zebra"}
    expected = expected_scores(classifier, TEXT + " zebra", list(words))
    for word, score in words.items():
        assert score == pytest.approx(expected[word], abs=1e-5), word
    strengths = [abs(score) for _, score in explanation]
    assert strengths == sorted(strengths, reverse=True) and any(strengths)


def test_two_class_naive_bayes_pushes_are_the_log_odds_change_without_the_word():
    model = fit_naive_bayes(["free prize call now", "see you at lunch", "call now free", "lunch now"], ["spam", "ham", "spam", "ham"])
    classifier = NaiveBayesClassifier(model.to_artifact(), "spam_nb")
    words = dict(classifier.predict(TEXT).explanation)
    expected = expected_scores(classifier, TEXT, list(words))
    assert set(words) == {"free", "prize", "call", "now", "see", "you", "at", "lunch"}
    for word, score in words.items():
        assert score == pytest.approx(expected[word], abs=1e-9), word


def test_multi_class_naive_bayes_is_explained_by_occlusion():
    texts = ["oil price crude barrel", "shares stake acquire company", "profit earnings quarter dividend", "crude oil output"]
    model = fit_naive_bayes(texts, ["crude", "acq", "earn", "crude"])
    classifier = NaiveBayesClassifier(model.to_artifact(task="topic", name="topics"), "topics")
    prediction = classifier.predict("crude oil shares quarter")
    assert prediction.label == "crude"
    words = dict(prediction.explanation)
    assert words["crude"] > 0 and words["oil"] > 0 and words["shares"] < 0
    expected = expected_scores(classifier, "crude oil shares quarter", list(words))
    for word, score in words.items():
        assert score == pytest.approx(expected[word], abs=1e-9), word


def test_sentencepiece_words_group_the_pieces_of_each_word():
    import io

    import sentencepiece  # a base dependency

    corpus = ["the movie was great and the actors were wonderful", "a terrible boring film", "great fun"] * 30
    model = io.BytesIO()
    sentencepiece.SentencePieceTrainer.train(sentence_iterator=iter(corpus), model_writer=model, vocab_size=30,
                                             model_type="unigram", pad_id=-1, unk_id=0, bos_id=-1, eos_id=-1,
                                             minloglevel=2)
    encoder = TextEncoder({"type": "sentencepiece", "id_offset": 1}, {"sentencepiece": model.getvalue()})
    text = "the wonderful actors were boring"
    words = encoder.words(text)
    assert [word for word, _ in words] == text.split()
    assert [i for _, ids in words for i in ids] == encoder.encode(text)
    assert any(len(ids) > 1 for _, ids in words)  # some words are several pieces


def test_classify_json_gives_words_for_every_model(checkpoints, capsys):  # noqa: F811
    assert main(["classify", "--json", "--checkpoints", str(checkpoints), "call now for a free prize", "정말 영화 최악"]) == 0
    english, korean = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    for prediction in english["predictions"] + korean["predictions"]:
        assert prediction["words"] and all(isinstance(word, str) and isinstance(score, float)
                                           for word, score in prediction["words"]), prediction["model"]

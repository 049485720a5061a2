"""seqbot.data.word_vocab against Keras itself: the legacy `Tokenizer` (keras.src.legacy, the
class the lecture's `Tokenizer(num_words=N)` calls are) and `keras.utils.pad_sequences`, on the
reader fixtures and, with $SEQBOT_CORPORA, on the whole SMS corpus."""

from __future__ import annotations

import numpy as np
import pytest

from seqbot.data import imdb, nsmc, sms_spam
from seqbot.data.word_vocab import WordVocabulary, pad_sequences

keras = pytest.importorskip("keras")
legacy_text = pytest.importorskip("keras.src.legacy.preprocessing.text")


def fixture_texts(data) -> list[str]:
    texts = [m.text for m in sms_spam.read_messages(data / "sms-spam" / "SMSSpamCollection")]
    texts += [m.text for m in sms_spam.read_messages(data / "sms-spam" / "spam.csv")]
    texts += [r.text for r in imdb.read_reviews(data / "imdb" / "aclImdb", line_breaks=False)]
    texts += [r.document for r in nsmc.read_ratings(data / "nsmc" / "ratings_train.txt")]
    return texts + ["Tabs\tand\nnew lines, UPPER case; it's (all) here", ""]


def assert_same_as_keras(texts: list[str], num_words: int | None, oov_token: str | None) -> None:
    tokenizer = legacy_text.Tokenizer(num_words=num_words, oov_token=oov_token)
    tokenizer.fit_on_texts(texts)
    vocab = WordVocabulary.fit(texts, num_words=num_words, oov_token=oov_token)
    assert vocab.word_index == tokenizer.word_index
    assert vocab.texts_to_sequences(texts) == tokenizer.texts_to_sequences(texts)
    unseen = ["completely unseen words", "the FREE entry, 진짜 목소리"]
    assert vocab.texts_to_sequences(unseen) == tokenizer.texts_to_sequences(unseen)


@pytest.mark.parametrize("num_words, oov_token", [(None, None), (12, None), (12, "<OOV>"), (1, "<OOV>")])
def test_word_vocabulary_matches_keras_tokenizer_on_fixtures(fixtures_dir, num_words, oov_token):
    assert_same_as_keras(fixture_texts(fixtures_dir / "data"), num_words, oov_token)


@pytest.mark.parametrize("padding", ["pre", "post"])
@pytest.mark.parametrize("truncating", ["pre", "post"])
@pytest.mark.parametrize("maxlen", [None, 1, 5])
def test_pad_sequences_matches_keras(padding, truncating, maxlen):
    rng = np.random.default_rng(7)
    sequences = [list(rng.integers(1, 50, size=length)) for length in (0, 1, 3, 5, 9)]
    ours = pad_sequences(sequences, maxlen=maxlen, padding=padding, truncating=truncating)
    theirs = keras.utils.pad_sequences(sequences, maxlen=maxlen, padding=padding, truncating=truncating)
    np.testing.assert_array_equal(ours, theirs)
    assert ours.dtype == theirs.dtype


def test_word_vocabulary_matches_keras_on_the_sms_corpus(real_corpora):
    texts = [m.text for m in sms_spam.read_messages(real_corpora / sms_spam.DEFAULT_FILE)]
    assert_same_as_keras(texts, num_words=1000, oov_token="<OOV>")

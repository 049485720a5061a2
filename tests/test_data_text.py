"""Text preparation: Keras-like word vocabularies and padding, Korean cleaning, sentencepiece."""

from __future__ import annotations

import numpy as np
import pytest

from seqbot.data import korean
from seqbot.data.subword import load_processor, train_sentencepiece
from seqbot.data.word_vocab import WordVocabulary, pad_sequences, text_to_words
from seqbot.errors import SeqbotError

TEXTS = ["The cat sat on the mat.", "The dog ate the cat's food!", "A dog, a cat; (and) a bird."]


def test_text_to_words_lowercases_and_applies_keras_filters():
    assert text_to_words("Hello, World!\tIt's  (fine)") == ["hello", "world", "it's", "fine"]


def test_vocabulary_ranks_by_count_ties_in_first_seen_order():
    vocab = WordVocabulary.fit(TEXTS)
    counts = {w: sum(text_to_words(t).count(w) for t in TEXTS) for w in vocab.words}
    assert [counts[w] for w in vocab.words] == sorted(counts.values(), reverse=True)
    assert vocab.words[:4] == ["the", "a", "cat", "dog"]  # 4, 3, 2, 2: cat is seen before dog
    assert vocab.word_index["the"] == 1 and vocab.size == len(vocab.words) + 1


def test_num_words_limits_ids_with_and_without_oov():
    plain = WordVocabulary.fit(TEXTS, num_words=3)
    assert plain.encode("the bird a cat the") == [1, 2, 1]  # ids >= 3 dropped, as in Keras
    with_oov = WordVocabulary.fit(TEXTS, num_words=3, oov_token="<oov>")
    assert with_oov.words[0] == "<oov>" and with_oov.oov_id == 1
    assert with_oov.encode("the bird zebra a") == [2, 1, 1, 1]  # "a" has id 3, so it is OOV
    assert all(max(s) < 3 for s in with_oov.texts_to_sequences(TEXTS))
    assert len(with_oov) == 3


def test_vocabulary_round_trips_through_a_dict():
    vocab = WordVocabulary.fit(TEXTS, num_words=5, oov_token="<oov>")
    again = WordVocabulary.from_dict(vocab.to_dict())
    assert again.texts_to_sequences(TEXTS) == vocab.texts_to_sequences(TEXTS)
    assert vocab.decode(vocab.encode("the cat")) == "the cat"
    with pytest.raises(SeqbotError, match="num_words"):
        WordVocabulary.fit(TEXTS, num_words=0)


def test_pad_sequences_pre_and_post():
    sequences = [[1, 2, 3, 4], [5], []]
    pre = pad_sequences(sequences, maxlen=3)
    np.testing.assert_array_equal(pre, [[2, 3, 4], [0, 0, 5], [0, 0, 0]])
    post = pad_sequences(sequences, maxlen=3, padding="post", truncating="post")
    np.testing.assert_array_equal(post, [[1, 2, 3], [5, 0, 0], [0, 0, 0]])
    assert pad_sequences(sequences).shape == (3, 4) and pre.dtype == np.int32
    with pytest.raises(SeqbotError, match="padding"):
        pad_sequences(sequences, padding="middle")


def test_korean_clean_keeps_only_hangul_and_spaces():
    assert korean.clean("아 더빙.. 진짜 짜증나네요 목소리!!") == "아 더빙 진짜 짜증나네요 목소리"
    assert korean.clean("GDNTOPCLASSINTHECLUB 123 ㅋㅋ ㅠㅠ") == "ㅋㅋ ㅠㅠ"
    assert korean.has_hangul("hello 안녕") and not korean.has_hangul("hello")


def test_korean_tokenize_drops_stop_words_and_trailing_particles():
    assert korean.tokenize("영화가 정말 좋아요") == ["영화", "정말", "좋아요"]
    assert korean.tokenize("영화는 영화를 영화의 영화로") == ["영화", "영화", "영화", "영화로"]
    assert korean.tokenize("이 영화 좀 잘 봤다") == ["영화", "봤다"]
    assert korean.tokenize("사과 나이") == ["사과", "나이"]  # two syllables: no particle cut
    assert korean.tokenize("학교으로", particles=False) == ["학교으로"]
    assert korean.tokenize("!!!") == []


def test_sentencepiece_trains_in_memory_and_reloads():
    sentences = [f"{a} {b} 영화 정말 좋아요" for a in ("the", "a", "this") for b in ("movie", "film", "story")] * 20
    model = train_sentencepiece(sentences, vocab_size=40, hard_vocab_limit=False)
    assert 0 < model.vocab_size <= 40 and model.model_bytes
    ids = model.processor.encode("this film 영화 정말 좋아요")
    assert load_processor(model.model_bytes).encode("this film 영화 정말 좋아요") == ids
    assert model.processor.decode(ids) == "this film 영화 정말 좋아요"


def test_sentencepiece_errors_are_clear():
    with pytest.raises(SeqbotError, match="sentencepiece training failed.*[Vv]ocab"):
        train_sentencepiece(["ab cd", "cd ab"], vocab_size=500)
    with pytest.raises(SeqbotError, match="not a sentencepiece model"):
        load_processor(b"not a model")


def test_chat_source_cuts_a_long_message_at_sentence_ends_and_puts_the_context_first():
    from seqbot.contract.text import CONTEXT_SEPARATOR, chat_source, context_text, message_text

    long_message = "I waited for an hour in the rain. Where were you?"  # 50 characters
    assert message_text(long_message, 40) == "Where were you?"  # its last sentences, as training cut them
    assert message_text("  Fine,\u2019  thanks ", 40) == "Fine,' thanks"
    assert message_text("x" * 50, 40) == "x" * 40  # no sentence fits: its first characters
    assert context_text("Okay. That was a long and winding story.", 12) == "story."
    assert context_text("We talked. Then the whole thing fell apart", 20) == "thing fell apart"  # a tail from a word start
    assert context_text("Hi. How are you?", 40) == "Hi. How are you?"
    assert chat_source(long_message, "Hello there.", 40) == "Where were you?"  # no context: the message alone
    assert chat_source(long_message, "Hello there.", 40, 20) == "Hello there." + CONTEXT_SEPARATOR + "Where were you?"
    assert chat_source("Hi!", "", 40, 20) == CONTEXT_SEPARATOR + "Hi!"  # the separator even without a line before
    assert CONTEXT_SEPARATOR not in chat_source("a\nb", "", 40)  # normalise never leaves one in the message


def test_long_turns_are_cut_at_sentence_ends():
    from seqbot.contract.text import first_sentences, last_sentences, sentences

    text = "Hi. Who's there? It's me, and I brought the whole family!"
    assert sentences(text) == ["Hi.", "Who's there?", "It's me, and I brought the whole family!"]
    assert first_sentences(text, 16) == "Hi. Who's there?"
    assert first_sentences(text, 15) == "Hi."
    assert last_sentences(text, 40) == "It's me, and I brought the whole family!"
    assert last_sentences(text, 39) == ""
    assert last_sentences("Okay. Fine. Go.", 9) == "Fine. Go."
    assert first_sentences("short", 40) == last_sentences("short", 40) == "short"

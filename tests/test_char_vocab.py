"""Character vocabularies: special ids, frequency order, min count, unknown characters, round trip."""

from __future__ import annotations

import pytest

from seqbot.contract.tokens import END, PAD, SPECIALS, START, UNKNOWN

from seqbot.data.char_vocab import CharVocabulary


def test_specials_then_characters_by_frequency():
    vocab = CharVocabulary.build(["abba", "cab", "x"], min_count=2)
    assert vocab.to_list() == ["<pad>", "<start>", "<end>", "<unk>", "a", "b"]  # c, x seen once: dropped
    assert (PAD, START, END, UNKNOWN) == (0, 1, 2, 3) and tuple(vocab.tokens[:4]) == SPECIALS
    assert "a" in vocab and "c" not in vocab and "<pad>" not in vocab


def test_encode_decode_round_trip_and_unknown():
    vocab = CharVocabulary.build(["Ça va ? Très bien !"])
    ids = vocab.encode("Ça va !", start=True, end=True)
    assert ids[0] == START and ids[-1] == END and PAD not in ids
    assert vocab.decode(ids) == "Ça va !"
    assert vocab.encode("z") == [UNKNOWN]
    assert vocab.decode(vocab.encode("vaz")) == "va"  # <unk> is dropped when decoding
    assert vocab.decode([vocab.index["a"], END, vocab.index["v"]]) == "a"  # stops at <end>


def test_list_round_trip_and_bad_list():
    vocab = CharVocabulary.build(["hello"])
    assert CharVocabulary.from_list(vocab.to_list()).index == vocab.index
    with pytest.raises(ValueError, match="must start with"):
        CharVocabulary(["a", "b"])


def test_ties_broken_by_character_so_builds_are_reproducible():
    assert CharVocabulary.build(["ba"]).to_list()[4:] == ["a", "b"]
    assert CharVocabulary.build(["ab"]).to_list() == CharVocabulary.build(["ba"]).to_list()

"""The novel fra-eng split: no paraphrase cluster on two sides, test pairs the old model never trained on."""

from __future__ import annotations

import pytest

from seqbot.data.fra_eng import TranslationPair
from seqbot.data.novel_split import NovelSplit, clusters, fold_english, fold_french, novel_split


def test_folding_removes_case_punctuation_and_contractions():
    assert fold_english("I'm hungry.") == fold_english("I am hungry!") == "i am hungry"
    assert fold_english("He doesn't  know, does he?") == "he does not know does he"
    assert fold_english("I can't go.") == fold_english("I cannot go") == "i can not go"
    assert fold_french("J'ai faim !") == fold_french("j’ai   faim.") == "j ai faim"


def test_pairs_sharing_english_or_french_are_one_cluster():
    pairs = [TranslationPair("I'm hungry.", "J'ai faim."), TranslationPair("I am hungry!", "Je meurs de faim."),
             TranslationPair("I'm starving.", "Je meurs de faim !"), TranslationPair("Go.", "Va !")]
    ids = clusters(pairs)
    assert ids[0] == ids[1] == ids[2] != ids[3]


@pytest.mark.corpora
def test_the_split_on_fra_eng_keeps_clusters_whole_and_the_shipped_model_honest(real_corpora):
    from seqbot.data.fra_eng import locate, read_pairs
    from seqbot.data.novel_split import shipped_training_english

    pairs = read_pairs(locate(real_corpora))
    split = NovelSplit()
    parts = novel_split(pairs, split)
    test, train, validation = parts["test"], parts["train"], parts["validation"]
    assert len(test) >= 5000 and len(validation) >= 2500
    assert sum(len(p.english) > 50 for p in test) >= 0.15 * len(test)
    seen = {fold_english(p.english) for p in train + validation} | {("fr", fold_french(p.french)) for p in train + validation}
    assert not any(fold_english(p.english) in seen or ("fr", fold_french(p.french)) in seen for p in test)
    # The previously shipped translator never trained on a test pair's English.
    assert not {p.english for p in test} & shipped_training_english(pairs, split)
    # Deterministic: the same split every time.
    assert [p.english for p in novel_split(pairs, split)["test"][:50]] == [p.english for p in test[:50]]

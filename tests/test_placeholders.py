"""Names the translator never met and numbers go through it behind stand-ins (seqbot.data.placeholders), and
text in capitals is truecased for it and answered in capitals: the pure functions, their wiring in
the engine (the shipped translator, so the copy is the model's own), and the stand-ins' French
forms against fra.txt.

    python -m pytest tests/test_placeholders.py -q
"""

from __future__ import annotations

import re

import pytest

from seqbot.artifact import load_artifact, save_artifact
from seqbot.data.placeholders import Placeholders, StreamRestorer, Swap, capitals, restore
from seqbot.engine.translator import Translator
from seqbot.errors import CheckpointError
from seqbot.paths import default_checkpoint

TRAINING_ENGLISH = ["Tom is my friend.", "I went to Paris with Tom.", "Where is the station?", "I love Paris.",
                    "Mary lives in Boston.", "I met her yesterday.", "My name is Tom.", "Is it far?", "Tom and I love you.", "We have three cats."]


@pytest.fixture(scope="module")
def names() -> Placeholders:
    return Placeholders.from_pairs(TRAINING_ENGLISH)


def test_usual_forms_come_from_words_after_the_first(names):
    assert names.usual_forms["paris"] == "Paris" and names.usual_forms["boston"] == "Boston"
    assert names.usual_forms["where"] == "where"  # only ever first: lower case
    assert names.usual_forms["i"] == "I"


def test_unknown_capitalised_words_are_hidden_and_known_ones_kept(names):
    hidden, swaps = names.hide("Xavier and I went to Paris.")
    assert hidden == "Tom and I went to Paris."
    assert swaps == [Swap("Xavier", "Tom", ("Tom",))]
    assert names.hide("I love Paris.") == ("I love Paris.", [])
    assert names.hide("my friend xavier") == ("my friend xavier", [])  # lower case: not taken for a name


def test_a_stand_in_already_in_the_text_is_not_used(names):
    hidden, swaps = names.hide("Tom met Xavier and Ingrid.")
    assert hidden == "Tom met Mary and Ingrid."  # Tom is taken; one name is left as typed
    assert [swap.original for swap in swaps] == ["Xavier"]
    hidden, swaps = names.hide("Marie met Xavier.")  # Marie (unknown) takes Tom; Mary, whose French is Marie, is not free
    assert hidden == "Tom met Xavier." and [swap.original for swap in swaps] == ["Marie"]


def test_numbers_are_hidden_behind_number_words(names):
    hidden, swaps = names.hide("Xavier bought 25 apples for 3.50 euros at 12:30.")
    assert hidden == "Tom bought three apples for ten euros at two."
    assert [(swap.original, swap.stand_in) for swap in swaps] == [("Xavier", "Tom"), ("25", "three"), ("3.50", "ten"),
                                                                  ("12:30", "two")]
    assert restore("Tom a acheté trois pommes pour 10 euros à deux.", swaps)[0] == "Xavier a acheté 25 pommes pour 3.50 euros à 12:30."
    assert names.hide("I have 1 cat, the 3rd one.") == ("I have 1 cat, the 3rd one.", [])  # singular; glued to letters
    hidden, swaps = names.hide("Three of us paid 40 euros.")  # three stands in the text: the next word
    assert hidden == "Three of us paid ten euros." and swaps[0].original == "40"
    assert names.hide("25 and 25")[0] == "three and three"
    assert names.hide("2 4 6 8 12")[0] == "2 4 6 8 12"  # more numbers than number words: none hidden


def test_restore_replaces_every_form_in_any_case_and_maps_each_character(names):
    swaps = [Swap("Xavier", "Tom", ("Tom",)), Swap("Ingrid", "Mary", ("Mary", "Marie"))]
    text, rows = restore("Tom et Marie, TOM.", swaps)
    assert text == "Xavier et Ingrid, Xavier."
    assert len(rows) == len(text) and rows[:7] == [0, 0, 1, 1, 2, 2, 3]  # "Xavier" stretched over "Tom"
    assert rows[-1] == len("Tom et Marie, TOM.") - 1
    assert restore("Tomate", swaps)[0] == "Tomate"  # whole words only
    assert restore("abc", []) == ("abc", [0, 1, 2])


@pytest.mark.parametrize("text", ["Tom est là.", "Où est Tom ?", "Tom", "Marie et Tom, l'ami de Tom.", "Tomates !"])
def test_streaming_shows_exactly_what_restore_gives(text):
    swaps = [Swap("Xavier", "Tom", ("Tom",)), Swap("Ingrid", "Mary", ("Mary", "Marie"))]
    restorer = StreamRestorer(swaps)
    shown = "".join(restorer.feed(char) for char in text) + restorer.flush()
    assert shown == restore(text, swaps)[0]


def test_truecase_writes_capitals_as_the_corpus_does(names):
    assert names.truecase("I LOVE PARIS!") == "I love Paris!"
    assert names.truecase("XAVIER LIVES IN BOSTON. WHERE IS TOM?") == "Xavier lives in Boston. Where is Tom?"
    assert capitals("Où est-ce ? straße") == "OÙ EST-CE ? STRAßE"  # one character for one


def test_config_round_trip_and_damaged_config(names):
    again = Placeholders.from_config(names.to_config())
    assert (again.usual_forms, again.names, again.numbers) == (names.usual_forms, names.names, names.numbers)
    good = names.to_config()
    for damaged in ({}, good | {"names": [["Tom", []]]}, good | {"numbers": 3}, {"known_words": ["a"], "names": []}):
        with pytest.raises(ValueError, match="placeholders needs"):
            Placeholders.from_config(damaged)


@pytest.fixture(scope="module")
def shipped(names) -> Translator:
    translator = Translator.load(default_checkpoint("translator"))
    if not translator.case_variants:
        pytest.skip("the shipped translator was not trained on letter-case variants")
    translator.placeholders = names
    return translator


def test_the_shipped_translator_copies_an_unseen_name_through_the_stand_in(shipped):
    sentence = "Xavier is my friend."
    assert shipped.prepare(sentence).source == "Tom is my friend."
    result = shipped.translate(sentence, beam=1)
    assert re.search(r"\bXavier\b", result.text) and "Tom" not in result.text
    assert result.attention.shape == (len(result.text), len(result.source))
    streamed = shipped.stream(sentence)
    chars = []
    try:
        while True:
            chars.append(next(streamed))
    except StopIteration as stop:
        assert stop.value.text == result.text
    assert "".join(chars) == result.text
    assert re.search(r"\bXavier\b", shipped.translate(sentence, beam=4).text)


def test_text_in_capitals_is_answered_in_capitals_with_its_names(shipped):
    result = shipped.translate("XAVIER IS MY FRIEND.", beam=1)
    assert "XAVIER" in result.text and result.text == capitals(result.text)
    assert "".join(shipped.stream("XAVIER IS MY FRIEND.")) == result.text


def test_without_placeholders_the_name_is_fed_as_typed(shipped):
    saved, shipped.placeholders = shipped.placeholders, None
    try:
        assert shipped.prepare("Xavier is my friend.").source == "Xavier is my friend."
    finally:
        shipped.placeholders = saved


def test_a_damaged_placeholder_config_is_a_checkpoint_error(tmp_path):
    artifact = load_artifact(default_checkpoint("translator"), kind="seq2seq")
    artifact.config["placeholders"] = {"known_words": ["a"]}
    path = save_artifact(tmp_path / "damaged.npz", artifact)
    with pytest.raises(CheckpointError, match="placeholders"):
        Translator.load(path)


NUMBER_WORDS = {"two": "deux", "three": "trois", "four": "quatre", "five": "cinq", "six": "six", "seven": "sept",
                "eight": "huit", "nine": "neuf", "ten": "dix", "eleven": "onze", "twelve": "douze", "twenty": "vingt",
                "thirty": "trente", "hundred": "cent"}
NUMBER_VALUES = dict(zip(NUMBER_WORDS, [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 20, 30, 100]))


def test_the_stand_ins_are_what_fra_txt_says(real_corpora):
    """Both lists come from the corpus, not from the probes: recomputed here by the rule in the module."""
    from collections import Counter

    from seqbot.data.fra_eng import read_pairs
    from seqbot.data.placeholders import NAME_STAND_INS, NUMBER_STAND_INS

    pairs = read_pairs(real_corpora / "fra-eng" / "fra-eng.zip")

    def kept(word: str, forms) -> tuple[int, float]:
        with_word = [pair for pair in pairs if re.search(rf"\b{word}\b", pair.english, re.IGNORECASE)]
        found = sum(any(re.search(rf"\b{form}\b", pair.french, re.IGNORECASE) for form in forms) for pair in with_word)
        return len(with_word), found / max(1, len(with_word))

    names = Counter(word for pair in pairs for word in re.findall(r"\b(?:Tom|Mary|John|Alice|Jack|Bill)\b", pair.english))
    assert [name for name, _ in NAME_STAND_INS] == [name for name, _ in names.most_common(2)]
    for name, forms in NAME_STAND_INS:
        count, share = kept(name, forms)
        assert count >= 1000 and share >= 0.95, (name, count, share)
    scored = {word: kept(word, (french, str(NUMBER_VALUES[word]))) for word, french in NUMBER_WORDS.items()}
    chosen = sorted((word for word, (count, share) in scored.items() if count >= 200 and share >= 0.93),
                    key=lambda word: -scored[word][1])
    assert [word for word, _ in NUMBER_STAND_INS] == chosen
    assert all(forms == (NUMBER_WORDS[word], str(NUMBER_VALUES[word])) for word, forms in NUMBER_STAND_INS)


def test_training_pairs_are_rewritten_as_the_engine_rewrites_input(names):
    import numpy as np

    from seqbot.data.augment import AugmentConfig, Augmenter, hide_in_pair

    assert hide_in_pair(names, "Xavier has 25 cats.", "Xavier a 25 chats.") == ("Tom has three cats.", "Tom a trois chats.")
    # a hidden word the French does not hold as such: the pair is left alone
    assert hide_in_pair(names, "Xavier has 25 cats.", "Il a vingt-cinq chats.") == ("Xavier has 25 cats.", "Il a vingt-cinq chats.")
    config = AugmentConfig(name_rate=0.0, number_rate=0.0, upper_rate=0.0, title_rate=0.0, lower_rate=0.0, placeholder_rate=1.0)
    augmenter = Augmenter(["Zed"], set(), config, names)
    assert augmenter("Xavier has 25 cats.", "Xavier a 25 chats.", np.random.default_rng(0)) == ("Tom has three cats.", "Tom a trois chats.")
    with pytest.raises(ValueError, match="placeholder_rate needs"):
        Augmenter(["Zed"], set(), config)

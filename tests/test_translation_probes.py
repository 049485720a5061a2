"""The translator probes: what counts as a right answer, and that the names are really unseen."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from seqbot.data.fra_eng import TranslationPair
from seqbot.data.translation_probes import EVERYDAY, UNSEEN_NAMES, build_probes, compare_decodings, passes


def _probe(probes, english):
    return next(p for p in probes if p.english == english)


def test_right_answers():
    pairs = [TranslationPair("Hello!", "Bonjour !"), TranslationPair("Hello!", "Salut !"),
             TranslationPair("How are you?", "Comment vas-tu ?")]
    probes = build_probes(pairs)
    hello = _probe(probes, "Hello!")
    assert passes(hello, "Salut !") and passes(hello, "bonjour") and not passes(hello, "Souriez !")
    assert passes(_probe(probes, "Hello, how are you?"), "Bonjour, comment vas-tu ?")
    name = _probe(probes, "My name is Xavier.")
    assert passes(name, "Je m'appelle Xavier.") and not passes(name, "Mon nom est plus petit.")
    number = _probe(probes, "I have 3 cats.")
    assert passes(number, "J'ai 3 chats.") and not passes(number, "J'ai trouvé un chat.")
    capitals = _probe(probes, "I LOVE PARIS!")
    assert passes(capitals, "J'ADORE PARIS !") and passes(capitals, "J'adore Paris !")
    assert not passes(capitals, "J'adore le paris !")
    groups = {p.group for p in probes}
    assert groups == {"greetings", "names", "numbers", "capitals", "paragraph"}
    assert sum(p.group == "names" for p in probes) == 150 and sum(p.group == "numbers" for p in probes) == 50


@pytest.mark.corpora
def test_probe_names_occur_nowhere_in_fra_eng_and_are_never_substituted_in(real_corpora):
    from seqbot.data.augment import Augmenter, corpus_words, lower_case_words, proper_nouns
    from seqbot.data.fra_eng import locate, read_pairs

    pairs = read_pairs(locate(real_corpora))
    words = corpus_words(pairs)
    assert not [name for name in UNSEEN_NAMES if name in words or name.lower() in {w.lower() for w in words}]
    names = proper_nouns(real_corpora, exclude=set(UNSEEN_NAMES), known_words=words)
    assert len(names) > 1000 and not set(names) & set(UNSEEN_NAMES)
    augmenter = Augmenter(names, lower_case_words(pairs))
    rng = np.random.default_rng(0)
    english, french = "Tom gave Mary 25 apples.", "Tom a donné 25 pommes à Mary."
    rewritten = {augmenter(english, french, rng) for _ in range(200)}
    # Names and numbers change on both sides together; some pairs come out in capitals.
    for new_english, new_french in rewritten:
        for number in re.findall(r"\d+", new_english):
            assert number in new_french
        for name in re.findall(r"\b[A-Z][a-z]+\b", new_english)[:1]:
            assert name in new_french or name.upper() in new_french.upper()
    assert any("Tom" not in e and "TOM" not in e for e, _ in rewritten)
    assert any(e.isupper() for e, _ in rewritten)


def test_the_everyday_probe_is_30_short_sentences_over_five_topics():
    assert len(EVERYDAY) == 30 and len({probe.english for probe in EVERYDAY}) == 30
    topics = [probe.topic for probe in EVERYDAY]
    assert {topic: topics.count(topic) for topic in topics} == {
        "greeting": 6, "thanks": 6, "directions": 6, "small talk": 6, "question": 6}
    for probe in EVERYDAY:
        assert len(probe.english) <= 40 and probe.references
        for reference in probe.references:
            # French typography as fra.txt writes it (and the model learnt): a space before ? and !
            assert reference == reference.strip() and not re.search(r"\S[?!]", reference), reference
            assert reference[-1] in ".?!" and probe.english[-1] in ".?!"


def test_beam_and_greedy_are_compared_by_sentence_chrf():
    right = [probe.references[-1] for probe in EVERYDAY]  # any of the references is a perfect answer
    report = compare_decodings(right, right)
    assert report["greedy_chrF"] == report["beam_chrF"] == 100.0
    assert report["beam_at_least_greedy"] and report["beam_worse"] == []
    # "Hi, how are you?" as the shipped model's beam 4 translated it: worse than its greedy output.
    index = next(i for i, probe in enumerate(EVERYDAY) if probe.english == "Hi, how are you?")
    greedy, beam = list(right), list(right)
    greedy[index], beam[index] = "Salut, comment vous êtes-vous ?", "Est-ce que la maison est ?"
    report = compare_decodings(greedy, beam)
    assert not report["beam_at_least_greedy"] and report["beam_chrF"] < report["greedy_chrF"] < 100
    assert [row["english"] for row in report["beam_worse"]] == ["Hi, how are you?"]
    assert report["beam_worse"][0]["beam"] == "Est-ce que la maison est ?"
    # Better on one sentence, worse on another by less: the mean decides the check.
    greedy[index], beam[index] = "Est-ce que la maison est ?", "Salut, comment ça va ?"
    beam[0] = "Bonsoir"
    report = compare_decodings(greedy, beam)
    assert report["beam_at_least_greedy"] and [row["english"] for row in report["beam_worse"]] == [EVERYDAY[0].english]
    with pytest.raises(ValueError, match="one greedy and one beam output per probe"):
        compare_decodings(right[:-1], right)


def test_the_everyday_references_only_grade_outputs():
    """The references must never become a lookup: only the probe module and the eval command name them."""
    package = Path(__file__).resolve().parent.parent / "seqbot"
    allowed = {package / "data" / "translation_probes.py", package / "commands" / "eval_translate.py"}
    readers = [path.relative_to(package).as_posix() for path in package.rglob("*.py") if path not in allowed
               and re.search(r"\b(EVERYDAY|EverydayProbe|compare_decodings)\b", path.read_text(encoding="utf-8"))]
    assert readers == []

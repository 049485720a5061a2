"""The translator probes: what counts as a right answer, and that the names are really unseen."""

from __future__ import annotations

import re

import numpy as np
import pytest

from seqbot.data.fra_eng import TranslationPair
from seqbot.data.translation_probes import UNSEEN_NAMES, build_probes, passes


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

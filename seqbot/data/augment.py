"""Teach the translator what fra.txt is thin on: unseen names, numbers, letter case, greetings.

fra.txt names almost everyone Tom or Mary and holds few digits, so a model trained on it alone
turns a name it never saw into a French word ("Xavier" -> "plus petit") and a number into
another one. Each training epoch rewrites some pairs, the same way on both sides:

- names: a capitalised word that stands in both the English and the French sentence and is never
  written in lower case in fra.txt (Tom, Mary, Tokyo, ...) is replaced by a proper noun drawn
  from a list built from the other corpora (Friends speakers and quotes, Reuters articles), so
  the model learns to copy a name letter by letter;
- numbers: a digit string that stands on both sides is replaced by another number;
- case: a pair is written in CAPITALS, Title Case or lower case on both sides;
- repetition: greetings, thanks and goodbyes, and pairs with a number on both sides, are repeated
  (`extra_pairs`): fra.txt holds few of them (599 pairs with a shared number, 0.4 %);
- placeholders (`placeholder_rate`, off unless a recipe sets it): the engine's scheme of
  seqbot.data.placeholders applied to the pair as the engine applies it to what people type, the
  English through `Placeholders.hide` and the French with each hidden word replaced by its stand-in's
  first French form (a pair whose French does not hold a hidden word as such is left alone).

    augmenter = Augmenter(names=proper_nouns(corpora, exclude=probe_names), config=AugmentConfig())
    english, french = augmenter(english, french, rng)

A held-out list of names (the probes' names) can be excluded so that a probe measures copying
of names the model never met, not memory.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

CAPITALISED = re.compile(r"\b[A-Z][a-z]+\b")
DIGITS = re.compile(r"\d+")
CONVERSATIONAL = re.compile(
    r"^(hello|hi|hey|good (morning|night|evening|afternoon|day|luck|bye)|goodbye|bye|thank|thanks|"
    r"how are you|how do you do|see you|welcome|nice to meet|excuse me|sorry|please|cheers|congratulations|"
    r"happy (birthday|new year)|merry christmas|you're welcome)\b", re.IGNORECASE)


@dataclass(frozen=True)
class AugmentConfig:
    name_rate: float = 0.8  # share of pairs with a shared name whose names are replaced
    number_rate: float = 0.5  # share of pairs with a shared number whose numbers are replaced
    upper_rate: float = 0.03
    title_rate: float = 0.015
    lower_rate: float = 0.015
    conversational_copies: int = 4  # extra copies of each short greeting / thanks / goodbye pair per epoch
    max_conversational_length: int = 40
    number_copies: int = 8  # extra copies of each pair with a number on both sides, per epoch
    placeholder_rate: float = 0.0  # share of pairs rewritten as the engine's placeholders rewrite input

    def to_dict(self) -> dict:
        return asdict(self)


def _read_names_from(texts, minimum: int = 2) -> Counter:
    capitalised, lower = Counter(), set()
    for text in texts:
        words = re.findall(r"[A-Za-z]+", text)
        for position, word in enumerate(words):
            if word.islower():
                lower.add(word)
            elif position > 0 and CAPITALISED.fullmatch(word) and 3 <= len(word) <= 12:
                capitalised[word] += 1
    return Counter({word: count for word, count in capitalised.items() if count >= minimum and word.lower() not in lower})


def proper_nouns(corpora: str | Path, exclude: set[str] = frozenset(), known_words: set[str] = frozenset()) -> list[str]:
    """Proper nouns from the Friends transcripts and Reuters articles, sorted, without `exclude`
    and without any word of `known_words` (e.g. every word of fra.txt, so that names are new)."""
    from seqbot.data import reuters
    from seqbot.data.dialogue import read_friends

    corpora = Path(corpora)
    texts = []
    friends = read_friends(corpora / "friends" / "friends-transcripts.tab")
    texts += [line.quote for line in friends]
    texts += [f"The {line.author.title()} said" for line in friends if line.author.isalpha()]
    texts += [article.text for article in reuters.read_articles(corpora / "reuters21578" / "reuters21578.tar.gz")]
    counts = _read_names_from(texts)
    known = {word.lower() for word in known_words}
    return sorted(word for word in counts if word not in exclude and word.lower() not in known)


def corpus_words(pairs) -> set[str]:
    """Every word of both sides of `pairs` (to keep substituted names new to the model)."""
    words: set[str] = set()
    for pair in pairs:
        words.update(re.findall(r"[^\W\d_]+", pair.english))
        words.update(re.findall(r"[^\W\d_]+", pair.french))
    return words


def shared_names(english: str, french: str, lower_words: set[str]) -> list[str]:
    """Capitalised words standing in both sentences that fra.txt never writes in lower case."""
    return [word for word in dict.fromkeys(CAPITALISED.findall(english))
            if word.lower() not in lower_words and re.search(rf"\b{word}\b", french)]


def _random_number(rng: np.random.Generator, like: str) -> str:
    digits = len(like) if rng.random() < 0.7 else int(rng.integers(1, 5))
    if digits == 1:
        return str(rng.integers(0, 10))
    return str(rng.integers(1, 10)) + "".join(str(d) for d in rng.integers(0, 10, size=digits - 1))


def _title(text: str) -> str:
    """Each word's first letter in capitals ("don't" stays one word: "Don't")."""
    return re.sub(r"(?:^|(?<=\s))[^\W\d_]", lambda match: match.group(0).upper(), text)


class Augmenter:
    """Rewrites a training pair (see the module docstring); deterministic for a given rng."""

    def __init__(self, names: list[str], lower_words: set[str], config: AugmentConfig | None = None,
                 placeholders=None):
        if not names:
            raise ValueError("the name list for augmentation is empty; check the Friends and Reuters corpora")
        self.names = names
        self.lower_words = lower_words
        self.config = config or AugmentConfig()
        if self.config.placeholder_rate and placeholders is None:
            raise ValueError("placeholder_rate needs the Placeholders of the training English (seqbot.data.placeholders)")
        self.placeholders = placeholders

    def __call__(self, english: str, french: str, rng: np.random.Generator) -> tuple[str, str]:
        config = self.config
        names = shared_names(english, french, self.lower_words)
        if names and rng.random() < config.name_rate:
            for name in names:
                new = self.names[int(rng.integers(len(self.names)))]
                english = re.sub(rf"\b{name}\b", new, english)
                french = re.sub(rf"\b{name}\b", new, french)
        numbers = set(DIGITS.findall(english)) & set(DIGITS.findall(french))
        if numbers and rng.random() < config.number_rate:
            for number in sorted(numbers, key=len, reverse=True):
                new = _random_number(rng, number)
                english = re.sub(rf"(?<!\d){number}(?!\d)", new, english)
                french = re.sub(rf"(?<!\d){number}(?!\d)", new, french)
        if config.placeholder_rate and rng.random() < config.placeholder_rate:
            english, french = hide_in_pair(self.placeholders, english, french)
        draw = rng.random()
        if draw < config.upper_rate:
            english, french = english.upper(), french.upper()
        elif draw < config.upper_rate + config.title_rate:
            english, french = _title(english), _title(french)
        elif draw < config.upper_rate + config.title_rate + config.lower_rate:
            english, french = english.lower(), french.lower()
        return english, french

    def extra_pairs(self, pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """The extra copies to add to each epoch: short conversational pairs and pairs with a shared number
        (rewritten anew each time they are drawn, so the copies of a number pair carry other numbers)."""
        conversational = [pair for pair in pairs
                          if len(pair[0]) <= self.config.max_conversational_length and CONVERSATIONAL.match(pair[0])]
        numbers = [pair for pair in pairs if set(DIGITS.findall(pair[0])) & set(DIGITS.findall(pair[1]))]
        return conversational * self.config.conversational_copies + numbers * self.config.number_copies


def hide_in_pair(placeholders, english: str, french: str) -> tuple[str, str]:
    """The pair as the engine would read it and should answer it: the English through
    `placeholders.hide`, each hidden word of the French replaced by its stand-in's first French form
    (in capitals when the stand-in is). Unchanged when a hidden word is not in the French as such."""
    hidden, swaps = placeholders.hide(english)
    for swap in swaps:
        pattern = rf"(?<![^\W_]){re.escape(swap.original)}(?![^\W_])"
        if not re.search(pattern, french):
            return english, french
        form = swap.forms[0].upper() if swap.stand_in.isupper() else swap.forms[0]
        french = re.sub(pattern, form, french)
    return hidden, french


def lower_case_words(pairs) -> set[str]:
    """Words fra.txt writes in lower case somewhere (so "May", "Will" are not taken for names)."""
    words: set[str] = set()
    for pair in pairs:
        words.update(re.findall(r"\b[a-z]+\b", pair.english))
    return words

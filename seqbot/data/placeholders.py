"""Names the translator never met, carried through it by a stand-in it copies reliably.

A character model learns to copy the names its corpus is full of: fra.txt names almost everyone
Tom (14,639 English sentences) or Mary (2,209), and the translator writes "Tom" back letter for
letter, but it turns a name it never saw into French words ("Xavier" -> "plus petit"). So before
decoding, each capitalised word that never occurs in the training English (any case) is replaced
by a stand-in name of the corpus, cased as the word was typed ("XAVIER" -> "TOM"); after decoding,
the stand-in in the French, in any of the forms fra.txt translates it by (Mary -> Mary or Marie),
is replaced by the word as typed. The training half of the scheme is the corpus itself: every
stand-in is a name the model saw thousands of times with its translation (a test checks the
forms against fra.txt). Words of the training English are never replaced (Paris, Boston, Tokyo
stay for the model to translate), nor is a stand-in that already stands in the input.

    names = NamePlaceholders.from_pairs(training_english)      # at export: the words the model knows
    hidden, swaps = names.hide("Xavier and I went to Paris.")  # "Tom and I went to Paris."
    names.restore("Tom et moi sommes allés à Paris.", swaps)    # ("Xavier et moi ...", row_map)

Text typed in capitals ("I LOVE PARIS!") is first truecased, each word written as the training
English usually writes it away from the start of a sentence (Moses' truecaser: "I love Paris!"),
an unknown word as a name ("XAVIER" -> "Xavier", then hidden); the translator decodes that and
writes its French in capitals (`upper`), so the capitals and the names are kept.

`restore` also returns, for each character of the restored text, the character of the decoded
text it comes from, so attention rows follow the restored text. `StreamRestorer` does the same on
characters as they are decoded (a word is held back until it ends).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

WORD = re.compile(r"[^\W\d_]+")
# fra.txt's two most frequent names and the forms its French gives them (tests/test_placeholders.py).
STAND_INS = (("Tom", ("Tom",)), ("Mary", ("Mary", "Marie")))


@dataclass(frozen=True)
class Swap:
    """One hidden word: `original` as typed, `stand_in` as fed to the model, the French forms to restore."""

    original: str
    stand_in: str
    forms: tuple[str, ...]


@dataclass
class NamePlaceholders:
    usual_forms: dict[str, str]  # every word of the training English, lower-cased -> as usually written
    stand_ins: tuple[tuple[str, tuple[str, ...]], ...] = STAND_INS

    @property
    def known_words(self):
        return self.usual_forms.keys()

    @classmethod
    def from_pairs(cls, english_texts) -> "NamePlaceholders":
        """The placeholders of a model trained on `english_texts`: every word it read is known, written
        as it most often stands after a sentence's first word (lower case if it never does)."""
        forms: dict[str, Counter] = {}
        for text in english_texts:
            for position, word in enumerate(WORD.findall(text)):
                counts = forms.setdefault(word.lower(), Counter())
                if position > 0:
                    counts[word] += 1
        return cls({lower: counts.most_common(1)[0][0] if counts else lower for lower, counts in forms.items()})

    @classmethod
    def from_config(cls, config: dict) -> "NamePlaceholders":
        """From an artifact's "name_placeholders" entry (see to_config); ValueError if malformed."""
        try:
            usual = {str(word).lower(): str(word) for word in config["known_words"]}
            stand_ins = tuple((str(name), tuple(str(form) for form in forms)) for name, forms in config["stand_ins"])
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"name_placeholders needs known_words and stand_ins [[name, [forms]]]: {error}") from None
        if not stand_ins or any(not forms for _, forms in stand_ins):
            raise ValueError("name_placeholders needs at least one stand-in, each with at least one French form")
        return cls(usual, stand_ins)

    def to_config(self) -> dict:
        """known_words: each word as usually written (lower case for most), sorted; stand_ins: [[name, [forms]]]."""
        return {"known_words": sorted(self.usual_forms.values()),
                "stand_ins": [[name, list(forms)] for name, forms in self.stand_ins]}

    def truecase(self, text: str) -> str:
        """Text typed in capitals as the training English writes it: each word in its usual form, an
        unknown word capitalised (a name), each sentence's first letter in capitals."""
        def usual(match: re.Match) -> str:
            word = match.group(0)
            return self.usual_forms.get(word.lower()) or word.capitalize()

        cased = WORD.sub(usual, text)
        return re.sub(r"(^|[.!?]\s+)([^\W\d_])", lambda match: match.group(1) + match.group(2).upper(), cased)

    def is_unknown_name(self, word: str) -> bool:
        return len(word) >= 2 and word[0].isupper() and word.lower() not in self.known_words

    def hide(self, text: str) -> tuple[str, list[Swap]]:
        """`text` with each unknown capitalised word replaced by a free stand-in, and the swaps made.
        Names beyond the number of free stand-ins are left as typed."""
        present = {word.lower() for word in WORD.findall(text)}
        free = [(name, forms) for name, forms in self.stand_ins
                if not any(form.lower() in present for form in (name, *forms))]
        chosen: dict[str, Swap] = {}
        for word in dict.fromkeys(WORD.findall(text)):
            if not free:
                break
            if self.is_unknown_name(word):
                name, forms = free.pop(0)
                written = name.upper() if word.isupper() else name
                chosen[word] = Swap(word, written, forms)
        if not chosen:
            return text, []

        def swap(match: re.Match) -> str:
            found = chosen.get(match.group(0))
            return found.stand_in if found else match.group(0)

        return WORD.sub(swap, text), list(chosen.values())


def mostly_capitals(text: str) -> bool:
    """Whether `text` is written in capitals (at least 4 letters, at least 80 % of them capitals)."""
    letters = [char for char in text if char.isalpha()]
    return len(letters) >= 4 and sum(char.isupper() for char in letters) >= 0.8 * len(letters)


def capitals(text: str) -> str:
    """`text` in capitals, character for character (a letter whose capital is longer, like ß, stays)."""
    return "".join(char.upper() if len(char.upper()) == 1 else char for char in text)


def restore(text: str, swaps: list[Swap]) -> tuple[str, list[int]]:
    """`text` (decoded French) with each stand-in form, in any case, replaced by the word it hid,
    and for each restored character the index of the decoded character it comes from."""
    if not swaps:
        return text, list(range(len(text)))
    pieces: list[str] = []
    rows: list[int] = []
    last = 0
    for match in WORD.finditer(text):
        pieces.append(text[last:match.start()])
        rows += range(last, match.start())
        original = _original_for(match.group(0), swaps)
        if original is None:
            pieces.append(match.group(0))
            rows += range(match.start(), match.end())
        else:
            pieces.append(original)
            span = match.end() - match.start()
            rows += [match.start() + min(k * span // len(original), span - 1) for k in range(len(original))]
        last = match.end()
    pieces.append(text[last:])
    rows += range(last, len(text))
    return "".join(pieces), rows


def _original_for(word: str, swaps: list[Swap]) -> str | None:
    lowered = word.lower()
    for swap in swaps:
        if any(lowered == form.lower() for form in (swap.stand_in, *swap.forms)):
            return swap.original
    return None


@dataclass
class StreamRestorer:
    """restore() on characters as they arrive: `feed(char)` returns what can be shown now (a word
    is held back until a character that is not a letter ends it), `flush()` the rest. The text
    shown is always restore(decoded text)[0]."""

    swaps: list[Swap]
    _word: list[str] = field(default_factory=list)

    def feed(self, char: str) -> str:
        if not self.swaps:
            return char
        if WORD.fullmatch(char):
            self._word.append(char)
            return ""
        return self.flush() + char

    def flush(self) -> str:
        word, self._word = "".join(self._word), []
        if not word:
            return ""
        return _original_for(word, self.swaps) or word

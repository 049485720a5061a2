"""Names and numbers carried through the translator behind stand-ins it translates reliably.

A character model learns what its corpus is full of. fra.txt names almost everyone Tom (14,639
English sentences) or Mary (2,209) and holds few digits (928 sentences of 167,130), so the
translator writes "Tom" back letter for letter and "three" as "trois", but turns a name it never
saw into French words ("Xavier" -> "plus petit") and drops or changes most numbers ("I have 25
cats." -> "J'ai des chats de chats."). So before decoding:

- each capitalised word that never occurs in the training English (any case) is replaced by a
  stand-in name, cased as the word was typed ("XAVIER" -> "TOM");
- each number (digits, with inner "." "," or ":" as in 3.5, 1,000, 12:30; not one glued to
  letters like 3rd, and not a lone 1, which reads as singular) is replaced by a stand-in number
  word ("25" -> "three");

and after decoding, the stand-in in the French, in any of the forms fra.txt translates it by
(Mary -> Mary or Marie, three -> trois or 3), is replaced by what was typed. The training half of
the scheme is the corpus itself: every stand-in stands in thousands (names) or hundreds (number
words) of pairs with its translation, and tests/test_placeholders.py checks each one's forms
against fra.txt. A stand-in that already stands in the input is not used; words of the training
English are never replaced (Paris, Boston, Tokyo stay for the model to translate).

Text typed in capitals ("I LOVE PARIS!") is first truecased, each word written as the training
English usually writes it away from the start of a sentence (Moses' truecaser: "I love Paris!"),
an unknown word as a name ("XAVIER" -> "Xavier", then hidden); the translator decodes that and
writes its French in capitals, so the capitals and the names are kept.

    placeholders = Placeholders.from_pairs(training_english)          # at export: the words the model knows
    hidden, swaps = placeholders.hide("Xavier bought 25 apples.")    # "Tom bought three apples."
    restore("Tom a acheté trois pommes.", swaps)                       # ("Xavier a acheté 25 pommes.", row_map)

`restore` also returns, for each character of the restored text, the character of the decoded
text it comes from, so attention rows follow the restored text. `StreamRestorer` does the same on
characters as they are decoded (a word is held back until it ends).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

WORD = re.compile(r"[^\W\d_]+")  # letters: how names are found and the known words counted
TOKEN = re.compile(r"[^\W_]+")  # letters and digits: what a stand-in's French form must match whole
NUMBER = re.compile(r"(?<![^\W_])\d+(?:[.,:]\d+)*(?![^\W_])")
# Chosen from fra.txt alone (tests/test_placeholders.py recomputes both lists): its two most frequent
# names, and the number words (two to twelve, twenty, thirty, hundred) that stand in at least 200 of its
# English sentences and whose French word or digits stand in at least 93 % of those pairs, most
# consistent first; each with the forms its French gives it.
NAME_STAND_INS = (("Tom", ("Tom",)), ("Mary", ("Mary", "Marie")))
NUMBER_STAND_INS = (("three", ("trois", "3")), ("ten", ("dix", "10")), ("two", ("deux", "2")), ("five", ("cinq", "5")))

StandIns = tuple[tuple[str, tuple[str, ...]], ...]


@dataclass(frozen=True)
class Swap:
    """One hidden word: `original` as typed, `stand_in` as fed to the model, the French forms to restore."""

    original: str
    stand_in: str
    forms: tuple[str, ...]


@dataclass
class Placeholders:
    usual_forms: dict[str, str]  # every word of the training English, lower-cased -> as usually written
    names: StandIns = NAME_STAND_INS
    numbers: StandIns = NUMBER_STAND_INS

    @classmethod
    def from_pairs(cls, english_texts) -> "Placeholders":
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
    def from_config(cls, config: dict) -> "Placeholders":
        """From an artifact's "placeholders" entry (see to_config); ValueError if malformed."""
        try:
            usual = {str(word).lower(): str(word) for word in config["known_words"]}
            names, numbers = (_stand_ins(config[key]) for key in ("names", "numbers"))
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"placeholders needs known_words, names and numbers ([[stand-in, [forms]]]): "
                             f"{error!r}") from None
        return cls(usual, names, numbers)

    def to_config(self) -> dict:
        """known_words: each word as usually written (lower case for most), sorted; names, numbers:
        [[stand-in, [French forms]]] in the order they are used."""
        return {"known_words": sorted(self.usual_forms.values()),
                "names": [[name, list(forms)] for name, forms in self.names],
                "numbers": [[number, list(forms)] for number, forms in self.numbers]}

    def is_unknown_name(self, word: str) -> bool:
        return len(word) >= 2 and word[0].isupper() and word.lower() not in self.usual_forms

    def truecase(self, text: str) -> str:
        """Text typed in capitals as the training English writes it: each word in its usual form, an
        unknown word capitalised (a name), each sentence's first letter in capitals."""
        def usual(match: re.Match) -> str:
            word = match.group(0)
            return self.usual_forms.get(word.lower()) or word.capitalize()

        cased = WORD.sub(usual, text)
        return re.sub(r"(^|[.!?]\s+)([^\W\d_])", lambda match: match.group(1) + match.group(2).upper(), cased)

    def hide(self, text: str) -> tuple[str, list[Swap]]:
        """`text` with each unknown capitalised word and each number replaced by a free stand-in (one
        whose forms do not stand in what is left of the text), and the swaps made. Names beyond the
        free stand-ins are left as typed; so are the numbers, all of them, when there are more than
        free number words (a number left as typed could read as a stand-in's digits)."""
        numbers = [number for number in dict.fromkeys(NUMBER.findall(text)) if number != "1"]
        rest = NUMBER.sub(lambda match: " " if match.group(0) in numbers else match.group(0), text)
        present = {token.lower() for token in TOKEN.findall(rest)}

        def free(stand_ins: StandIns) -> list[tuple[str, tuple[str, ...]]]:
            return [(word, forms) for word, forms in stand_ins
                    if not any(form.lower() in present for form in (word, *forms))]

        chosen: dict[str, Swap] = {}
        free_names, free_numbers = free(self.names), free(self.numbers)
        for word in dict.fromkeys(WORD.findall(text)):
            if free_names and self.is_unknown_name(word):
                name, forms = free_names.pop(0)
                chosen[word] = Swap(word, name.upper() if word.isupper() else name, forms)
        if len(numbers) <= len(free_numbers):
            for number, (word, forms) in zip(numbers, free_numbers):
                chosen[number] = Swap(number, word, forms)
        if not chosen:
            return text, []
        names = re.compile("|".join(rf"(?<![^\W_]){re.escape(original)}(?![^\W_])"
                                    for original in sorted(chosen, key=len, reverse=True)))
        return names.sub(lambda match: chosen[match.group(0)].stand_in, text), list(chosen.values())


def _stand_ins(value) -> StandIns:
    stand_ins = tuple((str(word), tuple(str(form) for form in forms)) for word, forms in value)
    if any(not forms for _, forms in stand_ins):
        raise ValueError("each stand-in needs at least one French form")
    return stand_ins


def mostly_capitals(text: str) -> bool:
    """Whether `text` is written in capitals (at least 4 letters, at least 80 % of them capitals)."""
    letters = [char for char in text if char.isalpha()]
    return len(letters) >= 4 and sum(char.isupper() for char in letters) >= 0.8 * len(letters)


def capitals(text: str) -> str:
    """`text` in capitals, character for character (a letter whose capital is longer, like ß, stays)."""
    return "".join(char.upper() if len(char.upper()) == 1 else char for char in text)


def restore(text: str, swaps: list[Swap]) -> tuple[str, list[int]]:
    """`text` (decoded French) with each stand-in form, in any case, replaced by what it hid, and
    for each restored character the index of the decoded character it comes from."""
    if not swaps:
        return text, list(range(len(text)))
    pieces: list[str] = []
    rows: list[int] = []
    last = 0
    for match in TOKEN.finditer(text):
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


def _original_for(token: str, swaps: list[Swap]) -> str | None:
    lowered = token.lower()
    for swap in swaps:
        if any(lowered == form.lower() for form in (swap.stand_in, *swap.forms)):
            return swap.original
    return None


@dataclass
class StreamRestorer:
    """restore() on characters as they arrive: `feed(char)` returns what can be shown now (a word
    is held back until a character that is not a letter or digit ends it), `flush()` the rest. The
    text shown is always restore(decoded text)[0]."""

    swaps: list[Swap]
    _token: list[str] = field(default_factory=list)

    def feed(self, char: str) -> str:
        if not self.swaps:
            return char
        if TOKEN.fullmatch(char):
            self._token.append(char)
            return ""
        return self.flush() + char

    def flush(self) -> str:
        token, self._token = "".join(self._token), []
        if not token:
            return ""
        return _original_for(token, self.swaps) or token

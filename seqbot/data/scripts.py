"""Which writing systems a text is in, and so which models may read it: the one place for script rules.

    languages_of("영화 최고")                  -> ("ko",)        the Korean model (NSMC)
    languages_of("ㅋㅋㅋ")                     -> ("ko",)        compatibility jamo are Hangul too
    languages_of("휴잭맨 look down on me")     -> ("en", "ko")   mixed: the English and the Korean models
    languages_of("I love this movie")         -> ("en",)
    has_latin_letters("안녕하세요")             -> False          the translator reads English: nothing to translate
    unread_scripts("مرحبا بكم")               -> ["Arabic"]     no model reads it

A character's script is the first word of its Unicode name after compatibility folding (NFKC), so
fullwidth "ｆ" and mathematical "𝐟" are Latin, and halfwidth or compatibility Hangul jamo ("ㅋ",
"ﾡ") are Hangul like the syllables. Nothing here depends on particular words or sentences.
"""

from __future__ import annotations

import unicodedata
from collections import Counter

LATIN = "Latin"
HANGUL = "Hangul"
READ_SCRIPTS = (LATIN, HANGUL)  # the scripts some shipped model reads (English models, the Korean one)


def script_of(char: str) -> str:
    """"Latin", "Hangul", "Arabic", "CJK", ... for one character, from the Unicode name of its
    compatibility form (NFKC); "Unnamed" for a character without a name."""
    folded = unicodedata.normalize("NFKC", char)[:1] or char
    first = unicodedata.name(folded, "UNNAMED").split()[0]
    return first if first == "CJK" else first.title()


def letter_scripts(text: str) -> Counter:
    """How many letters of each script `text` has (digits, spaces, punctuation, emoji are not letters)."""
    return Counter(script_of(char) for char in text if char.isalpha())


def has_latin_letters(text: str) -> bool:
    """Whether `text` has at least one Latin letter (accented, fullwidth and ligature forms included)."""
    return any(char.isalpha() and script_of(char) == LATIN for char in text)


def has_hangul(text: str) -> bool:
    """Whether `text` has at least one Hangul letter: a syllable or a jamo (ㅋㅋ, ㅇㅇ, ㄷ)."""
    return any(char.isalpha() and script_of(char) == HANGUL for char in text)


def languages_of(text: str) -> tuple[str, ...]:
    """The classifier languages a message goes to ("en", "ko"), in that order: "ko" when it has a Hangul
    letter; "en" when a word (whitespace-separated) has Latin letters and no Hangul, or when it has no
    Hangul at all. A message mixing Hangul and Latin words gets both."""
    words = text.split()
    korean = [has_hangul(word) for word in words]
    english = any(not is_korean and has_latin_letters(word) for word, is_korean in zip(words, korean))
    languages = []
    if english or not any(korean):
        languages.append("en")
    if any(korean):
        languages.append("ko")
    return tuple(languages)


def unread_scripts(text: str) -> list[str]:
    """The scripts of a text whose letters are mostly in scripts no model reads (neither Latin nor
    Hangul), most frequent first; [] when the models can read it."""
    scripts = letter_scripts(text)
    readable = sum(scripts[name] for name in READ_SCRIPTS)
    if not scripts or readable * 2 > sum(scripts.values()):
        return []
    return [name for name, _ in scripts.most_common() if name not in READ_SCRIPTS][:3]


def describe_scripts(text: str) -> str:
    """What a text is written in, for a notice: "Hangul", "Arabic and Hebrew", or "no letters"."""
    names = [name for name, _ in letter_scripts(text).most_common(3)]
    if not names:
        return "no letters"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]

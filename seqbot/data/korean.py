"""The lecture's Korean text preparation for NSMC: keep Hangul and spaces, tokenize, drop
stop words.

    clean("아 더빙.. 진짜 짜증나네요 목소리!!")   -> "아 더빙 진짜 짜증나네요 목소리"
    tokenize("영화가 정말 좋아요")              -> ["영화", "정말", "좋아요"]

The lecture tokenizes with KoNLPy's Okt morphological analyser, which is not available here
(it needs Java). Instead: whitespace tokens, then
  1. tokens that ARE a stop word are dropped (the lecture's list, unchanged);
  2. one trailing particle from the stop word list (은 는 이 가 의 를 과 도 와 에 으로 ...) is cut
     from a longer token, so 영화가 / 영화는 / 영화를 all give 영화, as Okt's morphs would;
     a cut only happens when at least two syllables remain, so short nouns such as 사과 ("apple")
     or 나이 ("age") keep their last syllable.
This is a heuristic, not morphology: some words lose a syllable that is not a particle
(e.g. 아이가 -> 아이, but 고양이 -> 고양).
"""

from __future__ import annotations

import re

from seqbot.data.scripts import has_hangul  # noqa: F401  (one rule for what is Hangul: syllables and jamo)

STOP_WORDS = ("의", "가", "이", "은", "들", "는", "좀", "잘", "걍", "과", "도", "를", "으로", "자", "에", "와", "한", "하다")
# Stop words that are postpositions (josa) when they end a word; longest first.
PARTICLES = ("으로", "은", "는", "이", "가", "의", "를", "과", "도", "와", "에", "들")

_NOT_HANGUL = re.compile(r"[^ㄱ-ㅎㅏ-ㅣ가-힣 ]")


def clean(text: str) -> str:
    """The lecture's `str.replace("[^ㄱ-ㅎㅏ-ㅣ가-힣 ]", "")`, then runs of spaces collapsed."""
    return " ".join(_NOT_HANGUL.sub("", text).split())


def strip_particle(token: str, min_stem: int = 2) -> str:
    for particle in PARTICLES:
        if token.endswith(particle) and len(token) - len(particle) >= min_stem:
            return token[: -len(particle)]
    return token


def tokenize(text: str, stop_words: tuple[str, ...] = STOP_WORDS, particles: bool = True) -> list[str]:
    """Cleaned whitespace tokens without stop words (and, by default, without trailing particles)."""
    stops = set(stop_words)
    tokens = []
    for token in clean(text).split():
        if particles:
            token = strip_particle(token)
        if token and token not in stops:
            tokens.append(token)
    return tokens

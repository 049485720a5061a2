"""The text generator's tokens: characters, or words and punctuation marks, and how they join back.

    tokens = tokenize("ROMEO: hi", "word")    # ['ROMEO', ':', 'hi']
    detokenize(tokens, "word")                # 'ROMEO: hi'

Shared by training (seqbot.training.generate builds the vocabulary from these tokens) and the
engine (seqbot.engine.generator re-exports these names).
"""

from __future__ import annotations

import re

from seqbot.errors import SeqbotError

UNKNOWN_WORD = "<unk>"
# Words (with inner apostrophes), numbers, newlines and single punctuation marks; spaces are implicit.
WORD_PATTERN = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)*|\d+|\n|[^\sA-Za-z\d]")
_NO_SPACE_BEFORE = set(",.;:!?')]-\n")
_NO_SPACE_AFTER = set("\n([-'")


def tokenize(text: str, level: str) -> list[str]:
    """Characters, or words and punctuation marks (the word-level model's tokens)."""
    if level == "char":
        return list(text)
    if level == "word":
        return WORD_PATTERN.findall(text)
    raise SeqbotError(f"unknown text level {level!r}; expected 'char' or 'word'")


def join_piece(previous: str | None, token: str, level: str) -> str:
    """The text to print for `token` after `previous`: word tokens get a space where prose has one."""
    if level == "char" or previous is None or token in _NO_SPACE_BEFORE or previous[-1] in _NO_SPACE_AFTER:
        return token
    return " " + token


def detokenize(tokens: list[str], level: str) -> str:
    previous = None
    pieces = []
    for token in tokens:
        pieces.append(join_piece(previous, token, level))
        previous = token
    return "".join(pieces)

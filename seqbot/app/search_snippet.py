"""Where a conversation search matched, and the words around it, for the conversations list (Ctrl+O).

    find_match("Vous êtes ici.", "ÉTÉ")      # (5, 9): "êtes", as the full-text index matches it
    snippet("Vous êtes ici.", "ete", 40)     # Text "Vous êtes ici." with "êtes" highlighted

Matching follows the store's full-text search: each word of the query is the start of a word of
the text, ignoring case and accents ("ÉTÉ" finds "êtes", "cru" finds "cruise"); without such a
word, a plain substring (the store's fallback search).
"""

from __future__ import annotations

import re
import unicodedata

from rich.text import Text

ELLIPSIS = "…"


def fold(text: str) -> tuple[str, list[int]]:
    """`text` lower-cased without accents, and for each folded character the index of the
    character of `text` it comes from."""
    folded, origins = [], []
    for index, char in enumerate(text):
        for part in unicodedata.normalize("NFKD", char).casefold():
            if not unicodedata.combining(part):
                folded.append(part)
                origins.append(index)
    return "".join(folded), origins


def find_match(text: str, query: str) -> tuple[int, int] | None:
    """(start, end) in `text` of the earliest word that a word of `query` starts (the whole word),
    else of the first plain occurrence of the folded query; None if neither."""
    folded, origins = fold(text)
    words = fold(query)[0].split()
    if not words or not folded:
        return None
    found = []
    for word in words:
        hit = re.search(r"(?<!\w)" + re.escape(word) + r"\w*", folded)
        if hit:
            found.append(hit.span())
    if not found:
        start = folded.find(" ".join(words))
        if start < 0:
            return None
        found.append((start, start + len(" ".join(words))))
    start, end = min(found)
    return origins[start], origins[end - 1] + 1


def snippet(text: str, query: str, width: int = 48) -> Text | None:
    """At most `width` characters of `text` (whitespace collapsed) around its match, the match
    highlighted and each cut end marked with an ellipsis; None when `query` does not match."""
    text = " ".join(text.split())
    span = find_match(text, query)
    if span is None:
        return None
    start, end = span
    room = max(width - (end - start), 0)
    left = max(0, min(start - room // 3, len(text) - width))  # a third of the room before the match
    right = min(len(text), max(end, left + width))
    shown = Text()
    if left > 0:
        shown.append(ELLIPSIS)
    shown.append(text[left:start])
    shown.append(text[start:end], "bold reverse")
    shown.append(text[end:right])
    if right < len(text):
        shown.append(ELLIPSIS)
    return shown

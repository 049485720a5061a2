"""Character vocabularies with the seq2seq special symbols.

Ids 0..3 are <pad>, <start>, <end>, <unk> (seqbot.contract.tokens); characters follow, most frequent first.

    vocab = CharVocabulary.build(texts, min_count=2)
    ids = vocab.encode("Bonjour")        # unknown characters -> UNKNOWN
    vocab.decode(ids)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from seqbot.contract.tokens import END, SPECIALS, START, UNKNOWN


class CharVocabulary:
    def __init__(self, tokens: list[str]):
        if tuple(tokens[:4]) != SPECIALS:
            raise ValueError(f"a character vocabulary must start with {SPECIALS}, got {tokens[:4]}")
        self.tokens = list(tokens)
        self.index = {token: i for i, token in enumerate(self.tokens)}

    @classmethod
    def build(cls, texts: Iterable[str], min_count: int = 1) -> "CharVocabulary":
        counts = Counter()
        for text in texts:
            counts.update(text)
        chars = sorted((c for c, n in counts.items() if n >= min_count), key=lambda c: (-counts[c], c))
        return cls(list(SPECIALS) + chars)

    def __len__(self) -> int:
        return len(self.tokens)

    def __contains__(self, char: str) -> bool:
        return char in self.index and self.index[char] >= len(SPECIALS)

    def encode(self, text: str, start: bool = False, end: bool = False) -> list[int]:
        ids = [self.index.get(c, UNKNOWN) for c in text]
        return ([START] if start else []) + ids + ([END] if end else [])

    def decode(self, ids: Iterable[int]) -> str:
        chars = []
        for i in ids:
            if i == END:
                break
            if i >= len(SPECIALS):
                chars.append(self.tokens[i])
        return "".join(chars)

    def to_list(self) -> list[str]:
        return list(self.tokens)

    @classmethod
    def from_list(cls, tokens: list[str]) -> "CharVocabulary":
        return cls(tokens)

"""Word vocabularies ranked by frequency, like Keras' `Tokenizer(num_words=N, oov_token=...)`,
and Keras-style padding.

    vocab = WordVocabulary.fit(texts, num_words=1000, oov_token="<oov>")
    ids = vocab.texts_to_sequences(texts)           # ids below num_words; 0 is padding
    batch = pad_sequences(ids, maxlen=100)          # pre-padding and pre-truncation, like Keras

Tokens: lower-cased, Keras' default filter characters replaced by spaces, split on spaces.
Ranks: by count, ties in first-seen order (Keras sorts a dict by count, stably). Index 1 is the
OOV token when there is one, then the most frequent word; with `num_words=N`, only ids < N are
used: rarer words become the OOV id, or are dropped without an OOV token (as in Keras).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from seqbot.errors import SeqbotError

KERAS_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'


def text_to_words(text: str, filters: str = KERAS_FILTERS, lower: bool = True) -> list[str]:
    """Keras' text_to_word_sequence."""
    if lower:
        text = text.lower()
    text = text.translate(str.maketrans({ch: " " for ch in filters}))
    return [word for word in text.split(" ") if word]


@dataclass
class WordVocabulary:
    words: list[str]  # words[i - 1] has id i (id 0 is padding); the OOV token, if any, is words[0]
    num_words: int | None = None
    oov_token: str | None = None
    filters: str = KERAS_FILTERS
    lower: bool = True
    word_index: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.word_index = {word: i for i, word in enumerate(self.words, 1)}

    @classmethod
    def fit(cls, texts: Iterable[str], num_words: int | None = None, oov_token: str | None = None,
            filters: str = KERAS_FILTERS, lower: bool = True) -> WordVocabulary:
        if num_words is not None and num_words < 1:
            raise SeqbotError(f"num_words must be at least 1, got {num_words}")
        counts: Counter[str] = Counter()
        for text in texts:
            counts.update(text_to_words(text, filters, lower))
        ranked = [word for word, _ in sorted(counts.items(), key=lambda item: -item[1])]  # stable: first seen first
        if oov_token is not None:
            ranked = [oov_token] + [word for word in ranked if word != oov_token]
        return cls(ranked, num_words, oov_token, filters, lower)

    @property
    def size(self) -> int:
        """Ids in use including padding 0: what an Embedding layer's input_dim must be."""
        full = len(self.words) + 1
        return min(full, self.num_words) if self.num_words else full

    def __len__(self) -> int:
        return self.size

    @property
    def oov_id(self) -> int | None:
        return 1 if self.oov_token is not None else None

    def encode(self, text: str) -> list[int]:
        ids = []
        limit = self.size
        for word in text_to_words(text, self.filters, self.lower):
            index = self.word_index.get(word)
            if index is not None and index < limit:
                ids.append(index)
            elif self.oov_token is not None:
                ids.append(1)
        return ids

    def texts_to_sequences(self, texts: Iterable[str]) -> list[list[int]]:
        return [self.encode(text) for text in texts]

    def decode(self, ids: Iterable[int]) -> str:
        return " ".join(self.words[i - 1] for i in ids if 0 < i <= len(self.words))

    def to_dict(self) -> dict:
        return {"words": self.words[: self.size - 1], "num_words": self.num_words, "oov_token": self.oov_token,
                "filters": self.filters, "lower": self.lower}

    @classmethod
    def from_dict(cls, data: dict) -> WordVocabulary:
        return cls(list(data["words"]), data.get("num_words"), data.get("oov_token"),
                   data.get("filters", KERAS_FILTERS), data.get("lower", True))


def pad_sequences(sequences: Sequence[Sequence[int]], maxlen: int | None = None, padding: str = "pre",
                  truncating: str = "pre", value: int = 0, dtype: str = "int32") -> np.ndarray:
    """Keras' pad_sequences: (len(sequences), maxlen) array; 'pre' pads/cuts at the front."""
    if padding not in ("pre", "post") or truncating not in ("pre", "post"):
        raise SeqbotError(f"padding and truncating must be 'pre' or 'post', got {padding!r} / {truncating!r}")
    if maxlen is None:
        maxlen = max((len(s) for s in sequences), default=0)
    batch = np.full((len(sequences), maxlen), value, dtype=dtype)
    for row, sequence in enumerate(sequences):
        if not len(sequence) or maxlen == 0:
            continue
        kept = sequence[-maxlen:] if truncating == "pre" else sequence[:maxlen]
        if padding == "post":
            batch[row, : len(kept)] = kept
        else:
            batch[row, maxlen - len(kept):] = kept
    return batch

"""The classifiers' text contract: how a text becomes token ids, the same in training and inference.

    encoder = TextEncoder(artifact.config["preprocessing"], artifact.blobs)   # words, korean_words, sentencepiece
    ids = keep_tokens(encoder.encode("a fine film"), max_length=500, keep="last")

Training (seqbot.training.classify) fits the vocabulary and stores it as the artifact's
"preprocessing"; the engine (seqbot.engine.classifier, which re-exports these names) reads it back.
"""

from __future__ import annotations

import re

from seqbot.data.word_vocab import KERAS_FILTERS
from seqbot.data.word_vocab import text_to_words as keras_words  # Keras' text_to_word_sequence
from seqbot.errors import CheckpointError


class TextEncoder:
    """Turns text into token ids the way the model was trained (the artifact's "preprocessing")."""

    def __init__(self, preprocessing: dict, blobs: dict[str, bytes]):
        self.kind = preprocessing.get("type")
        self.config = preprocessing
        if self.kind == "words":
            vocab = preprocessing["vocab"]  # id -> word; id 0 is padding
            self.index = {word: i for i, word in enumerate(vocab) if i > 0 and word}
            self.oov_id = preprocessing.get("oov_id")
        elif self.kind == "korean_words":
            vocab = preprocessing["vocab"]
            self.index = {word: i for i, word in enumerate(vocab) if i > 0 and word}
            self.oov_id = preprocessing.get("oov_id")
            self.stopwords = set(preprocessing.get("stopwords", []))
        elif self.kind == "sentencepiece":
            import sentencepiece

            if "sentencepiece" not in blobs:
                raise CheckpointError("the checkpoint's preprocessing is sentencepiece but it holds no sentencepiece model blob")
            self.processor = sentencepiece.SentencePieceProcessor()
            self.processor.LoadFromSerializedProto(blobs["sentencepiece"])
            self.offset = int(preprocessing.get("id_offset", 0))
        else:
            raise CheckpointError(f"unknown text preprocessing {self.kind!r} in the checkpoint")

    def tokens(self, text: str) -> list[str]:
        if self.kind == "words":
            return keras_words(text, self.config.get("filters", KERAS_FILTERS), self.config.get("lower", True))
        if self.kind == "korean_words":
            cleaned = re.sub(r"[^\uac00-\ud7a3\u3131-\u318e ]", " ", text)
            return [w for w in cleaned.split() if w not in self.stopwords]
        return self.processor.EncodeAsPieces(text)

    def encode(self, text: str) -> list[int]:
        if self.kind == "sentencepiece":
            return [i + self.offset for i in self.processor.EncodeAsIds(text)]
        return [i for _, word_ids in self.words(text) for i in word_ids]

    def words(self, text: str) -> list[tuple[str, list[int]]]:
        """(word, its ids) in text order: one id per word for word vocabularies (none for an unknown word
        when the model has no OOV id), the word's pieces for sentencepiece (a piece starting with "\u2581"
        starts a word). The engine's explanations leave one word out at a time."""
        if self.kind == "sentencepiece":
            groups: list[tuple[list[str], list[int]]] = []
            for piece, i in zip(self.processor.EncodeAsPieces(text), self.processor.EncodeAsIds(text)):
                if piece.startswith("\u2581") or not groups:
                    groups.append(([], []))
                groups[-1][0].append(piece)
                groups[-1][1].append(i + self.offset)
            return [("".join(pieces).replace("\u2581", ""), ids) for pieces, ids in groups]
        result = []
        for word in self.tokens(text):
            i = self.index.get(word)
            if i is None:
                i = self.oov_id
            result.append((word, [] if i is None else [int(i)]))
        return result


def keep_tokens(ids: list[int], max_length: int, keep: str = "first") -> list[int]:
    """The first `max_length` ids, or the last ones (Keras pad_sequences' default truncating="pre")."""
    return ids[-max_length:] if keep == "last" else ids[:max_length]
